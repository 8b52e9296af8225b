"""Sweeps and run artifacts synced by `extract` through the real SDK (fake W&B server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_wandb import FakeArtifact, FakeSweep, FakeWandb, GraphQLError, Handler, Request
from test_extract import PAGE, populate, query

from extract.cli import main
from extract.sync.artifacts import stale_runs
from extract.sync.sweeps import plan_sweeps
from extract.wandb_api.sweeps import parse_sweep_config

SWEEP_CONFIG = {
    "method": "bayes",
    "metric": {"name": "eval/loss", "goal": "minimize"},
    "parameters": {"learning_rate": {"values": [1e-5, 2e-5]}, "seed": {"values": [1, 2]}},
}


@pytest.fixture
def sync(wandb_env, db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", str(PAGE))

    def run(*args: str, expect: int = 0) -> str:
        code = main(["extract", *args, "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == expect, err
        return out if expect == 0 else err

    return run


def sweep_rows(db: Path) -> list[tuple]:
    return query(
        db,
        "select sweep_id, record->>'state', (record->>'runCount')::int, config->>'$.metric.goal' "
        "from raw.wandb_sweeps order by sweep_id, fetched_at",
    )


# -- sweeps ---------------------------------------------------------------------------------


def test_sweeps_and_the_runs_they_launched_are_stored(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 6)
    for i in range(4):
        fake.run("lab", "p", f"r{i:04d}").sweep = "swp1abcd"
    fake.add_sweep("lab", "p", FakeSweep("swp1abcd", SWEEP_CONFIG, display_name="lr-sweep"))
    fake.add_sweep("lab", "p", FakeSweep("swp2efgh", {"method": "grid"}, state="RUNNING"))
    out = sync("lab/p")
    assert "lab/p sweeps: listed 2, new 2, changed 0, requests 1," in out
    assert sweep_rows(db) == [
        ("swp1abcd", "FINISHED", 4, "minimize"),
        ("swp2efgh", "RUNNING", 0, None),
    ]
    record, config = query(
        db, "select record, config from raw.wandb_sweeps where sweep_id = 'swp1abcd'"
    )[0]
    record, config = json.loads(record), json.loads(config)
    assert record["displayName"] == "lr-sweep" and record["method"] == "bayes"
    assert record["config"].startswith("method: bayes\n")  # W&B's YAML text, as sent
    assert config == SWEEP_CONFIG
    links = query(
        db,
        "select run_id, record->>'sweepName' from raw.wandb_runs order by run_id",
    )
    assert links[:5] == [(f"r{i:04d}", "swp1abcd") for i in range(4)] + [("r0004", None)]
    assert fake.received["GetSweep"] == 0  # never one request per sweep


def test_only_new_or_changed_sweeps_are_written(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 2)
    fake.add_sweep("lab", "p", FakeSweep("s1", SWEEP_CONFIG, state="RUNNING"))
    fake.add_sweep("lab", "p", FakeSweep("s2", SWEEP_CONFIG))
    sync("lab/p")
    assert "sweeps: listed 2, new 0, changed 0, requests 1," in sync("lab/p")
    fake.projects[("lab", "p")].sweeps["s1"].state = "FINISHED"
    fake.run("lab", "p", "r0000").sweep = "s2"  # the run count of s2 moves
    assert "sweeps: listed 2, new 0, changed 2," in sync("lab/p")
    assert sweep_rows(db) == [
        ("s1", "RUNNING", 0, "minimize"),
        ("s1", "FINISHED", 0, "minimize"),
        ("s2", "FINISHED", 0, "minimize"),
        ("s2", "FINISHED", 1, "minimize"),
    ]


def test_sweeps_are_paged_by_cursor(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 1)
    for i in range(7):
        fake.add_sweep("lab", "p", FakeSweep(f"s{i}", {"method": "random"}))
    fake.max_page_size = 3
    assert "sweeps: listed 7, new 7, changed 0, requests 3," in sync("lab/p")
    assert fake.received["GetSweeps"] == 3


def test_a_sweeps_failure_keeps_the_run_sync(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 3)
    fake.fail(500, times=None, operation="GetSweeps")
    err = sync("lab/p", expect=1)
    assert "kept failing while listing the sweeps of lab/p" in err
    assert query(db, "select count(*) from raw.wandb_runs") == [(3,)]
    statuses = query(db, "select status from raw.wandb_loads order by started_at")
    assert statuses == [("ok",), ("failed",)]


def test_sweep_configs_parse_from_yaml_or_json() -> None:
    assert json.loads(
        parse_sweep_config("method: grid\nmetric: {name: acc, goal: maximize}\n")
    ) == {
        "method": "grid",
        "metric": {"name": "acc", "goal": "maximize"},
    }
    assert json.loads(parse_sweep_config('{"method": "random"}')) == {"method": "random"}
    assert json.loads(parse_sweep_config({"method": "bayes"})) == {"method": "bayes"}
    assert parse_sweep_config("- a list\n") is None
    assert parse_sweep_config("method: [unclosed") is None
    assert parse_sweep_config(None) is None


def test_sweep_plan() -> None:
    plan = plan_sweeps(
        {"a": {"state": "RUNNING"}, "b": {"state": "FINISHED"}, "c": {"state": "RUNNING"}},
        {"a": {"state": "RUNNING"}, "b": {"state": "RUNNING"}},
    )
    assert (plan.new, plan.changed, plan.unchanged) == (["c"], ["b"], ["a"])


# -- artifacts ------------------------------------------------------------------------------


def with_artifacts(fake: FakeWandb, runs: int) -> None:
    """`runs` runs; each uses the shared dataset, every other one logs a model."""
    populate(fake, runs)
    dataset = FakeArtifact("train-data", 3, type="dataset", aliases=["latest"], size=5000)
    for i in range(runs):
        run = fake.run("lab", "p", f"r{i:04d}")
        run.used_artifacts = [dataset]
        if i % 2 == 0:
            run.logged_artifacts = [FakeArtifact(f"model-r{i:04d}", 0, type="model")]


def fetched_runs(db: Path) -> list[tuple]:
    return query(
        db,
        "select run_id, count(*), sum(used_count), sum(logged_count) "
        "from raw.wandb_artifact_fetches group by 1 order by 1",
    )


def test_artifacts_of_heavy_fetched_runs_only(fake: FakeWandb, sync, db: Path) -> None:
    with_artifacts(fake, 6)
    out = sync("lab/p", "--artifacts")
    assert "lab/p artifacts: runs stale 6, read 6, artifact versions 9, requests 12," in out
    assert fake.received["RunInputArtifacts"] == fake.received["RunOutputArtifacts"] == 6
    rows = query(
        db,
        "select run_id, direction, record->>'$.artifactSequence.name', "
        "(record->>'versionIndex')::int, record->>'$.artifactType.name', "
        "(record->>'size')::bigint from raw.wandb_run_artifacts where run_id = 'r0000' "
        "order by direction",
    )
    assert rows == [
        ("r0000", "logged", "model-r0000", 0, "model", 1024),
        ("r0000", "used", "train-data", 3, "dataset", 5000),
    ]
    used_ids = (
        "select count(distinct artifact_id) from raw.wandb_run_artifacts where direction = 'used'"
    )
    assert query(db, used_ids) == [(1,)]  # one artifact version, used by six runs

    fake.reset_counters()
    out = sync("lab/p", "--artifacts")
    assert "artifacts: runs stale 0, read 0, artifact versions 0, requests 0," in out
    assert "RunInputArtifacts" not in fake.received

    fake.run("lab", "p", "r0001").tags = ["edited"]  # a light change: no heavy fetch
    moved = fake.run("lab", "p", "r0004")
    moved.heartbeat_at, moved.history_line_count = "2025-02-01T00:00:00", 999
    moved.logged_artifacts.append(FakeArtifact("model-r0004", 1, type="model"))
    fake.reset_counters()
    out = sync("lab/p", "--artifacts")
    assert "heavy-fetched 1," in out
    assert "artifacts: runs stale 1, read 1, artifact versions 3, requests 2," in out
    assert fetched_runs(db)[4] == ("r0004", 2, 2, 3)


def test_a_first_artifacts_sync_catches_up_on_every_run(fake: FakeWandb, sync, db: Path) -> None:
    with_artifacts(fake, 4)
    out = sync("lab/p")
    assert "artifacts" not in out and "RunInputArtifacts" not in fake.received
    fake.reset_counters()
    out = sync("lab/p", "--artifacts")
    assert "heavy-fetched 0," in out and "artifacts: runs stale 4, read 4," in out
    assert [row[0] for row in fetched_runs(db)] == ["r0000", "r0001", "r0002", "r0003"]


def test_artifacts_are_paged_by_cursor(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 1)
    fake.run("lab", "p", "r0000").used_artifacts = [
        FakeArtifact(f"shard-{i}", 0, type="dataset") for i in range(7)
    ]
    fake.max_page_size = 3
    out = sync("lab/p", "--artifacts")
    assert "artifact versions 7, requests 4," in out  # 3 pages used + 1 page logged
    assert query(db, "select count(*) from raw.wandb_run_artifacts") == [(7,)]


def test_a_run_gone_before_its_artifacts_is_skipped(fake: FakeWandb, sync, db: Path) -> None:
    with_artifacts(fake, 3)
    answer = fake.handlers["RunInputArtifacts"]

    def deleted_meanwhile(server: FakeWandb, request: Request) -> dict:
        if request.variables.get("run") == "r0001":
            return {"project": {"run": None}}
        return answer(server, request)

    fake.handlers["RunInputArtifacts"] = deleted_meanwhile
    assert "artifacts: runs stale 3, read 2," in sync("lab/p", "--artifacts")
    assert [row[0] for row in fetched_runs(db)] == ["r0000", "r0002"]


def refuse_logged_artifacts(fake: FakeWandb, run_id: str) -> Handler:
    """Answer the run's `RunOutputArtifacts` with a GraphQL error; the handler replaced."""
    answer = fake.handlers["RunOutputArtifacts"]

    def refuses(server: FakeWandb, request: Request) -> dict:
        if request.variables.get("run") == run_id:
            raise GraphQLError("internal error")
        return answer(server, request)

    fake.handlers["RunOutputArtifacts"] = refuses
    return answer


