"""Failures seen from outside: exit codes, one-line errors, bounded retries, kills.

These run the command in a fresh process (wandb-core start-up included), so they are the
slowest tests of the suite; everything else runs in-process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT, cli_env, isolated_env, run_cli
from fake_wandb import DEFAULT_KEY, FakeRun, FakeWandb

from extract.cli import main
from extract.wandb_api.reachability import probe
from extract.warehouse.files import Warehouse

SECRET = "secretkey" + "7" * 31  # 40 characters, never accepted by the fake


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("wandb-warehouse: error: ")
    for word in words:
        assert word in line, line
    return line


def loads(db: Path) -> list[tuple]:
    """The run syncs: each project's first load of an `extract` (its sweeps come after)."""
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        return con.execute(
            "select status, error, listing_complete, heavy_fetched from raw.wandb_loads "
            "qualify row_number() over (partition by invocation_id, project "
            "order by started_at) = 1 "
            "order by started_at"
        ).fetchall()
    finally:
        con.close()


def test_wrong_key(fake: FakeWandb, tmp_path: Path, db: Path) -> None:
    env = {**isolated_env(tmp_path, fake), "WANDB_API_KEY": SECRET}
    result = run_cli(["extract", "lab/p", "--db", str(db)], env)
    line = assert_one_line_error(result, "rejected the API key", "wandb login")
    assert SECRET not in result.stderr + result.stdout + line


def test_missing_key(fake: FakeWandb, tmp_path: Path, db: Path) -> None:
    env = isolated_env(tmp_path, fake)
    del env["WANDB_API_KEY"]
    result = run_cli(["extract", "lab/p", "--db", str(db)], env)
    assert_one_line_error(result, "no W&B API key", "WANDB_API_KEY", "wandb login")


def test_unreachable_server_is_named_at_once_while_retrying(
    fake: FakeWandb, tmp_path: Path, db: Path
) -> None:
    # Retries of about 1 + 2 + 4 s: the note comes at once, the error after them.
    env = {
        **isolated_env(tmp_path, fake),
        "WANDB_BASE_URL": "http://127.0.0.1:9",
        "WANDB_WAREHOUSE_MAX_RETRIES": "3",
        "WANDB_WAREHOUSE_RETRY_WAIT": "4",
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "extract", "lab/p", "--db", str(db)],
        cwd=PROJECT_ROOT,
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        note = process.stderr.readline()
        noted = time.monotonic() - started
        rest = process.stderr.read()
        ended = time.monotonic() - started
        assert process.wait(timeout=60) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert note == (
        "wandb-warehouse: cannot reach W&B at http://127.0.0.1:9 (connection to "
        "127.0.0.1:9 refused): retrying 3 times over about 7 s (WANDB_WAREHOUSE_MAX_RETRIES, "
        "WANDB_WAREHOUSE_RETRY_WAIT); Ctrl-C to stop\n"
    )
    assert noted < 5 and ended - noted > 4  # said before the retries, not after them
    (error,) = rest.splitlines()
    assert error.startswith("wandb-warehouse: error: cannot reach W&B at http://127.0.0.1:9")
    assert "WANDB_BASE_URL" in error and "Traceback" not in rest


def test_a_key_too_short_is_refused_before_any_request(
    fake: FakeWandb, tmp_path: Path, db: Path
) -> None:
    env = {**isolated_env(tmp_path, fake), "WANDB_API_KEY": "abc"}
    result = run_cli(["extract", "lab/p", "--db", str(db)], env)
    line = assert_one_line_error(
        result,
        f"the W&B API key was refused before contacting {fake.url}",
        "40+ characters",
        "wandb login",
    )
    assert "rejected" not in line
    # No GraphQL request (wandb-core may still post its own metrics, `<...>` paths).
    assert [operation for operation in fake.received if not operation.startswith("<")] == []


