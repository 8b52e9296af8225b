"""Reading while it syncs: readers hold the published file, writers never open it.

Each scenario runs `wandb-warehouse` as cron would, in its own process, against the fake
W&B server, with real readers held open on the published file: a read-only DuckDB
connection in this process and the pinned DuckDB CLI in another.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import cli_env, isolated_env, run_cli
from dbt_builds import build_and_publish, load_raw
from fake_wandb import FakeArtifact, FakeRun, FakeWandb
from test_extract import populate

from extract.sample.files import load_order
from extract.warehouse.build import run_build
from extract.warehouse.files import Warehouse

CLI = Path(sys.executable).parent / "duckdb"
RUNS = "select count(*) from marts.runs"


class ShellReader:
    """The pinned DuckDB CLI, read-only on a file and left open, answering queries."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [str(CLI), "-readonly", "-csv", "-noheader", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, sql: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(sql.rstrip(";") + ";\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def readers() -> Iterator[list]:
    opened: list = []
    yield opened
    for reader in opened:
        reader.close()


def _sync(db: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["sync", "lab/p", "--db", str(db), *args], env, timeout=300)


def _count(db: Path, sql: str = RUNS) -> int:
    """`sql`'s one number on a new connection, in a new process (DuckDB hands a process
    that still holds a file the instance it already opened)."""
    result = subprocess.run(
        [str(CLI), "-readonly", "-csv", "-noheader", str(db), "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip())


def _builds(db: Path) -> int:
    with duckdb.connect(str(Warehouse(db).build_db), read_only=True) as con:
        return con.execute("select count(*) from meta.builds").fetchone()[0]


def test_sync_and_dbt_build_publish_while_readers_hold_the_file(
    fake: FakeWandb, tmp_path: Path, db: Path, readers: list
) -> None:
    env = isolated_env(tmp_path, fake)
    populate(fake, 5)
    first = _sync(db, env)
    assert first.returncode == 0, first.stderr
    assert "dbt build: first build" in first.stdout
    assert f"published {db}" in first.stdout

    held = duckdb.connect(str(db), read_only=True)
    readers.append(held)
    shell = ShellReader(db)
    readers.append(shell)
    assert held.execute(RUNS).fetchone() == (5,)
    assert shell.ask(RUNS) == "5"

    populate(fake, 8)  # three new runs upstream
    second = _sync(db, env)
    assert second.returncode == 0, second.stderr
    assert "new raw row(s) since the last build" in second.stdout
    # The held readers keep the state they opened, raw layer included; a new one sees
    # the new state.
    assert held.execute(RUNS).fetchone() == (5,)
    assert held.execute("select count(distinct run_id) from raw.wandb_runs").fetchone() == (5,)
    assert shell.ask(RUNS) == "5"
    assert _count(db) == 8, second.stdout
    assert _count(db, "select count(distinct run_id) from raw.wandb_runs") == 8

    # Nothing changed upstream or in the project: no dbt build, nothing republished.
    state = os.stat(db)
    builds = _builds(db)
    quiet = _sync(db, env)
    assert quiet.returncode == 0, quiet.stderr
    assert "no dbt build" in quiet.stdout and "nothing to publish" in quiet.stdout
    assert _builds(db) == builds
    assert os.path.samestat(os.stat(db), state)

    # A plain `dbt build` typed by hand works while they are open too; `publish` shows it.
    export = tmp_path / "more.jsonl"
    export.write_text(
        '{"entity": "lab", "project": "p", "name": "extra", "state": "finished", '
        '"createdAt": "2025-01-01T00:10:00", "tags": [], '
        '"fetched_at": "2025-09-10T00:00:00Z", "config": {}, "summaryMetrics": {}}\n'
    )
    load_raw(db, [export], partial=True)
    build = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *("build", "--quiet", "--target-path", str(tmp_path / "target")),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "WANDB_WAREHOUSE_DB": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-2000:]
    extra = "select count(*) from staging.stg_wandb__run_fetches where run_id = 'extra'"
    assert _count(db, extra) == 0  # built, not published yet
    published = run_cli(["publish", "--db", str(db)], env)
    assert published.returncode == 0, published.stderr
    assert _count(db, extra) == 1
    assert held.execute(RUNS).fetchone() == (5,) and shell.ask(RUNS) == "5"


def test_failed_syncs_publish_nothing(fake: FakeWandb, tmp_path: Path, db: Path) -> None:
    env = isolated_env(tmp_path, fake)
    populate(fake, 4)
    fake.run("lab", "p", "r0001").logged_artifacts = [FakeArtifact("model", 0, type="model")]
    # A whole entity with artifacts, synced twice: the second sync lists the projects,
    # the runs and the sweeps again, and reads no artifact, so it builds nothing.
    entity = ["sync", "lab", "--artifacts", "--db", str(db)]
    assert run_cli(entity, env, timeout=300).returncode == 0
    again = run_cli(entity, env, timeout=300)
    assert again.returncode == 0 and "no dbt build" in again.stdout, again.stdout
    state = os.stat(db)

    fake.run("lab", "p", "r0000").tags = ["changed"]
    fake.fail(500, times=None, operation="Runs")
    failed = _sync(db, env)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1].startswith("wandb-warehouse: error: ")
    assert "Traceback" not in failed.stderr
    assert os.path.samestat(os.stat(db), state)
    fake.clear_faults()

    # A state no W&B run has fails the build's error-severity test on states.
    fake.add_run("lab", "p", FakeRun("odd", state="exploded"))
    broken = _sync(db, env, "--quiet")
    assert broken.returncode == 1
    last = broken.stderr.strip().splitlines()[-1]
    assert last.startswith("wandb-warehouse: error: `dbt build") and f"{db} is unchanged" in last
    assert "Traceback" not in broken.stderr
    assert os.path.samestat(os.stat(db), state)
    assert _count(db) == 4
    refused = run_cli(["publish", "--db", str(db)], env)
    assert refused.returncode == 1
    assert "not published" in refused.stderr and "failed (accepted_values" in refused.stderr


