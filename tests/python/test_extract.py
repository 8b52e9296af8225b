"""`wandb-warehouse extract` in-process against the fake server, through the real SDK."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from dbt_builds import write_legacy_warehouse
from fake_wandb import DEFAULT_KEY, FakeRun, FakeWandb, GraphQLError, Request

from extract.cli import main
from extract.warehouse.files import Warehouse

PAGE = 100  # listing page size in these tests (WANDB_WAREHOUSE_PAGE_SIZE)


@pytest.fixture
def sync(wandb_env, db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", str(PAGE))

    def run(*args: str, expect: int = 0) -> str:
        """Stdout of a successful sync, stderr of a failed one."""
        code = main(["extract", *args, "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == expect, err
        return out if expect == 0 else err

    return run


def query(db: Path, sql: str, params: list | dict | None = None) -> list[tuple]:
    """Rows of `sql` on warehouse `db`'s raw layer (where extract writes)."""
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# The run sync of a project is its first load of an `extract` (sweeps come after it).
LATEST_RUN_SYNC = """
    select {columns}
    from raw.wandb_loads
    where project = $project and invocation_id = (
        select invocation_id from raw.wandb_loads where project = $project
        order by started_at desc limit 1
    )
    order by started_at
    limit 1
"""


def last_load(db: Path, project: str = "p") -> dict:
    columns = "mode, status, listing_complete, listed, new, changed, deleted, heavy_fetched"
    row = query(
        db,
        LATEST_RUN_SYNC.format(columns=f"{columns}, requests"),
        {"project": project},
    )[0]
    return dict(zip([*columns.split(", "), "requests"], row, strict=True))


def populate(fake: FakeWandb, count: int, project: str = "p", entity: str = "lab") -> None:
    for i in range(count):
        fake.add_run(
            entity,
            project,
            FakeRun(
                f"r{i:04d}",
                state="finished",
                created_at=f"2025-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}",
                history_line_count=100 + i,
                config={"lr": 0.001, "seed": i},
                summary={"loss": 0.5, "step": i},
            ),
        )


def test_first_sync_stores_every_run_in_full(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 250)
    out = sync("lab/p")
    assert "lab/p: listed 250, new 250, changed 0, deleted 0, heavy-fetched 250" in out
    load = last_load(db)
    assert load["mode"] == "incremental" and load["status"] == "ok"
    assert load["listing_complete"] and load["listed"] == load["new"] == 250
    assert load["heavy_fetched"] == 250
    assert fake.light_runs_requests() == 3  # ceil(250 / 100) listing pages
    assert fake.full_runs_requests() == 3  # ceil(250 / 100) heavy batches
    assert load["requests"] == 6
    rows = query(
        db,
        "select fetch_kind, count(*), count(distinct run_id) from raw.wandb_runs group by all",
    )
    assert rows == [("full", 250, 250)]
    (listed,) = query(db, "select count(*) from raw.wandb_listings")[0]
    assert listed == 250
    record = query(
        db,
        "select record->>'$.name', record->>'$.displayName', record->'$.config.seed', "
        "record->>'$.summaryMetrics.step', record->>'$.entity', record->>'$.project', "
        "record->>'$.heartbeatAt', record->>'$.historyLineCount', record->>'$.fetched_at' "
        "is not null from raw.wandb_runs where run_id = 'r0007'",
    )[0]
    assert record == (
        "r0007",
        "run-r0007",
        '{"value":7,"desc":null}',
        "7",
        "lab",
        "p",
        "2025-01-01T01:00:00",
        "107",
        True,
    )


def test_no_change_sync_is_one_listing_pass(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 250)
    sync("lab/p")
    fake.reset_counters()
    out = sync("lab/p")
    assert "listed 250, new 0, changed 0, deleted 0, heavy-fetched 0, requests 3," in out
    assert fake.full_runs_requests() == 0
    assert fake.served["Runs"] == 3  # ceil(N / page)
    other = {op: n for op, n in fake.received.items() if op != "Runs" and op[0] != "<"}
    # O(1): the credential check, the sweeps page, wandb-core's server-feature check
    assert other == {"Viewer": 1, "GetSweeps": 1, "ServerFeaturesQuery": 1}
    assert query(db, "select count(*) from raw.wandb_runs") == [(250,)]
    assert last_load(db)["heavy_fetched"] == 0


