"""`extract` with concurrent heavy fetches (WANDB_WAREHOUSE_CONCURRENCY) against the fake
server through the real SDK: faults, 429s, a server that allows two requests at once."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest
from fake_wandb import FakeRun, FakeWandb, Request

from extract.cli import main
from extract.warehouse.files import Warehouse

PAGE = 100


@pytest.fixture
def sync(wandb_env, db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", str(PAGE))

    def run(*args: str, expect: int = 0) -> str:
        code = main(["extract", *args, "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == expect, err
        return out if expect == 0 else err

    return run


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def populate(fake: FakeWandb, count: int) -> None:
    for i in range(count):
        fake.add_run(
            "lab",
            "p",
            FakeRun(
                f"r{i:04d}",
                created_at=f"2025-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
                history_line_count=100 + i,
                config={"seed": i},
                summary={"loss": 1 / (i + 1)},
            ),
        )


def heavy(request: Request) -> bool:
    """A heavy fetch (`Runs` with config and summary), not a listing page."""
    return "summaryMetrics" in request.query


def versions(db: Path) -> tuple[int, int, int]:
    """(full rows, distinct runs with a full row, runs stored more than once)."""
    return query(
        db,
        """
        select count(*), count(distinct run_id),
            (select count(*) from (
                select run_id from raw.wandb_runs group by run_id having count(*) > 1))
        from raw.wandb_runs where fetch_kind = 'full'
        """,
    )[0]


def test_500s_and_429s_on_concurrent_batches_lose_nothing_and_store_each_run_once(
    fake: FakeWandb, sync, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_MAX_RETRIES", "6")  # more than the faults below
    populate(fake, 600)
    fake.latency = 0.1
    fake.fail(500, times=3, operation="Runs", match=heavy)
    fake.fail(429, times=3, operation="Runs", match=heavy, retry_after=0.5)

    out = sync("lab/p")

    assert "listed 600, new 600, changed 0, deleted 0, heavy-fetched 600" in out
    assert versions(db) == (600, 600, 0)
    assert fake.full_runs_requests() == 6 + 6  # six batches, six of them answered twice
    assert fake.served["Runs"] == 6 + 6
    assert 2 <= fake.peak_active <= 4
    (status,) = query(db, "select status from raw.wandb_loads")[0]
    assert status == "ok"


def test_a_batch_failing_for_good_ends_the_sync_and_keeps_the_other_batches(
    fake: FakeWandb, sync, db: Path
) -> None:
    populate(fake, 600)
    fake.latency = 0.05
    fake.fail(500, times=None, operation="Runs", match=lambda r: "r0350" in json.dumps(r.variables))

    err = sync("lab/p", expect=1)

    (line,) = err.strip().splitlines()
    assert line.startswith("wandb-warehouse: error: ") and "kept failing" in line
    full, distinct, twice = versions(db)
    assert full == distinct and twice == 0
    assert full % 100 == 0 and full <= 500  # whole batches only, never r0300-r0399
    assert query(db, "select count(*) from raw.wandb_runs where run_id = 'r0350'") == [(0,)]
    status, error, heavy_fetched = query(
        db, "select status, error, heavy_fetched from raw.wandb_loads"
    )[0]
    assert status == "failed" and "kept failing" in error and heavy_fetched == full

    fake.clear_faults()
    fake.reset_counters()
    out = sync("lab/p")
    assert f"new {600 - full}, changed 0, deleted 0, heavy-fetched {600 - full}" in out
    assert fake.full_runs_requests() == math.ceil((600 - full) / 100)
    assert versions(db) == (600, 600, 0)


def test_a_server_that_allows_two_requests_at_once_still_completes(
    fake: FakeWandb, sync, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", "1000")  # one listing page
    populate(fake, 400)
    # Four batches start at once; two get 429 and are retried (once, the test
    # environment's WANDB_WAREHOUSE_MAX_RETRIES) while the other two are still served,
    # so they get 429 again: the pool halves its limit and sends them later.
    fake.latency = 1.0
    fake.max_concurrent = 2
    fake.retry_after = 0.1

    out = sync("lab/p")

    assert "listed 400, new 400, changed 0, deleted 0, heavy-fetched 400" in out
    assert "calls kept getting HTTP 429: retried with fewer at once, down to 2 of 4" in out
    assert versions(db) == (400, 400, 0)
    assert fake.rejected["Runs"] >= 4
    assert fake.peak_active <= 2
    assert fake.served["Runs"] == 1 + 4


@pytest.mark.parametrize("concurrency", ["1", "8"])
def test_request_counts_do_not_depend_on_concurrency(
    fake: FakeWandb, sync, db: Path, monkeypatch: pytest.MonkeyPatch, concurrency: str
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", concurrency)
    populate(fake, 1000)
    fake.latency = 0.1
    sync("lab/p")
    assert fake.light_runs_requests() == 10 and fake.full_runs_requests() == 10
    kinds = [heavy(r) for r in fake.log if r.operation == "Runs"]
    if concurrency == "1":  # as before: the whole listing, then the batches
        assert fake.peak_active == 1
        assert kinds == [False] * 10 + [True] * 10
    else:  # each page's batch is fetched while the next pages are listed
        assert fake.peak_active >= 2
        assert kinds.index(True) < 9  # a batch went out before the last listing page

    fake.reset_counters()
    sync("lab/p")  # no change: ceil(N / page) requests
    assert fake.received["Runs"] == 10 and fake.full_runs_requests() == 0

    for i in range(0, 1000, 100):  # 1% changed: one more request
        fake.run("lab", "p", f"r{i:04d}").heartbeat_at = "2025-02-01T00:00:00"
    fake.reset_counters()
    out = sync("lab/p")
    assert "changed 10, deleted 0, heavy-fetched 10" in out
    assert fake.received["Runs"] == 10 + 1


@pytest.mark.parametrize("value", ["0", "11", "four"])
def test_concurrency_out_of_range_is_a_user_error(
    fake: FakeWandb, sync, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", value)
    err = sync("lab/p", expect=1)
    (line,) = err.strip().splitlines()
    assert line.startswith("wandb-warehouse: error: WANDB_WAREHOUSE_CONCURRENCY")
