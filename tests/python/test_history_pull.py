"""History pulls through the real wandb SDK (and its wandb-core sidecar) against the fake
W&B server over loopback HTTP: first pull, incremental pull, NaN, failure midway, and a
100,000-row run in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fake_wandb import FakeRun, FakeWandb
from fake_wandb_history import HistoryBackend, SyntheticHistory, install_history

from extract.cli import main
from extract.sync.history_plan import HistoryTarget, StoredHistory, history_targets
from extract.sync.history_pull import page_of
from extract.warehouse.files import Warehouse
from extract.warehouse.history import split_row

ENTITY, PROJECT = "lab", "hist"
PATH = f"{ENTITY}/{PROJECT}"


@pytest.fixture(scope="module")
def history_server() -> Iterator[tuple[FakeWandb, HistoryBackend]]:
    with FakeWandb() as fake:
        yield fake, install_history(fake)


@pytest.fixture
def backend(
    history_server: tuple[FakeWandb, HistoryBackend],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> HistoryBackend:
    """An empty workspace on the module's fake, and an environment that sees only it."""
    fake, history = history_server
    with fake.lock:
        fake.projects.clear()
        fake.clear_faults()
        fake.latency = 0.0
        fake.max_concurrent = None
    fake.reset_counters()
    history.runs.clear()
    history.fail_from_step.clear()
    home = tmp_path / "home"
    home.mkdir()
    netrc = tmp_path / "netrc"
    netrc.touch()
    netrc.chmod(0o600)
    for name in [n for n in os.environ if n.startswith("WANDB_")]:
        monkeypatch.delenv(name)
    env = {
        **fake.env(),
        "NETRC": str(netrc),
        "WANDB_CONFIG_DIR": str(home / "config"),
        "WANDB_DIR": str(home),
        "WANDB_SILENT": "true",
        "WANDB_WAREHOUSE_MAX_RETRIES": "1",
        "WANDB_WAREHOUSE_RETRY_WAIT": "1",
        "WANDB_WAREHOUSE_REQUEST_TIMEOUT": "10",
        "WANDB_WAREHOUSE_TIMEOUT": "60",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return history


def add(backend: HistoryBackend, run_id: str, history: SyntheticHistory, **fields) -> None:  # type: ignore[no-untyped-def]
    backend.add_run(ENTITY, PROJECT, history, FakeRun(run_id, state="running", **fields))


def extract(db: Path, capsys: pytest.CaptureFixture[str], expect: int = 0) -> str:
    code = main(["extract", PATH, "--history", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == expect, err
    return out if expect == 0 else err


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def stored_steps(db: Path, run_id: str) -> list[int]:
    rows = query(db, "select step from raw.wandb_history where run_id = ? order by step", [run_id])
    return [step for (step,) in rows]


def test_history_targets_reads_only_runs_that_grew() -> None:
    stored = {"a": StoredHistory(rows=10, last_step=9), "b": StoredHistory(rows=5, last_step=40)}
    listed = [("a", 10), ("b", 7), ("c", 3), ("d", 0), ("e", None)]
    assert history_targets("e", "p", listed, stored) == [
        HistoryTarget("e", "p", "b", 41, 7),
        HistoryTarget("e", "p", "c", 0, 3),
    ]


def test_split_row_keeps_metrics_verbatim() -> None:
    step, timestamp, runtime, metrics = split_row(
        {"_step": 3, "_timestamp": 1.5, "_runtime": 2, "loss": float("nan"), "acc": 1}
    )
    assert (step, timestamp, runtime) == (3, 1.5, 2.0)
    assert metrics == '{"loss": NaN, "acc": 1}'
    with pytest.raises(ValueError):
        split_row({"loss": 1.0})


def test_page_of_matches_scan_history_paging() -> None:
    assert [page_of(step, 100, 50) for step in (100, 149, 150, 260)] == [0, 0, 1, 3]


def test_first_pull_reads_every_row(backend, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "1000")
    add(backend, "r1", SyntheticHistory(steps=2_500))
    add(backend, "r2", SyntheticHistory(steps=10, metrics=1))
    backend.fake.add_run(ENTITY, PROJECT, FakeRun("r3", history_line_count=0))
    db = tmp_path / "w.duckdb"

    out = extract(db, capsys)

    assert "lab/hist history: runs grown 2, read 2, rows 2510" in out
    assert stored_steps(db, "r1") == list(range(2_500))
    assert stored_steps(db, "r3") == []
    assert backend.page_starts("r1") == [0, 1_000, 2_000]
    assert backend.fake.served["HistoryPage"] == 3 + 1
    row = query(
        db,
        """
        select logged_at, runtime, metrics ->> '$.metric_2', json_keys(metrics)
        from raw.wandb_history where run_id = 'r1' and step = 2
        """,
    )[0]
    assert row[0].timestamp() == pytest.approx(1_757_000_003.0)
    assert row[1] == pytest.approx(3.0)
    assert float(row[2]) == pytest.approx(1 / 5, abs=1e-6)
    assert sorted(row[3]) == ["metric_0", "metric_1", "metric_2"]  # Go maps: any order
    ledger = query(
        db,
        """
        select mode, status, listing_complete, listed, heavy_fetched, requests
        from raw.wandb_loads
        where load_id in (select load_id from raw.wandb_history)
        """,
    )
    assert ledger == [("incremental", "ok", False, 2, 2, 2 * 2 + 3 + 1)]


def test_incremental_pull_reads_only_new_steps(backend, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "500")
    add(backend, "r1", SyntheticHistory(steps=1_200))
    add(backend, "r2", SyntheticHistory(steps=30))
    db = tmp_path / "w.duckdb"
    extract(db, capsys)
    backend.fake.reset_counters()

    backend.grow(ENTITY, PROJECT, "r1", 150)
    out = extract(db, capsys)

    assert "runs grown 1, read 1, rows 150" in out
    assert backend.page_starts("r1") == [1_200]
    assert backend.page_starts("r2") == []
    assert backend.fake.received["RunHistoryKeys"] == 1
    assert stored_steps(db, "r1") == list(range(1_350))
    assert query(db, "select count(distinct load_id) from raw.wandb_history") == [(2,)]

    backend.fake.reset_counters()
    out = extract(db, capsys)
    assert "runs grown 0, read 0, rows 0" in out
    assert backend.fake.received["HistoryPage"] == 0


def test_nan_and_infinity_survive(backend, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    add(backend, "r1", SyntheticHistory(steps=20, nan_every=5))
    db = tmp_path / "w.duckdb"
    extract(db, capsys)
    rows = query(
        db,
        """
        select step, metrics ->> '$.metric_0', metrics ->> '$.metric_1'
        from raw.wandb_history where step in (4, 5) order by step
        """,
    )
    assert rows[0][0] == 4 and rows[0][1] not in ("NaN", None)
    assert rows[1] == (5, "NaN", "Infinity")


def test_exported_parquet_history_is_downloaded_and_joined_to_live_rows(
    backend, tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "200")
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "cache"))
    add(backend, "r1", SyntheticHistory(steps=1_000, nan_every=50, exported_steps=600))
    db = tmp_path / "w.duckdb"

    out = extract(db, capsys)

    assert "rows 1000" in out
    assert stored_steps(db, "r1") == list(range(1_000))
    downloads = [path for path in backend.fake.received if path.startswith("</files/")]
    assert len(downloads) == 1
    # Pages below the first live step come from the file; the rest from HistoryPage.
    assert backend.page_starts("r1") == [600, 800]
    rows = query(
        db,
        """
        select step, metrics ->> '$.metric_0', metrics ->> '$.metric_1', runtime
        from raw.wandb_history where step in (50, 650) order by step
        """,
    )
    assert rows == [(50, "NaN", "Infinity", 75.0), (650, "NaN", "Infinity", 975.0)]


def test_transient_server_errors_are_retried(backend, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    add(backend, "r1", SyntheticHistory(steps=50))
    backend.fake.fail(500, times=1, operation="HistoryPage")
    db = tmp_path / "w.duckdb"
    extract(db, capsys)
    assert stored_steps(db, "r1") == list(range(50))
    assert backend.fake.received["HistoryPage"] == 2


def test_failure_midway_keeps_rows_and_resumes(backend, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "200")
    # One run at a time: the run after the broken one is not started.
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "1")
    add(backend, "a_ok", SyntheticHistory(steps=50))
    add(backend, "b_breaks", SyntheticHistory(steps=1_000))
    add(backend, "c_later", SyntheticHistory(steps=10))
    backend.fail_from_step["b_breaks"] = 600
    db = tmp_path / "w.duckdb"

    err = extract(db, capsys, expect=1)

    (line,) = err.strip().splitlines()
    assert line.startswith("wandb-warehouse: error: ")
    assert "history of lab/hist/b_breaks" in line
    assert "internal error reading history" in line
    assert "600 new history rows of b_breaks were stored" in line
    assert stored_steps(db, "a_ok") == list(range(50))
    assert stored_steps(db, "b_breaks") == list(range(600))
    status, error = query(
        db,
        """
        select status, error from raw.wandb_loads
        where load_id in (select load_id from raw.wandb_history)
        """,
    )[0]
    assert status == "failed" and "b_breaks" in error

    backend.fail_from_step.clear()
    backend.fake.reset_counters()
    out = extract(db, capsys)
    assert "runs grown 2, read 2, rows 410" in out
    assert backend.page_starts("b_breaks")[0] == 600
    assert stored_steps(db, "b_breaks") == list(range(1_000))
    assert stored_steps(db, "c_later") == list(range(10))
    assert query(
        db,
        "select count(*) - count(distinct (run_id, step)) from raw.wandb_history",
    ) == [(0,)]


def test_failure_beside_concurrent_runs_keeps_their_rows_and_resumes(
    backend, tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "200")
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "4")
    for i in range(6):
        add(backend, f"r{i}", SyntheticHistory(steps=300 + 100 * i))
    backend.fail_from_step["r2"] = 400
    backend.fake.latency = 0.05
    db = tmp_path / "w.duckdb"

    err = extract(db, capsys, expect=1)

    (line,) = err.strip().splitlines()
    assert "history of lab/hist/r2" in line and "400 new history rows of r2" in line
    assert stored_steps(db, "r2") == list(range(400))
    complete = 0
    for i in range(6):  # every run's stored rows are a prefix of its steps
        steps = stored_steps(db, f"r{i}")
        assert steps == list(range(len(steps)))
        complete += len(steps) == 300 + 100 * i
    assert complete >= 2  # r0 and r1 were read beside r2

    backend.fail_from_step.clear()
    out = extract(db, capsys)
    assert f"runs grown {6 - complete}, read {6 - complete}" in out
    for i in range(6):
        assert stored_steps(db, f"r{i}") == list(range(300 + 100 * i))


def test_429s_and_500s_under_concurrency_lose_no_row_and_store_none_twice(
    backend, tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE", "500")
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "4")
    for i in range(5):
        add(backend, f"r{i}", SyntheticHistory(steps=2_500))
    fake = backend.fake
    fake.latency = 0.02

    def page(run_id: str, min_step: int):  # type: ignore[no-untyped-def]
        return lambda r: r.variables.get("run") == run_id and r.variables["minStep"] == min_step

    # r1's third page gets 429 twice: wandb-core's one retry (the tests' MAX_RETRIES) is
    # used up, the pool reads r1 on from step 1000 with fewer runs at once.
    fake.fail(429, times=2, operation="HistoryPage", match=page("r1", 1_000), retry_after=0.1)
    fake.fail(500, times=1, operation="HistoryPage", match=page("r3", 500))
    fake.fail(429, times=1, operation="RunHistoryKeys", retry_after=0.1)
    db = tmp_path / "w.duckdb"

    out = extract(db, capsys)

    assert "runs grown 5, read 5, rows 12500" in out
    assert "1 calls kept getting HTTP 429: retried with fewer at once, down to 2 of 4" in out
    for i in range(5):
        assert stored_steps(db, f"r{i}") == list(range(2_500))
    assert backend.page_starts("r1") == [0, 500, 1_000, 1_000, 1_000, 1_500, 2_000]
    assert query(db, "select count(distinct load_id) from raw.wandb_history") == [(1,)]


def test_a_server_that_allows_two_requests_at_once_still_reads_every_run(
    backend, tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "4")
    for i in range(8):
        add(backend, f"r{i}", SyntheticHistory(steps=1_500))
    fake = backend.fake
    fake.latency = 0.3
    fake.max_concurrent = 2
    fake.retry_after = 0.05
    db = tmp_path / "w.duckdb"

    out = extract(db, capsys)

    assert "runs grown 8, read 8, rows 12000" in out
    for i in range(8):
        assert stored_steps(db, f"r{i}") == list(range(1_500))
    assert fake.peak_active <= 2 and sum(fake.rejected.values()) > 0


MEMORY_PROBE = textwrap.dedent(
    """
    import json, resource, sys, tracemalloc
    from pathlib import Path
    from extract.sync.history_pull import pull_history
    from extract.warehouse.ledger import new_id, start_load
    from extract.wandb_api.client import WandbClient
    from extract.wandb_api.config import ClientConfig
    from extract.warehouse.database import open_raw
    from extract.warehouse.files import Warehouse

    db, entity, project = sys.argv[1], sys.argv[2], sys.argv[3]
    con = open_raw(Warehouse(Path(db)))
    client = WandbClient(ClientConfig.from_env())
    client.connect()

    def pull(run_id, lines):
        load_id = start_load(con, invocation_id=new_id(), entity=entity, project=project,
                             mode="incremental", source="fake")
        return pull_history(con, client, entity, project, load_id, listed=[(run_id, lines)],
                            page_size=2000, batch_rows=10000)

    pull("warmup", 5000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    counts = pull("long", 100000)
    _, python_peak = tracemalloc.get_traced_memory()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": counts.rows, "growth_kib": after - before,
                      "python_peak_kib": python_peak // 1024}))
    """
)


def test_100k_row_run_in_bounded_memory(backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add(backend, "warmup", SyntheticHistory(steps=5_000, metrics=10))
    add(backend, "long", SyntheticHistory(steps=100_000, metrics=10))
    db = tmp_path / "m.duckdb"
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(db), ENTITY, PROJECT],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["rows"] == 100_000
    # Holding the run's rows as Python objects would take about 100 MiB; the writer's
    # buffer (one batch of rows plus a page) takes a few. RSS also carries DuckDB's own
    # checkpoint memory (tens of MiB, native), hence its looser bound.
    assert report["python_peak_kib"] < 24 * 1024, report
    assert report["growth_kib"] < 128 * 1024, report
    assert query(
        db, "select count(distinct step), max(step) from raw.wandb_history where run_id = 'long'"
    ) == [(100_000, 99_999)]