def test_tag_edited_on_finished_run_is_caught_without_heavy_fetch(
    fake: FakeWandb, sync, db: Path
) -> None:
    populate(fake, 30)
    sync("lab/p")
    fake.run("lab", "p", "r0003").tags = ["reviewed", "best"]
    fake.reset_counters()
    out = sync("lab/p")
    assert "new 0, changed 1, deleted 0, heavy-fetched 0" in out
    assert fake.full_runs_requests() == 0
    rows = query(
        db,
        "select fetch_kind, record->'$.tags' from raw.wandb_runs where run_id = 'r0003' "
        "order by fetched_at",
    )
    assert rows == [("full", "[]"), ("light", '["reviewed","best"]')]
    (light,) = query(db, "select record from raw.wandb_runs where fetch_kind = 'light'")[0]
    assert '"config"' not in light and '"summaryMetrics"' not in light


def test_running_run_that_finished_is_fetched_again(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 5)
    live = fake.run("lab", "p", "r0002")
    live.state, live.summary = "running", {"loss": 0.9}
    sync("lab/p")
    live.state, live.summary = "finished", {"loss": 0.1}
    live.heartbeat_at, live.history_line_count = "2025-01-02T00:00:00", 900
    fake.reset_counters()
    out = sync("lab/p")
    assert "changed 1, deleted 0, heavy-fetched 1, requests 2," in out
    assert fake.full_runs_requests() == 1
    filters = [r.variables["filters"] for r in fake.log if "summaryMetrics" in r.query]
    assert filters == ['{"name": {"$in": ["r0002"]}}']
    latest = query(
        db,
        "select record->>'$.state', record->>'$.summaryMetrics.loss' from raw.wandb_runs "
        "where run_id = 'r0002' order by fetched_at desc limit 1",
    )
    assert latest == [("finished", "0.1")]


def test_state_change_alone_is_a_light_version(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 3)
    fake.run("lab", "p", "r0001").state = "running"
    sync("lab/p")
    fake.run("lab", "p", "r0001").state = "crashed"
    fake.reset_counters()
    assert "changed 1, deleted 0, heavy-fetched 0" in sync("lab/p")
    assert query(
        db,
        "select fetch_kind, record->>'$.state' from raw.wandb_runs "
        "where run_id = 'r0001' order by fetched_at",
    ) == [("full", "running"), ("light", "crashed")]


def test_new_runs_are_fetched_in_batches(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 120)
    sync("lab/p")
    for i in range(120, 345):
        fake.add_run("lab", "p", FakeRun(f"r{i:04d}", created_at=f"2025-02-01T00:00:{i % 60:02d}"))
    fake.reset_counters()
    out = sync("lab/p")
    assert "listed 345, new 225, changed 0, deleted 0, heavy-fetched 225" in out
    assert fake.light_runs_requests() == 4
    assert fake.full_runs_requests() == 3  # ceil(225 / 100), never one request per run
    assert query(db, "select count(distinct run_id) from raw.wandb_runs") == [(345,)]


def test_deleted_run_is_flagged_and_kept(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 10)
    sync("lab/p")
    fake.delete_run("lab", "p", "r0004")
    out = sync("lab/p")
    assert "listed 9, new 0, changed 0, deleted 1, heavy-fetched 0" in out
    assert query(db, "select count(*) from raw.wandb_runs where run_id = 'r0004'") == [(1,)]
    latest_listing = query(
        db,
        """
        select count(*) from raw.wandb_listings
        where run_id = 'r0004' and load_id = (
            select load_id from raw.wandb_loads where listing_complete
            order by started_at desc limit 1
        )
        """,
    )
    assert latest_listing == [(0,)]
    # Counted once: the next sync knows it was already gone.
    assert "deleted 0," in sync("lab/p")


