"""`wandb-warehouse extract ENTITY`: every project of an entity, through the real SDK."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import wandb
from dbt_builds import build_and_publish
from fake_wandb import DEFAULT_KEY, FakeArtifact, FakeLink, FakeRun, FakeSweep, FakeWandb
from test_extract import PAGE, populate, query

from extract.cli import main
from extract.errors import UserError
from extract.sync.entity import compare_listings, parse_target
from extract.warehouse.files import Warehouse


@pytest.fixture
def sync(wandb_env, db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", str(PAGE))

    def run(*args: str, expect: int = 0) -> str:
        code = main(["extract", *args, "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == expect, err
        return out if expect == 0 else err

    return run


def listed_projects(db: Path, entity: str = "lab") -> list[str]:
    """The projects of the entity's latest ok listing."""
    rows = query(
        db,
        """
        select project from raw.wandb_projects
        where listing_id = (
            select listing_id from raw.wandb_entity_listings
            where entity = ? and status = 'ok' order by started_at desc limit 1
        )
        order by project
        """,
        [entity],
    )
    return [project for (project,) in rows]


def test_an_entity_syncs_every_project_it_holds(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 30, project="alpha")
    populate(fake, 120, project="beta")
    populate(fake, 5, project="elsewhere", entity="other-team")
    out = sync("lab")
    lines = out.strip().splitlines()
    assert lines[0].startswith("lab: projects listed 2, new 2, gone 0, requests 1,")
    assert "lab/alpha: listed 30, new 30" in out and "lab/beta: listed 120, new 120" in out
    assert "other-team" not in out
    assert lines[-1].startswith("total: listed 150, new 150,")
    assert fake.received["GetProjects"] == 1
    assert listed_projects(db) == ["alpha", "beta"]
    assert query(db, "select project, count(*) from raw.wandb_runs group by 1 order by 1") == [
        ("alpha", 30),
        ("beta", 120),
    ]
    (record,) = query(db, "select record->>'entityName' from raw.wandb_projects limit 1")[0]
    assert record == "lab"


def test_a_no_change_entity_sync_costs_pages_only(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 250, project="alpha")
    populate(fake, 40, project="beta")
    sync("lab")
    fake.reset_counters()
    out = sync("lab")
    assert "new 0, changed 0, deleted 0, heavy-fetched 0" in out
    graphql = {op: n for op, n in fake.received.items() if not op.startswith("<")}
    # The projects page, ceil(N / page) listing pages and one sweeps page per project, and
    # the two start-up calls (credential check; wandb-core's server features, asked once).
    assert graphql == {
        "Viewer": 1,
        "GetProjects": 1,
        "Runs": 3 + 1,
        "GetSweeps": 2,
        "ServerFeaturesQuery": 1,
    }
    assert fake.full_runs_requests() == 0
    assert out.strip().splitlines()[-1].split("requests ")[1].startswith("7,")


def test_new_projects_are_found_and_gone_ones_flagged(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 3, project="alpha")
    populate(fake, 3, project="beta")
    sync("lab")
    fake.delete_project("lab", "beta")
    populate(fake, 4, project="gamma")
    out = sync("lab")
    assert out.startswith("lab: projects listed 2, new 1, gone 1 (beta; kept),")
    assert "lab/gamma: listed 4, new 4" in out and "lab/beta" not in out
    assert listed_projects(db) == ["alpha", "gamma"]
    # Nothing is dropped: beta's runs and its earlier listing stay.
    assert query(db, "select count(*) from raw.wandb_runs where project = 'beta'") == [(3,)]
    assert query(db, "select count(*) from raw.wandb_projects where project = 'beta'") == [(1,)]
    # Counted once, like a deleted run.
    assert "gone 0," in sync("lab")


