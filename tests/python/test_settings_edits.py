"""Edits of the analysis settings, each followed by a plain `dbt build` (no
--full-refresh), in a copy of the dbt project whose dbt_project.yml the test edits as a
user would: the marts follow the new settings, and only the tables that depend on what
changed are rebuilt. The warehouse holds the bundled sample and a second project."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dbt_builds import load_raw, open_working
from second_project import CONFIG, ENTITY, PROJECT, runs, write

from extract.sample.files import load_order
from extract.suggest import parse_entry, quoted_agreements, suggest
from extract.warehouse.build import BUILD, project_fingerprint
from extract.warehouse.database import PROJECT_ROOT
from extract.warehouse.dbt import dbt_executable
from extract.warehouse.files import Warehouse
from extract.warehouse.publish import publish

SAMPLE = "datadecide-lab/ft-small-lm"
SECOND = f"{ENTITY}/{PROJECT}"
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "analyses")


class Project:
    """A copy of the dbt project with its own dbt_project.yml, and a warehouse it builds."""

    def __init__(self, root: Path, db: Path) -> None:
        self.root = root
        self.db = db

    @property
    def settings(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "dbt_project.yml").read_text())["vars"]

    def edit(self, **changed: Any) -> None:
        """Set vars in dbt_project.yml, as a user editing the file would."""
        project = yaml.safe_load((self.root / "dbt_project.yml").read_text())
        project["vars"].update(changed)
        (self.root / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))

    def build(self) -> subprocess.CompletedProcess[str]:
        """A plain `dbt build` in the project, then publish."""
        result = subprocess.run(
            [dbt_executable(), *BUILD, "--quiet"],
            cwd=self.root,
            env={**os.environ, "WANDB_WAREHOUSE_DB": str(self.db)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:]
        publish(Warehouse(self.db))
        return result

    def recorded(self) -> dict[str, str]:
        """Each settings-dependent table and the digest it was last built from."""
        with open_working(self.db) as con:
            return dict(
                con.sql(
                    "select relation_name, fingerprint from meta.analysis_settings_built"
                ).fetchall()
            )

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def copy_project(root: Path) -> Path:
    root.mkdir()
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    (root / "tests").mkdir()
    shutil.copytree(PROJECT_ROOT / "tests" / "generic", root / "tests" / "generic")
    for path in (PROJECT_ROOT / "tests").glob("*.*"):
        shutil.copy(path, root / "tests" / path.name)
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("settings_edits")
    db = root / "warehouse.duckdb"
    load_raw(db, [*load_order(), write(root / "runs.jsonl")])
    built = Project(copy_project(root / "project"), db)
    # The second project with its own settings, less one tag its runs carry.
    catalog = [entry for entry in CONFIG["tag_catalog"] if entry["tag"] != "baseline"]
    built.edit(project_settings={SECOND: {**CONFIG, "tag_catalog": catalog}})
    built.build()
    yield built


def _set_catalog(project: Project, scope: str, catalog: list[dict[str, str]]) -> None:
    settings = project.settings.get("project_settings") or {}
    settings.setdefault(scope, {})["tag_catalog"] = catalog
    project.edit(project_settings=settings)


def test_a_new_tag_gets_its_column(project: Project) -> None:
    columns = [name for (name,) in project.query("select column_name from (describe marts.runs)")]
    assert "tag_baseline" not in columns
    # The edit: a tag the project's runs carry joins its catalog.
    before = project.recorded()
    _set_catalog(project, SECOND, CONFIG["tag_catalog"])
    project.build()
    records = runs()
    assert project.query(
        "select count_if(tag_baseline), count(tag_baseline) from marts.runs where project = ?",
        [PROJECT],
    ) == [(sum("baseline" in record["tags"] for record in records), len(records))]
    assert project.query(
        "select count(tag_baseline) from marts.runs where project = 'ft-small-lm'"
    ) == [(0,)]
    # Only marts.runs holds the catalog's columns; the pairs and the parse are untouched.
    after = project.recorded()
    assert {name for name in after if after[name] != before[name]} == {"marts.runs"}


def _agreements(project: Project, scope: str) -> dict[str, tuple[int, int]]:
    entity, name = scope.split("/")
    return {
        pair: (matching, shared)
        for pair, matching, shared in project.query(
            "select column_pair, matching_rows, shared_rows from marts.pretrain_overlap_summary "
            "where entity = ? and project = ?",
            [entity, name],
        )
    }


def test_a_pasted_suggestion_reports_the_agreement_it_quoted(project: Project) -> None:
    texts = {scope: suggest(project.db, scope) for scope in (SAMPLE, SECOND)}
    entries = {scope: parse_entry(text)[scope] for scope, text in texts.items()}
    project.edit(project_settings=entries)
    project.build()
    for scope, text in texts.items():
        quoted = quoted_agreements(text)
        assert quoted, scope
        assert _agreements(project, scope) == quoted, scope
    # The sample's suggestion carries the pairs' roles: its pretrain columns stay filled,
    # and the agreement rule still names the two diverging runs on both pairs.
    assert project.query(
        "select count(pretrain_steps), count(model_pretrain_compute) from marts.runs "
        "where project = 'ft-small-lm'"
    ) == [(120, 21)]
    assert project.query(
        "select count(distinct run_id), count(*) from marts.column_pair_overlap "
        "where project = 'ft-small-lm' and not is_match"
    ) == [(2, 4)]


def _config_values(key: str) -> dict[str, str]:
    """Each sample run's config value at `key` in its latest full fetch, as text."""
    latest: dict[str, tuple[str, Any]] = {}
    for path in load_order():
        if "history" in path.name or "sweep" in path.name or "artifact" in path.name:
            continue
        with gzip.open(path, "rt") as lines:
            for line in lines:
                record = json.loads(line)
                if "config" not in record or record.get("project") != "ft-small-lm":
                    continue
                fetched = record["fetched_at"]
                if record["name"] not in latest or latest[record["name"]][0] <= fetched:
                    latest[record["name"]] = (fetched, record)
    values = {}
    for run_id, (_, record) in latest.items():
        value = (record["config"].get(key) or {}).get("value")
        values[run_id] = "(missing)" if value is None else str(value)
    return values


