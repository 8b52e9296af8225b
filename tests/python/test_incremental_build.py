"""An incremental `dbt build` after new loads equals a full refresh of the same data.

The awkward fixtures are loaded one at a time with a build after each, then a third,
partial load changes what incremental models find hardest: a run loses every tag (no row
left to insert), a run changes state, a run comes back to the listing (no longer deleted
upstream) and a brand-new run appears. A last, older export then changes the payload a
run's light latest version carries, without changing that version or its load. Every
model table is then compared, row for row, with `dbt build --full-refresh` of the same
raw layer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from dbt_builds import build_and_publish, build_warehouse, load_raw, open_working

from extract.errors import UserError
from extract.warehouse.database import PROJECT_ROOT
from extract.warehouse.dbt import run_dbt
from extract.warehouse.files import Warehouse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The incremental models, the views over them, and marts built from them.
COMPARED = [
    "staging.stg_wandb__run_fetches",
    "intermediate.int_runs__versions",
    "intermediate.int_runs__current",
    "intermediate.int_runs__payloads",
    "intermediate.int_runs__column_pair_values",
    "intermediate.int_runs__tags",
    "intermediate.int_runs__in_scope",
    "intermediate.int_runs__state_at_load",
    "intermediate.int_runs__history_progress",
    "intermediate.int_runs__key_values",
    "marts.runs",
    "marts.run_progress",
    "marts.timeout_progress",
    "marts.tag_coverage",
    "marts.pretrain_overlap",
    "marts.column_pair_overlap",
    "marts.pretrain_overlap_summary",
    "marts.tag_prevalence_by_group",
    "marts.key_profile",
    "marts.key_overlap",
    "marts.run_changes",
    "marts.timeout_tag_prevalence",
    "marts.timeout_state_distribution",
]


def _third_load(path: Path) -> Path:
    """A partial sync: big-ints loses its tags, nan-summary crashes, doomed returns, a new run."""
    base = {
        "entity": "lab",
        "project": "alpha",
        "fetched_at": "2025-09-20T00:00:00Z",
        "createdAt": "2025-09-05T00:00:00Z",
        "heartbeatAt": "2025-09-05T00:10:00Z",
        "config": {"timeout": {"value": 1800, "desc": None}},
        "summaryMetrics": {"_runtime": 600},
    }
    runs = [
        {**base, "name": "big-ints", "displayName": "big ints", "state": "finished", "tags": []},
        {**base, "name": "nan-summary", "state": "crashed", "tags": ["4M", "dclm-dolma"]},
        {**base, "name": "doomed", "state": "finished", "tags": ["4M"]},
        {**base, "name": "newcomer", "state": "running", "tags": ["10M", "finetune"]},
    ]
    path.write_text("".join(json.dumps(run) + "\n" for run in runs))
    return path


def _late_older_load(path: Path) -> Path:
    """An older export loaded last: a full fetch of goes-light (2025-09-05) that falls between
    its first full fetch (09-01) and its light latest version (09-10). The latest version
    and its load stay the same; the payload it carries forward changes."""
    run = {
        "entity": "lab",
        "project": "alpha",
        "fetched_at": "2025-09-05T00:00:00Z",
        "name": "goes-light",
        "displayName": "goes light",
        "state": "running",
        "tags": ["4M"],
        "createdAt": "2025-09-04T03:00:00Z",
        "config": {"timeout": {"value": 3600}, "pretrain_steps": {"value": 700}},
        "summaryMetrics": {"_runtime": 250, "model_pretrain_steps": 700},
    }
    path.write_text(json.dumps(run) + "\n")
    return path


def _tables(db: Path) -> dict[str, list[tuple]]:
    with open_working(db) as con:
        return {
            name: sorted(map(repr, con.sql(f"select * from {name}").fetchall()))
            for name in COMPARED
        }


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    root = tmp_path_factory.mktemp("incremental")
    first, second = sorted(FIXTURES.glob("awkward_runs_*.jsonl"))
    built = build_warehouse(root / "warehouse.duckdb", [first], root / "target")
    # Publishing seals a build's loads into Parquet segments, so the builds after it find
    # their new rows among the live ones; the third load's build is left unpublished.
    later_loads = (
        (second, False, True),
        (_third_load(root / "third.jsonl"), True, False),
        (_late_older_load(root / "late.jsonl"), True, True),
    )
    for path, partial, published in later_loads:
        load_raw(built.db, [path], partial=partial)
        if published:
            build_and_publish(built.db, ["--target-path", str(root / "target")])
        else:
            run_dbt(["build", "--target-path", str(root / "target")], built.db, quiet=True)
    incremental = _tables(built.db)
    run_dbt(
        ["build", "--full-refresh", "--target-path", str(root / "target")], built.db, quiet=True
    )
    return incremental, _tables(built.db), built.db


@pytest.mark.parametrize("table", COMPARED)
def test_incremental_build_equals_full_refresh(
    incremental_and_full: tuple[dict, dict, Path], table: str
) -> None:
    incremental, full, _ = incremental_and_full
    assert incremental[table] == full[table]


def test_the_changes_reached_the_marts(incremental_and_full: tuple[dict, dict, Path]) -> None:
    incremental, _, _ = incremental_and_full
    runs = "\n".join(incremental["marts.runs"])
    assert "'newcomer'" in runs
    assert "'doomed'" in runs  # listed again by a later load: no longer deleted upstream
    tags = "\n".join(incremental["intermediate.int_runs__tags"])
    assert "'big-ints'" not in tags
    # The late older load changed what goes-light's latest (light) version carries.
    assert any("'goes-light'" in row and "700" in row for row in incremental["marts.runs"])


def test_a_seed_change_reaches_incremental_models(
    incremental_and_full: tuple[dict, dict, Path],
) -> None:
    """Runs after the comparisons: the scope seeds change in place (`dbt run` does not
    reload them), then an incremental run must equal a full refresh of the same seeds."""
    *_, db = incremental_and_full
    with duckdb.connect(str(Warehouse(db).build_db)) as con:
        con.execute("insert into seeds.analysis_scope values ('lab', 'alpha', '2025-09-02')")
        con.execute("insert into seeds.run_exclusions values ('lab', 'alpha', 'newcomer', 'x')")
    run_dbt(["run"], db, quiet=True)
    incremental = _tables(db)
    run_dbt(["run", "--full-refresh"], db, quiet=True)
    full = _tables(db)
    assert incremental == full
    scope = "\n".join(incremental["intermediate.int_runs__in_scope"])
    assert "datetime.date(2025, 9, 2)" in scope
    assert "'newcomer'" not in "\n".join(incremental["marts.runs"])


def test_a_table_from_an_earlier_model_version_stops_the_build_clearly(
    incremental_and_full: tuple[dict, dict, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs last: marts.runs loses a column, as a table built by an older release would."""
    *_, db = incremental_and_full
    with duckdb.connect(str(Warehouse(db).build_db)) as con:
        con.execute("alter table marts.runs drop column last_load_id")
    with pytest.raises(UserError):
        run_dbt(["run", "-s", "runs"], db, quiet=True)
    output = capsys.readouterr().err
    assert "was built by an earlier version of the models" in output
    assert "last_load_id" in output
    assert "dbt build --full-refresh" in output
    run_dbt(["run", "-s", "runs", "--full-refresh"], db, quiet=True)


def test_dbt_started_by_the_tests_writes_outside_the_checkout(tmp_path: Path) -> None:
    """The `dbt run`s above pass no --target-path: theirs is the session's tmp dir
    (conftest's dbt_files_outside_the_checkout), not the checkout's target/ and logs/."""
    target, logs = Path(os.environ["DBT_TARGET_PATH"]), Path(os.environ["DBT_LOG_PATH"])
    assert PROJECT_ROOT / "target" not in {target, *target.parents}
    assert PROJECT_ROOT / "logs" not in {logs, *logs.parents}
    run_dbt(["parse"], tmp_path / "never_opened.duckdb", quiet=True)
    assert (target / "manifest.json").is_file() and (logs / "dbt.log").is_file()