def test_projects_are_paged_by_cursor(fake: FakeWandb, sync, db: Path) -> None:
    for i in range(7):
        fake.add_run("lab", f"p{i}", FakeRun("only"))
    fake.max_page_size = 3
    out = sync("lab")
    assert out.startswith("lab: projects listed 7, new 7, gone 0, requests 3,")
    assert fake.received["GetProjects"] == 3  # ceil(7 / 3)
    assert listed_projects(db) == [f"p{i}" for i in range(7)]


def test_an_entity_and_one_of_its_projects_sync_it_once(fake: FakeWandb, sync, db: Path) -> None:
    populate(fake, 3, project="alpha")
    populate(fake, 3, project="beta")
    out = sync("lab/beta", "lab")
    assert out.count("lab/beta: listed") == 1 and out.count("lab/alpha: listed") == 1
    assert fake.received["GetSweeps"] == 2


def test_an_entity_without_visible_projects_is_a_user_error(fake: FakeWandb, sync, db) -> None:
    err = sync("nobody", expect=1)
    assert err.startswith("wandb-warehouse: error: entity nobody has no project your API key")
    assert len(err.strip().splitlines()) == 1
    assert query(db, "select status from raw.wandb_entity_listings") == [("failed",)]


def test_an_entity_whose_projects_all_went_is_not_an_error(fake: FakeWandb, sync, db) -> None:
    populate(fake, 2, project="alpha")
    sync("lab")
    fake.delete_project("lab", "alpha")
    assert sync("lab").startswith("lab: projects listed 0, new 0, gone 1 (alpha; kept),")
    assert listed_projects(db) == []


def test_no_api_key_is_stored_from_the_project_owner(fake: FakeWandb, sync, db: Path) -> None:
    # W&B's ProjectFragment carries the owner's `apiKeys`, whose `name` is the key itself.
    populate(fake, 2, project="alpha")
    sync("lab")
    assert fake.log and any("apiKeys" in request.query for request in fake.log)
    assert DEFAULT_KEY.encode() not in Warehouse(db).raw_store.read_bytes()
    keys = query(db, "select json_keys(record) from raw.wandb_projects")[0][0]
    assert sorted(keys) == ["__typename", "createdAt", "entityName", "id", "isBenchmark", "name"]


def test_targets_and_listing_comparison() -> None:
    assert parse_target("lab") == ("lab", None)
    assert parse_target("lab/p/") == ("lab", "p")
    for bad in ("", "/", "a/b/c", "a//b", "lab//"):
        with pytest.raises(UserError, match="is not ENTITY or ENTITY/PROJECT"):
            parse_target(bad)
    # Neither is read as an entity: `x` is a project without its entity, and a slash
    # with nothing after it is not an entity-wide sync.
    with pytest.raises(UserError, match=r"'/x' names no entity before the slash: .*`my-team/x`"):
        parse_target("/x")
    with pytest.raises(
        UserError,
        match=r"'acme-lab/' names no project after the slash: give `acme-lab` to sync every "
        r"project of the entity, or `acme-lab/PROJECT`",
    ):
        parse_target("acme-lab/")
    new, gone = compare_listings(["a", "c", "d"], ["a", "b"], synced=["d"])
    assert (new, gone) == (["c"], ["b"])
    assert compare_listings(["a"], None, synced=[]) == (["a"], [])