def test_an_artifacts_failure_keeps_what_was_read(
    fake: FakeWandb, sync, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("extract.sync.artifacts.BATCH_RUNS", 2)
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "1")  # runs in order: which are kept
    with_artifacts(fake, 5)
    answer = refuse_logged_artifacts(fake, "r0003")
    err = sync("lab/p", "--artifacts", expect=1)
    assert "while reading the logged artifacts of lab/p/r0003 (input: internal error" in err
    # r0000 and r0001 were one committed batch; r0002 was read and is kept too.
    assert [row[0] for row in fetched_runs(db)] == ["r0000", "r0001", "r0002"]
    (status,) = query(
        db,
        "select distinct status from raw.wandb_loads where load_id in "
        "(select load_id from raw.wandb_artifact_fetches)",
    )[0]
    assert status == "failed"
    fake.handlers["RunOutputArtifacts"] = answer
    assert "artifacts: runs stale 2, read 2," in sync("lab/p", "--artifacts")


def artifact_rows(db: Path) -> list[tuple]:
    return query(
        db,
        "select run_id, direction, artifact_id, record::varchar from raw.wandb_run_artifacts "
        "order by all",
    )


def test_artifacts_are_read_concurrently_with_the_same_requests_and_rows(
    fake: FakeWandb, wandb_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", str(PAGE))
    with_artifacts(fake, 12)
    fake.latency = 0.1
    rows = {}
    for concurrency in ("1", "4"):
        monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", concurrency)
        target = tmp_path / f"c{concurrency}.duckdb"
        assert main(["extract", "lab/p", "--db", str(target)]) == 0
        fake.reset_counters()
        assert main(["extract", "lab/p", "--artifacts", "--db", str(target)]) == 0
        assert "artifacts: runs stale 12, read 12, artifact versions 18, requests 24," in (
            capsys.readouterr().out
        )
        assert fake.received["RunInputArtifacts"] == fake.received["RunOutputArtifacts"] == 12
        assert fake.peak_active == 1 if concurrency == "1" else 2 <= fake.peak_active <= 4
        rows[concurrency] = artifact_rows(target)
        assert [row[:2] for row in fetched_runs(target)] == [(f"r{i:04d}", 1) for i in range(12)]
    assert rows["1"] == rows["4"] and len(rows["4"]) == 18


def test_artifact_reads_back_off_on_429_and_store_each_run_once(
    fake: FakeWandb, sync, db: Path
) -> None:
    # Two requests at once, four runs read at once: the runs refused past wandb-core's
    # retries are read again, whole, with fewer at once.
    with_artifacts(fake, 8)
    sync("lab/p")
    fake.latency = 0.5
    fake.max_concurrent = 2
    fake.retry_after = 0.1
    fake.reset_counters()
    out = sync("lab/p", "--artifacts")
    assert "artifacts: runs stale 8, read 8, artifact versions 12," in out
    assert "calls kept getting HTTP 429: retried with fewer at once" in out
    assert fake.rejected["RunInputArtifacts"] + fake.rejected["RunOutputArtifacts"] >= 2
    assert fake.peak_active <= 2
    assert [row[:2] for row in fetched_runs(db)] == [(f"r{i:04d}", 1) for i in range(8)]


def test_a_concurrent_artifacts_failure_keeps_every_run_read_whole(
    fake: FakeWandb, sync, db: Path
) -> None:
    with_artifacts(fake, 20)
    fake.latency = 0.05
    answer = refuse_logged_artifacts(fake, "r0009")
    err = sync("lab/p", "--artifacts", expect=1)
    (line,) = err.strip().splitlines()
    assert "while reading the logged artifacts of lab/p/r0009" in line
    kept = [row[0] for row in fetched_runs(db)]
    assert "r0009" not in kept and 9 <= len(kept) < 20  # r0000-r0008 went out before it
    # every run kept is whole: its used and logged versions, once
    assert all(row[1:3] == (1, 1) for row in fetched_runs(db))
    fake.handlers["RunOutputArtifacts"] = answer
    out = sync("lab/p", "--artifacts")
    assert f"artifacts: runs stale {20 - len(kept)}, read {20 - len(kept)}," in out


def test_stale_runs_rule() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    later = t0 + timedelta(hours=1)
    listed = ["new", "moved", "same", "never_full"]
    last_full = {"new": t0, "moved": later, "same": t0}
    last_read = {"moved": t0, "same": t0}
    assert stale_runs(listed, last_full, last_read) == ["new", "moved"]


def test_the_sdks_own_sweeps_iterator_costs_a_request_per_sweep(
    fake: FakeWandb, wandb_env: dict[str, str]
) -> None:
    """Why the extractor reads sweep nodes from the page responses: `Project.sweeps()`
    builds each `Sweep` without attributes, and each then loads itself (`GetSweep`). The
    fake answers what the SDK asks, so `Api.sweep(path)` works against it too."""
    import wandb

    for i in range(3):
        fake.add_sweep("lab", "p", FakeSweep(f"s{i}", SWEEP_CONFIG))
    api = wandb.Api(overrides={"base_url": fake.url}, api_key=wandb_env["WANDB_API_KEY"])
    fake.reset_counters()
    assert [sweep.id for sweep in api.project("p", "lab").sweeps()] == ["s0", "s1", "s2"]
    assert fake.received["GetSweeps"] == 1 and fake.received["GetSweep"] == 3
    sweep = api.sweep("lab/p/s1")
    assert sweep.config == SWEEP_CONFIG and sweep.order == "+summary_metrics.eval/loss"