def test_same_run_id_in_two_projects_are_two_runs(fake: FakeWandb, sync, db: Path) -> None:
    fake.add_run("lab", "a", FakeRun("shared", tags=["in-a"], config={"where": "a"}))
    fake.add_run("team", "b", FakeRun("shared", tags=["in-b"], config={"where": "b"}))
    out = sync("lab/a", "team/b")
    assert "lab/a: listed 1, new 1" in out and "team/b: listed 1, new 1" in out
    assert out.strip().splitlines()[-1].startswith("total: listed 2, new 2")
    fake.run("team", "b", "shared").tags = ["in-b", "edited"]
    sync("lab/a", "team/b")
    rows = query(
        db,
        "select entity, project, fetch_kind, record->>'$.config.where.value', record->'$.tags' "
        "from raw.wandb_runs where run_id = 'shared' order by entity, fetched_at",
    )
    assert rows == [
        ("lab", "a", "full", "a", '["in-a"]'),
        ("team", "b", "full", "b", '["in-b"]'),
        ("team", "b", "light", None, '["in-b","edited"]'),
    ]
    run_syncs = "select count(*) from raw.wandb_loads where status = 'ok' and listing_complete"
    assert query(db, run_syncs) == [(4,)]


def test_nan_infinity_and_huge_integers_round_trip_exactly(fake: FakeWandb, sync, db: Path) -> None:
    huge = 2**64 + 1
    summary = (
        '{"loss": NaN, "best": Infinity, "worst": -Infinity, '
        f'"tokens": {huge}, "neg": -{huge}, "lr": 3.0000000000000004e-05}}'
    )
    fake.add_run("lab", "p", FakeRun("x", summary=summary, config={"steps": huge}))
    sync("lab/p")
    row = query(
        db,
        """
        select
            record->>'$.summaryMetrics.loss',
            record->>'$.summaryMetrics.best',
            record->>'$.summaryMetrics.worst',
            (record->>'$.summaryMetrics.tokens')::hugeint,
            (record->>'$.summaryMetrics.neg')::hugeint,
            (record->>'$.summaryMetrics.lr')::double,
            (record->>'$.config.steps.value')::hugeint,
            (record->>'$.summaryMetrics.loss')::double
        from raw.wandb_runs
        """,
    )[0]
    assert row[:3] == ("NaN", "Infinity", "-Infinity")
    assert row[3] == huge and row[4] == -huge and row[6] == huge
    assert row[5] == 3.0000000000000004e-05
    assert math.isnan(row[7])