def test_a_synced_entity_builds_sweeps_lineage_and_gone_projects(
    fake: FakeWandb, sync, db: Path, tmp_path: Path
) -> None:
    """Through the real SDK into the marts: sweeps with their best run, lineage (aliases
    as the SDK reads them), and a project gone upstream flagged, not dropped."""
    # r1 and r2 tie (r1 was created first); r3 crashed with a NaN loss.
    summaries = {"r0": 0.9, "r1": 0.4, "r2": 0.4, "r3": "NaN"}
    # The dataset's own `latest` (and `v2`), and `v0`, `latest`, `production` in the
    # registry collection it is linked into: the version's aliases are its own `latest`.
    dataset = FakeArtifact(
        "data",
        2,
        type="dataset",
        aliases=["latest"],
        links=[FakeLink("sft", 0, ["latest", "production"], project="wandb-registry-dataset")],
    )
    for i, (name, loss) in enumerate(summaries.items()):
        fake.add_run(
            "lab",
            "alpha",
            FakeRun(
                name,
                state="crashed" if name == "r3" else "finished",
                created_at=f"2025-01-0{i + 1}T00:00:00",
                heartbeat_at=f"2025-01-0{i + 1}T01:00:00",
                summary=f'{{"val/loss": {loss}}}',  # text: NaN as W&B writes it
                sweep="sw1",
                used_artifacts=[dataset],
                logged_artifacts=[FakeArtifact(f"model-{name}", 0, type="model")],
            ),
        )
    fake.add_sweep(
        "lab", "alpha", FakeSweep("sw1", {"method": "bayes", "metric": {"name": "val/loss"}})
    )
    # r1's model, linked into the model registry where it is the newest: `latest` and
    # `production` there, no alias in its own collection.
    best = FakeArtifact(
        "model-r1", 0, type="model", links=[FakeLink("ft", 3, ["latest", "production"])]
    )
    fake.run("lab", "alpha", "r1").logged_artifacts = [best]
    fake.add_run("lab", "beta", FakeRun("b0", used_artifacts=[best]))
    sync("lab", "--artifacts")
    api = wandb.Api(overrides={"base_url": fake.url}, api_key=DEFAULT_KEY)
    sdk_aliases = {
        f"{artifact.source_name}": sorted(artifact.aliases)
        for run in ("r0", "r1")
        for artifact in [
            *api.run(f"lab/alpha/{run}").used_artifacts(),
            *api.run(f"lab/alpha/{run}").logged_artifacts(),
        ]
    }
    assert sdk_aliases == {"data:v2": ["latest"], "model-r0:v0": [], "model-r1:v0": []}
    fake.delete_project("lab", "beta")
    sync("lab", "--artifacts")
    build_and_publish(db, ["--target-path", str(tmp_path / "target")])

    def marts(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    sweeps = marts(
        "select sweep_id, metric_goal, runs, finished_runs, crashed_runs, runs_with_metric, "
        "best_run_id, best_metric_value from marts.sweeps",
    )
    assert sweeps == [("sw1", "minimize", 4, 3, 1, 3, "r1", 0.4)]  # tie: created first
    assert marts("select count(*), count(sweep_id) from marts.runs") == [(5, 4)]
    versions = marts(
        "select artifact_version, logged_by_run_id, used_by_runs, used_by_run_paths "
        "from marts.artifact_versions order by artifact_version",
    )
    assert versions[0] == (
        "data:v2",
        None,
        4,
        ["lab/alpha/r0", "lab/alpha/r1", "lab/alpha/r2", "lab/alpha/r3"],
    )
    # beta's run used r1's model; beta is gone upstream but kept (its runs are not deleted
    # runs: they were never unlisted from beta itself).
    assert ("model-r1:v0", "r1", 1, ["lab/beta/b0"]) in versions
    projects = marts(
        "select project, runs, sweeps, is_deleted_upstream from marts.projects order by 1"
    )
    assert projects == [("alpha", 4, 1, False), ("beta", 1, 0, True)]
    assert marts("select count(*) from marts.artifact_lineage") == [(9,)]
    # Aliases as the SDK reads them: the version's own collection, no version index.
    aliases = dict(marts("select artifact_version, aliases from marts.artifact_versions"))
    assert {version: aliases[version] for version in sdk_aliases} == sdk_aliases
    assert marts(
        "select distinct artifact_version, aliases from marts.artifact_lineage "
        "where artifact_version in ('data:v2', 'model-r1:v0') order by 1",
    ) == [("data:v2", ["latest"]), ("model-r1:v0", [])]
