"""History pulls through the real wandb SDK (and its wandb-core sidecar) against the fake
W&B server over loopback HTTP: first pull, incremental pull, NaN, failure midway, and a
100,000-row run in bounded memory."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fake_wandb_history import HistoryBackend, SyntheticHistory
from history_fake_server import FakeHistoryServer

from extract.history import HistoryTarget, StoredHistory, history_targets, split_row
from extract.history_pull import HistoryPullError, page_of, pull_history
from extract.ledger import new_id
from extract.load import load_file
from extract.warehouse import connect, ensure_raw_schema

ENTITY, PROJECT = "lab", "hist"
FAKE_KEY = "x" * 40


@pytest.fixture(scope="module")
def server() -> Iterator[FakeHistoryServer]:
    fake = FakeHistoryServer().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def api(server: FakeHistoryServer):  # type: ignore[no-untyped-def]
    os.environ["WANDB_BASE_URL"] = server.url
    os.environ["WANDB_API_KEY"] = FAKE_KEY
    os.environ["WANDB_SILENT"] = "true"
    os.environ["WANDB__GRAPHQL_RETRY_MAX"] = "1"
    os.environ["WANDB__GRAPHQL_RETRY_WAIT_MAX_SECONDS"] = "0.2"
    import wandb

    return wandb.Api(api_key=FAKE_KEY, timeout=30, overrides={"base_url": server.url})


@pytest.fixture
def backend(server: FakeHistoryServer) -> Iterator[HistoryBackend]:
    server.backend.runs.clear()
    server.backend.fail_from_step.clear()
    server.backend.calls.clear()
    yield server.backend


def write_listing(path: Path, line_counts: dict[str, int]) -> Path:
    """A runs file (light records) as the run sync would have stored them."""
    with gzip.open(path, "wt") as handle:
        for run_id, count in line_counts.items():
            record = {
                "entity": ENTITY,
                "project": PROJECT,
                "name": run_id,
                "state": "running",
                "historyLineCount": count,
            }
            handle.write(json.dumps(record) + "\n")
    return path


def sync(
    con: duckdb.DuckDBPyConnection,
    api,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    line_counts: dict[str, int],
    **kwargs,  # type: ignore[no-untyped-def]
):  # type: ignore[no-untyped-def]
    listing = write_listing(tmp_path / f"runs-{new_id()}.jsonl.gz", line_counts)
    (project_load,) = load_file(con, listing)
    return pull_history(con, api, ENTITY, PROJECT, project_load.load_id, **kwargs)


def stored_steps(con: duckdb.DuckDBPyConnection, run_id: str) -> list[int]:
    rows = con.execute(
        "select step from raw.wandb_history where run_id = ? order by step", [run_id]
    ).fetchall()
    return [step for (step,) in rows]


def page_starts(backend: HistoryBackend, run_id: str) -> list[int]:
    return [
        int(variables["minStep"])
        for name, variables in backend.calls
        if name == "HistoryPage" and variables["run"] == run_id
    ]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(connection)
    yield connection
    connection.close()


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


def test_first_pull_reads_every_row(con, api, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend.runs[(ENTITY, PROJECT, "r1")] = SyntheticHistory(steps=2_500)
    backend.runs[(ENTITY, PROJECT, "r2")] = SyntheticHistory(steps=10, metrics=1)
    counts = sync(con, api, tmp_path, {"r1": 2_500, "r2": 10, "r3": 0}, page_size=1_000)

    assert counts.rows == 2_510
    assert counts.per_run == {"r1": 2_500, "r2": 10}
    assert stored_steps(con, "r1") == list(range(2_500))
    assert page_starts(backend, "r1") == [0, 1_000, 2_000]
    row = con.execute(
        """
        select logged_at, runtime, metrics ->> '$.metric_2', json_keys(metrics)
        from raw.wandb_history where run_id = 'r1' and step = 2
        """
    ).fetchone()
    assert row[0].timestamp() == pytest.approx(1_757_000_003.0)
    assert row[1] == pytest.approx(3.0)
    assert float(row[2]) == pytest.approx(1 / 5, abs=1e-6)
    assert row[3] == ["metric_0", "metric_1", "metric_2"]


def test_incremental_pull_reads_only_new_steps(con, api, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend.runs[(ENTITY, PROJECT, "r1")] = SyntheticHistory(steps=1_200)
    backend.runs[(ENTITY, PROJECT, "r2")] = SyntheticHistory(steps=30)
    sync(con, api, tmp_path, {"r1": 1_200, "r2": 30}, page_size=500)
    backend.calls.clear()

    backend.runs[(ENTITY, PROJECT, "r1")].steps = 1_350  # r1 logged 150 more steps
    counts = sync(con, api, tmp_path, {"r1": 1_350, "r2": 30}, page_size=500)

    assert counts.per_run == {"r1": 150}
    assert page_starts(backend, "r1") == [1_200]
    assert page_starts(backend, "r2") == []
    assert stored_steps(con, "r1") == list(range(1_350))
    (loads,) = con.execute("select count(distinct load_id) from raw.wandb_history").fetchone()
    assert loads == 2


def test_nan_and_infinity_survive(con, api, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend.runs[(ENTITY, PROJECT, "r1")] = SyntheticHistory(steps=20, nan_every=5)
    sync(con, api, tmp_path, {"r1": 20})
    rows = con.execute(
        """
        select step, metrics ->> '$.metric_0', metrics ->> '$.metric_1'
        from raw.wandb_history where step in (4, 5) order by step
        """
    ).fetchall()
    assert rows[0][0] == 4 and rows[0][1] not in ("NaN", None)
    assert rows[1] == (5, "NaN", "Infinity")


def test_failure_midway_keeps_rows_and_resumes(con, api, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend.runs[(ENTITY, PROJECT, "a_ok")] = SyntheticHistory(steps=50)
    backend.runs[(ENTITY, PROJECT, "b_breaks")] = SyntheticHistory(steps=1_000)
    backend.fail_from_step["b_breaks"] = 600

    with pytest.raises(HistoryPullError) as failure:
        sync(con, api, tmp_path, {"a_ok": 50, "b_breaks": 1_000}, page_size=200, batch_rows=1)
    message = str(failure.value)
    assert "lab/hist/b_breaks" in message and "\n" not in message
    assert "600 new rows were stored" in message
    assert stored_steps(con, "a_ok") == list(range(50))
    assert stored_steps(con, "b_breaks") == list(range(600))

    backend.fail_from_step.clear()
    backend.calls.clear()
    counts = sync(con, api, tmp_path, {"a_ok": 50, "b_breaks": 1_000}, page_size=200)
    assert counts.per_run == {"b_breaks": 400}
    assert page_starts(backend, "b_breaks")[0] == 600
    assert stored_steps(con, "b_breaks") == list(range(1_000))


MEMORY_PROBE = textwrap.dedent(
    """
    import json, resource, sys
    import wandb
    from extract.history_pull import pull_history
    from extract.ledger import new_id, start_load
    from extract.warehouse import connect, ensure_raw_schema

    db, entity, project = sys.argv[1], sys.argv[2], sys.argv[3]
    con = connect(__import__("pathlib").Path(db))
    ensure_raw_schema(con)
    api = wandb.Api(timeout=60)

    def pull(run_id, lines):
        load_id = start_load(con, invocation_id=new_id(), entity=entity, project=project,
                             mode="incremental", source="fake")
        return pull_history(con, api, entity, project, load_id, listed=[(run_id, lines)],
                            page_size=2000, batch_rows=10000)

    pull("warmup", 5000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = pull("long", 100000)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": counts.rows, "growth_kib": after - before}))
    """
)


def test_100k_row_run_in_bounded_memory(backend, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend.runs[(ENTITY, PROJECT, "warmup")] = SyntheticHistory(steps=5_000, metrics=10)
    backend.runs[(ENTITY, PROJECT, "long")] = SyntheticHistory(steps=100_000, metrics=10)
    env = {
        **os.environ,
        "WANDB_BASE_URL": server.url,
        "WANDB_API_KEY": FAKE_KEY,
        "WANDB_SILENT": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(tmp_path / "m.duckdb"), ENTITY, PROJECT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["rows"] == 100_000
    # Holding the run's rows would take well over 100 MiB; a page-sized buffer a few MiB.
    assert report["growth_kib"] < 64 * 1024, report
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    assert con.execute(
        "select count(distinct step), max(step) from raw.wandb_history where run_id = 'long'"
    ).fetchone() == (100_000, 99_999)
    con.close()