def test_unknown_project(fake: FakeWandb, tmp_path: Path, db: Path) -> None:
    fake.add_run("lab", "p", FakeRun("a"))
    result = run_cli(
        ["extract", "lab/p", "lab/nope", "--db", str(db)], isolated_env(tmp_path, fake)
    )
    assert result.stdout.startswith("lab/p: listed 1, new 1")
    assert_one_line_error(result, "project lab/nope not found")
    assert [row[0] for row in loads(db)] == ["ok", "failed"]
    # The key is in no output and no file: warehouse, wandb-core logs, config.
    assert DEFAULT_KEY not in result.stdout + result.stderr
    files = [path for path in tmp_path.rglob("*") if path.is_file() and path.name != "netrc"]
    assert any(path.suffix == ".log" for path in files)
    for path in files:
        assert DEFAULT_KEY.encode() not in path.read_bytes(), path


def _hold_open(path: Path) -> subprocess.Popen[str]:
    """A process holding `path` read-write in DuckDB, like a shell opened on it by hand."""
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.readline()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_working_file_held_by_another_process_is_waited_for_then_named(
    fake: FakeWandb, tmp_path: Path, db: Path
) -> None:
    fake.add_run("lab", "p", FakeRun("r0"))
    holder = _hold_open(Warehouse(db).raw_store)
    try:
        env = {**isolated_env(tmp_path, fake), "WANDB_WAREHOUSE_LOCK_WAIT": "1"}
        result = run_cli(["extract", "lab/p", "--db", str(db)], env)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        waiting, error = result.stderr.strip().splitlines()
        assert waiting.startswith("waiting up to 1 s for raw.duckdb: locked by ")
        assert f"PID {holder.pid} (" in waiting
        assert error.startswith("wandb-warehouse: error: ")
        assert f"locked by PID {holder.pid}" in error and "after waiting 1 s" in error
    finally:
        holder.kill()
        holder.wait()
    # Released while the writer waits (once it has said so): the writer goes on.
    holder = _hold_open(Warehouse(db).raw_store)
    writer = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "extract", "lab/p", "--db", str(db)],
        cwd=PROJECT_ROOT,
        env=cli_env(isolated_env(tmp_path, fake)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stderr is not None
    waiting = writer.stderr.readline()
    holder.communicate("\n")
    out, rest = writer.communicate(timeout=120)
    assert waiting.startswith("waiting up to 300 s for raw.duckdb: locked by"), waiting + rest
    assert writer.returncode == 0, rest
    assert out.startswith("lab/p: listed 1") and loads(db)[-1][0] == "ok"


def test_server_failing_forever_ends_in_bounded_time(
    fake: FakeWandb, tmp_path: Path, db: Path
) -> None:
    for i in range(5):
        fake.add_run("lab", "p", FakeRun(f"r{i}"))
    fake.fail(500, times=None, operation="Runs")
    started = time.monotonic()
    result = run_cli(["extract", "lab/p", "--db", str(db)], isolated_env(tmp_path, fake))
    elapsed = time.monotonic() - started
    assert_one_line_error(result, "kept failing", "try again later")
    # WANDB_WAREHOUSE_MAX_RETRIES=1: two attempts, not wandb-core's default twenty-one.
    assert fake.received["Runs"] == 2
    assert elapsed < 60
    assert loads(db) == [("failed", loads(db)[0][1], False, 0)]
    assert DEFAULT_KEY not in loads(db)[0][1]


def test_ctrl_c_is_recorded_as_failed(fake: FakeWandb, wandb_env: dict[str, str], db: Path):
    for i in range(150):
        fake.add_run("lab", "p", FakeRun(f"r{i:04d}"))
    fake.hold_after("Runs", served=2)  # the listing and one heavy batch, then hang
    # One request at a time, so "one batch served" is the first batch, written.
    env = {**wandb_env, "WANDB_WAREHOUSE_CONCURRENCY": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "extract", "lab/p", "--db", str(db)],
        cwd=PROJECT_ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A runner started in the background (`cmd &` without job control) passes SIGINT
        # on as ignored, and Python then never raises KeyboardInterrupt: restore it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert fake.held.wait(timeout=60)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        fake.release()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert err.strip() == "wandb-warehouse: interrupted"
    assert loads(db) == [("failed", "interrupted", True, 100)]


def test_ctrl_c_with_concurrent_requests_in_flight_ends_at_once(
    fake: FakeWandb, wandb_env: dict[str, str], db: Path
) -> None:
    for i in range(400):
        fake.add_run("lab", "p", FakeRun(f"r{i:04d}"))
    fake.hold_after("Runs", served=1)  # the listing, then every heavy batch hangs
    env = {**wandb_env, "WANDB_WAREHOUSE_CONCURRENCY": "4", "WANDB_WAREHOUSE_TIMEOUT": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "extract", "lab/p", "--db", str(db)],
        cwd=PROJECT_ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert fake.held.wait(timeout=60)
        deadline = time.monotonic() + 10
        while fake.received["Runs"] < 1 + 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.received["Runs"] == 1 + 4  # four batches in flight, none answered
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        fake.release()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert err.strip() == "wandb-warehouse: interrupted"
    assert elapsed < 15  # the held calls (100 s timeout) are not waited for
    status, error, _, heavy_fetched = loads(db)[0]
    assert (status, error, heavy_fetched) == ("failed", "interrupted", 0)


def test_sync_killed_midway_loses_nothing_and_next_completes(
    fake: FakeWandb, wandb_env: dict[str, str], db: Path, capsys
) -> None:
    for i in range(350):
        fake.add_run("lab", "p", FakeRun(f"r{i:04d}", created_at=f"2025-01-01T00:{i // 60:02d}"))
    # Answer two heavy batches, then hang: the process is killed during the third (one
    # request at a time, so the batches answered are the ones written).
    fake.hold_after("Runs", served=1 + 2)
    env = {**wandb_env, "HOME": wandb_env["WANDB_DIR"], "WANDB_WAREHOUSE_CONCURRENCY": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "extract", "lab/p", "--db", str(db)],
        cwd=PROJECT_ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert fake.held.wait(timeout=60), "the sync never reached its third heavy batch"
        time.sleep(0.3)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    fake.release()
    assert process.returncode == -signal.SIGKILL

    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        kept = con.execute("select count(distinct run_id) from raw.wandb_runs").fetchone()
        status = con.execute("select status from raw.wandb_loads").fetchall()
    finally:
        con.close()
    assert kept == (200,)  # both committed batches survived the kill
    assert status == [("running",)]

    fake.reset_counters()
    assert main(["extract", "lab/p", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "listed 350, new 150, changed 0, deleted 0, heavy-fetched 150" in out
    assert fake.full_runs_requests() == 2
    assert [row[0] for row in loads(db)] == ["failed", "ok"]
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        assert con.execute("select count(distinct run_id) from raw.wandb_runs").fetchone() == (350,)
    finally:
        con.close()


def test_hanging_server_is_cut_off_by_the_call_timeout(
    fake: FakeWandb, tmp_path: Path, db: Path
) -> None:
    fake.add_run("lab", "p", FakeRun("a"))
    fake.hold_after("Runs", served=0)
    env = {
        **isolated_env(tmp_path, fake),
        "WANDB_WAREHOUSE_REQUEST_TIMEOUT": "30",
        "WANDB_WAREHOUSE_TIMEOUT": "2",
    }
    started = time.monotonic()
    result = run_cli(["extract", "lab/p", "--db", str(db)], env)
    fake.release()
    assert_one_line_error(result, "kept failing while listing lab/p")
    assert time.monotonic() - started < 30  # the 30 s request timeout never came into play
    assert loads(db)[0][0] == "failed"


def test_the_probe_says_why_a_server_cannot_be_reached(
    fake: FakeWandb, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert probe(fake.url) is None
    assert probe("http://127.0.0.1:9") == "connection to 127.0.0.1:9 refused"
    assert probe("http://no-such-host.invalid") == "no such host no-such-host.invalid"
    # Through a proxy, the connection the SDK would open is the proxy's.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert probe(fake.url) == "connection to 127.0.0.1:9 refused"