def test_one_429_and_one_500_are_retried(
    fake: FakeWandb, sync, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_MAX_RETRIES", "2")
    populate(fake, 150)
    fake.fail(429, times=1, operation="Runs")
    fake.fail(500, times=1, operation="Runs")
    sync("lab/p")
    assert fake.received["Runs"] == fake.served["Runs"] + 2
    assert last_load(db)["status"] == "ok"
    assert query(db, "select count(distinct run_id) from raw.wandb_runs") == [(150,)]


def test_full_refresh_fetches_everything(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 120)
    sync("lab/p")
    fake.reset_counters()
    out = sync("lab/p", "--full-refresh")
    assert "new 0, changed 120, deleted 0, heavy-fetched 120" in out
    assert fake.full_runs_requests() == 2
    assert last_load(db)["mode"] == "full_refresh"


def test_unknown_project_fails_the_load(fake: FakeWandb, sync, db: Path, capsys) -> None:
    sync("lab/nope", expect=1)
    assert last_load(db, "nope")["status"] == "failed"
    (error,) = query(db, "select error from raw.wandb_loads where project = 'nope'")[0]
    assert "not found" in error


def test_api_key_is_stored_nowhere(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 3)
    sync("lab/p")
    sync("lab/nope", expect=1)
    for path in Warehouse(db).workdir.rglob("*"):
        assert not path.is_file() or DEFAULT_KEY.encode() not in path.read_bytes(), path
    assert query(db, "select distinct source from raw.wandb_loads") == [(fake.url,)]


def test_progress_bar_is_off_when_not_a_terminal(fake: FakeWandb, wandb_env, db, capsys):
    populate(fake, 3)
    assert main(["extract", "lab/p", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert [line.split(":")[0] for line in out.strip().splitlines()] == ["lab/p", "lab/p sweeps"]


def test_a_loaded_export_and_a_live_sync_share_the_raw_layer(
    fake: FakeWandb, sync, db: Path, tmp_path: Path, capsys
) -> None:
    populate(fake, 20)
    sync("lab/p")
    export = tmp_path / "export.jsonl"
    lines = [r for (r,) in query(db, "select record::varchar from raw.wandb_runs")]
    export.write_text("\n".join(lines) + "\n")
    other = tmp_path / "other.duckdb"
    assert main(["load", str(export), "--db", str(other)]) == 0
    fake.run("lab", "p", "r0001").tags = ["after-export"]
    fake.reset_counters()
    assert main(["extract", "lab/p", "--db", str(other)]) == 0
    assert "new 0, changed 1, deleted 0, heavy-fetched 0" in capsys.readouterr().out
    assert fake.full_runs_requests() == 0


def test_malformed_project_path_is_a_user_error(db: Path, capsys) -> None:
    assert main(["extract", "lab/p/extra", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("wandb-warehouse: error: 'lab/p/extra' is not ENTITY or ENTITY/PROJECT")
    assert not db.exists()
    assert not Warehouse(db).workdir.exists()


def test_a_server_with_smaller_pages_is_followed_by_cursor(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 150)
    fake.max_page_size = 40  # the server serves less than asked, heavy batches included
    out = sync("lab/p")
    assert "listed 150, new 150, changed 0, deleted 0, heavy-fetched 150" in out
    assert fake.light_runs_requests() == 4  # ceil(150 / 40)
    assert fake.full_runs_requests() == 5  # batch of 100 -> 3 pages, batch of 50 -> 2
    assert query(db, "select count(distinct run_id), count(*) from raw.wandb_runs") == [(150, 150)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("entity nope not found", "project nope/p not found on"),
        ("permission denied", "refused the request while listing nope/p (input: permission"),
    ],
)
def test_graphql_errors_are_one_line_user_errors(
    fake: FakeWandb, sync, db: Path, message: str, expected: str
) -> None:
    def refuse(server: FakeWandb, request: Request) -> dict:
        raise GraphQLError(message)

    fake.handlers["Runs"] = refuse
    assert expected in sync("nope/p", expect=1)
    assert fake.received["Runs"] == 1  # an answer, not a failure: no retries
    assert last_load(db, "p")["status"] == "failed"


def test_a_server_that_is_not_wandb_is_named(fake: FakeWandb, sync) -> None:
    fake.fail(404, times=None, operation="Viewer")
    err = sync("lab/p", expect=1)
    assert "answered HTTP 404 while connecting to W&B" in err
    assert "WANDB_BASE_URL" in err


def test_a_warehouse_holding_only_the_sample_is_set_aside(
    fake: FakeWandb, sync, db: Path, tmp_path: Path, capsys
) -> None:
    """An older `make demo` built the sample into the default warehouse: the first sync
    of one's own project starts clean, and the sample moves to the demo's own file."""
    from extract.sample.files import SAMPLE_DIR

    sweeps = next(SAMPLE_DIR.glob("04_sweeps_*.jsonl.gz"))
    write_legacy_warehouse(db, [sweeps])
    populate(fake, 2)
    out = sync("lab/p")
    assert out.startswith(
        f"{db} held only the bundled sample (an older `make demo`): moved to "
        f"{tmp_path / 'demo.duckdb'}; syncing into a new {db}\n"
    )
    assert query(db, "select distinct entity, project from raw.wandb_loads") == [("lab", "p")]
    with duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True) as demo:
        assert demo.execute("select distinct project from raw.wandb_loads").fetchall() == [
            ("ft-small-lm",)
        ]
    # A warehouse that holds anything besides the sample is the user's: left as it is.
    mixed = tmp_path / "mixed.duckdb"
    own = tmp_path / "own.jsonl"
    own.write_text('{"entity": "lab", "project": "q", "name": "r1", "state": "finished"}\n')
    write_legacy_warehouse(mixed, [sweeps, own])
    assert main(["extract", "lab/p", "--db", str(mixed)]) == 0
    assert "held only the bundled sample" not in capsys.readouterr().out
    assert len(query(mixed, "select distinct project from raw.wandb_loads")) == 3