def _start_sync(db: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "sync", "lab/p", "--db", str(db), *args],
        cwd=Path(__file__).resolve().parents[2],
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_sync_waits_for_the_first(fake: FakeWandb, tmp_path: Path, db: Path) -> None:
    env = isolated_env(tmp_path, fake)
    populate(fake, 3)
    fake.hold_after("Runs", served=0)  # the first sync's listing hangs: it holds the warehouse
    first = _start_sync(db, env, "--quiet")
    patient = None
    try:
        assert fake.held.wait(timeout=120)
        impatient = _sync(db, env, "--wait", "1")
        assert impatient.returncode == 1
        waiting, error = impatient.stderr.strip().splitlines()
        assert waiting.startswith("waiting up to 1 s for the warehouse's other writer")
        assert f"PID {first.pid} (`wandb-warehouse sync lab/p --db {db} --quiet`" in error
        assert "still running after 1 s" in error
        # A second extract says the same: whom it waited for, not "a DuckDB shell?".
        extract = run_cli(["extract", "lab/p", "--db", str(db), "--wait", "1"], env)
        assert extract.returncode == 1
        assert f"PID {first.pid} (`wandb-warehouse sync lab/p" in extract.stderr
        patient = _start_sync(db, env, "--wait", "300")
        assert patient.stderr is not None
        announced = patient.stderr.readline()
        assert announced.startswith("waiting up to 300 s") and f"PID {first.pid}" in announced
        fake.release()
        _, first_err = first.communicate(timeout=300)
        assert first.returncode == 0, first_err
        out, err = patient.communicate(timeout=300)
        assert patient.returncode == 0, err
        assert "no dbt build" in out  # the first one built everything
    finally:
        fake.release()
        for process in (first, patient):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert _count(db) == 3


def test_sigkill_during_publish_leaves_the_old_or_the_new_state(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    files = load_order()
    load_raw(db, files[:2])
    build_and_publish(db)
    old = _published_build(db)
    load_raw(db, files[2:])
    warehouse = Warehouse(db)
    run_build(warehouse, quiet=True)
    with duckdb.connect(str(warehouse.build_db)) as con:
        (new,) = con.execute(
            "select invocation_id from meta.builds order by started_at desc limit 1"
        ).fetchone()
        # A larger working file, so that its copy takes long enough to be interrupted.
        con.execute(
            "create table main.ballast as select range as n, md5(range::varchar) as h "
            "from range(3000000)"
        )
    # Kill the publish at once, then ever later after its copy of the working file began:
    # every time, FILE shows one whole state; a publish left to finish shows the new one.
    seen = set()
    for delay in (None, 0.0, 0.05, 0.2, 0.8):
        process = subprocess.Popen(
            [sys.executable, "-m", "extract.cli", "publish", "--db", str(db)],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if delay is not None:
            deadline = time.monotonic() + 120
            while not any(warehouse.states.glob(".*.tmp")) and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.002)
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        build = _published_build(db)
        assert build in (old, new)
        seen.add(build)
        if build == new:
            break
    assert old in seen  # killed before it could publish
    finished = subprocess.run(
        [sys.executable, "-m", "extract.cli", "publish", "--db", str(db)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert _published_build(db) == new


def _published_build(db: Path) -> str:
    """The build FILE shows, after checking that it is whole: its raw views hold exactly
    the loads its build read, and its marts answer."""
    with duckdb.connect(str(db), read_only=True) as con:
        (build,) = con.execute("select build_invocation_id from meta.published").fetchone()
        built = con.execute(
            "select id from meta.build_loads where ledger = 'load_id' order by 1"
        ).fetchall()
        shown = con.execute("select distinct load_id from raw.wandb_loads order by 1").fetchall()
        assert built == shown
        assert con.execute(RUNS).fetchone()[0] > 0
    return build