def test_a_new_split_regroups_every_run(project: Project) -> None:
    before = project.recorded()
    second_split = project.query(
        "select distinct split_name from marts.runs where project = ?", [PROJECT]
    )
    split = {"name": "model_size", "source": "config", "path": "model_size", "groups": "value"}
    # The sample's own entry (pasted above, if that test ran) would override the defaults.
    settings = project.settings.get("project_settings") or {}
    settings.setdefault(SAMPLE, {})["comparison_split"] = split
    project.edit(project_settings=settings)
    project.build()
    groups = dict(
        project.query("select run_id, split_group from marts.runs where project = 'ft-small-lm'")
    )
    expected = _config_values("model_size")
    assert groups == {run_id: expected[run_id] for run_id in groups}
    assert set(groups.values()) == {"4M", "10M", "60M", "150M", "(missing)"}
    assert project.query(
        "select distinct split_name from marts.timeout_state_distribution "
        "where project = 'ft-small-lm'"
    ) == [("model_size",)]
    # The second project keeps its own split.
    assert (
        project.query("select distinct split_name from marts.runs where project = ?", [PROJECT])
        == second_split
    )
    # The split's path is a new value to read from each record: the staging parse and the
    # current runs were rebuilt; the pairs' tables were not (their settings are the same).
    after = project.recorded()
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {
        "staging.stg_wandb__run_fetches",
        "intermediate.int_runs__current",
        "marts.runs",
    }


def test_sync_sees_a_settings_edit_as_a_change(tmp_path: Path) -> None:
    """`sync` runs no build when nothing changed upstream and the project's fingerprint is
    the last build's: an edit of the settings changes that fingerprint."""
    root = copy_project(tmp_path / "project")
    assert project_fingerprint(root) == project_fingerprint()
    Project(root, tmp_path / "unused.duckdb").edit(
        project_settings={SECOND: {"comparison_split": CONFIG["comparison_split"]}}
    )
    assert project_fingerprint(root) != project_fingerprint()
