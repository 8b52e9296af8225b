"""Two projects in one warehouse, each with its own analysis settings: the bundled sample
on the defaults and a differently shaped project with an entry of its own in
project_settings. Each project's marts hold the answers computed here: the second
project's from its generated runs, the sample's equal to the sample built alone."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dbt_builds import BuiltWarehouse, build_and_publish, load_raw
from second_project import CONFIG, ENTITY, PROJECT, nested, runs, write

from extract.sample.files import load_order
from extract.suggest import parse_entry, suggest
from extract.warehouse.database import connect

SETTINGS = {"project_settings": {f"{ENTITY}/{PROJECT}": CONFIG}}
THIS_PROJECT = f"entity = '{ENTITY}' and project = '{PROJECT}'"
SAMPLE_PROJECT = "entity = 'datadecide-lab' and project = 'ft-small-lm'"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    root = tmp_path_factory.mktemp("any_project")
    db = root / "warehouse.duckdb"
    load_raw(db, [*load_order(), write(root / "runs.jsonl")])
    target = root / "target"
    build_and_publish(db, ["--vars", json.dumps(SETTINGS), "--target-path", str(target)])
    return BuiltWarehouse(db, target)


@pytest.fixture(scope="module")
def con(built: BuiltWarehouse) -> duckdb.DuckDBPyConnection:
    # The warehouse's own settings, so suggest() can open it in this process too.
    connection = connect(built.db, read_only=True)
    yield connection
    connection.close()


def _split(record: dict) -> str:
    return nested(record, "config", "optimizer.name") or "(missing)"


def test_builds_without_warnings_about_another_catalog(built: BuiltWarehouse) -> None:
    statuses = built.test_statuses()
    assert statuses, "the build ran no tests"
    flagged = {name: status for name, (status, _) in statuses.items() if status != "pass"}
    # Each project's tags are all in its own catalog, though neither catalog holds the
    # other's tags.
    assert "assert_tags_in_catalog" not in flagged
    assert not [name for name, status in flagged.items() if status in ("fail", "error")]


def test_tag_columns_follow_the_project_catalog(con: duckdb.DuckDBPyConnection) -> None:
    columns = [
        name for (name,) in con.sql("select column_name from (describe marts.runs)").fetchall()
    ]
    # The defaults' columns (the sample's catalog), then this project's.
    assert [name for name in columns if name.startswith("tag_")][-6:] == [
        "tag_match_150m",
        "tag_resnet18",
        "tag_resnet50",
        "tag_vit_s",
        "tag_augmix",
        "tag_baseline",
    ]
    expected = sum("augmix" in record["tags"] for record in runs())
    # A tag column is null on the runs of a project whose catalog lacks the tag.
    assert con.sql(
        f"select count_if(tag_augmix), count(tag_augmix), count(tag_4m) from marts.runs "
        f"where {THIS_PROJECT}"
    ).fetchone() == (expected, len(runs()), 0)
    assert con.sql(
        f"select count(tag_augmix), count(tag_4m) from marts.runs where {SAMPLE_PROJECT}"
    ).fetchone() == (0, 331)
    # The long form holds the same, whatever the columns.
    assert con.sql(
        f"select count(*) from marts.run_tags where {THIS_PROJECT} and tag = 'augmix'"
    ).fetchone() == (expected,)


def test_state_mix_per_split_group(con: duckdb.DuckDBPyConnection) -> None:
    expected = Counter((_split(record), record["state"]) for record in runs())
    found = con.sql(
        "select timeout_group, state, runs, split_name from marts.timeout_state_distribution "
        f"where {THIS_PROJECT}"
    ).fetchall()
    assert {(group, state): count for group, state, count, _ in found} == dict(expected)
    assert {name for *_, name in found} == {"optimizer"}
    assert {group for group, *_ in found} == {"adam", "sgd", "lion"}


def test_tag_prevalence_per_split_group(con: duckdb.DuckDBPyConnection) -> None:
    records = runs()
    found = {
        (group, tag): (tagged, group_runs, other_tagged, other_runs)
        for group, tag, tagged, group_runs, other_tagged, other_runs in con.sql(
            "select split_group, tag, tagged_runs, group_runs, other_tagged_runs, other_runs "
            f"from marts.tag_prevalence_by_group where {THIS_PROJECT}"
        ).fetchall()
    }
    for group in {_split(record) for record in records}:
        members = [record for record in records if _split(record) == group]
        others = [record for record in records if _split(record) != group]
        for entry in CONFIG["tag_catalog"]:
            tag = entry["tag"]
            assert found[(group, tag)] == (
                sum(tag in record["tags"] for record in members),
                len(members),
                sum(tag in record["tags"] for record in others),
                len(others),
            ), (group, tag)


def _pair_expectation(pair: dict) -> tuple[int, int, set[str]]:
    shared = matching = 0
    divergent = set()
    for record in runs():
        left = nested(record, "config", pair["config"])
        right = nested(record, "summary", pair["summary"])
        if left is None or right is None:
            continue
        shared += 1
        if str(left) == str(right):
            matching += 1
        else:
            divergent.add(record["name"])
    return shared, matching, divergent


def test_column_pairs_compare_their_nested_keys(con: duckdb.DuckDBPyConnection) -> None:
    summary = {
        pair: (shared, matching)
        for pair, shared, matching in con.sql(
            "select column_pair, shared_rows, matching_rows from marts.pretrain_overlap_summary "
            f"where {THIS_PROJECT}"
        ).fetchall()
    }
    for pair in CONFIG["column_pairs"]:
        shared, matching, divergent = _pair_expectation(pair)
        assert 0 < matching < shared, pair["name"]  # the data has both kinds
        assert summary[pair["name"]] == (shared, matching)
        found = {
            run_id
            for (run_id,) in con.execute(
                "select run_id from marts.column_pair_overlap "
                f"where {THIS_PROJECT} and column_pair = ? and not is_match",
                [pair["name"]],
            ).fetchall()
        }
        assert found == divergent
    # The pretrain columns stay empty here: no pair of this project has a pretrain role.
    assert con.sql(
        f"select count(pretrain_steps) from marts.runs where {THIS_PROJECT}"
    ).fetchone() == (0,)


def test_discovery_finds_the_pairs_from_the_data(con: duckdb.DuckDBPyConnection) -> None:
    top = con.sql(
        f"select config_key, summary_key from marts.key_overlap where {THIS_PROJECT} "
        "order by overlap_rank limit 2"
    ).fetchall()
    assert sorted(top) == [
        ("data.name", "dataset.name"),
        ("trainer.max_steps", "trainer.global_step"),
    ]
    profile = dict(
        con.sql(
            "select key_path, distinct_values from marts.key_profile "
            f"where {THIS_PROJECT} and source = 'config' and key_path = 'optimizer.name'"
        ).fetchall()
    )
    assert profile == {"optimizer.name": 3}


def test_suggest_prints_an_entry_for_this_project(
    built: BuiltWarehouse, con: duckdb.DuckDBPyConnection
) -> None:
    text = suggest(built.db, f"{ENTITY}/{PROJECT}")
    lines = text.splitlines()
    assert f"    {ENTITY}/{PROJECT}:" in lines
    # The dataset names agree on 90% of runs: suggested, under the name the settings give
    # that pair. Most runs that stopped early did not reach max_steps, so that pair agrees
    # too rarely and is only listed.
    assert any(
        line.startswith(
            '        - {name: dataset, config: "data.name", summary: "dataset.name", compare: text}'
        )
        for line in lines
    )
    assert any(
        line.startswith("        # - {name: train_steps,") and "compare: integer" in line
        for line in lines
    )
    assert any('path: "optimizer.name", groups: value}  # 3 values' in line for line in lines)
    assert '        - {tag: "augmix", category: augmentation}' in text
    assert "dclm-dolma" not in text
    entry = parse_entry(text)[f"{ENTITY}/{PROJECT}"]
    assert [pair["name"] for pair in entry["column_pairs"]] == ["dataset"]
    # Both pairs are printed as configured, so the agreement each quotes (suggested or
    # commented) is the one the marts report for it.
    printed = {
        found["name"]: (found["compare"], int(found["matching"]), int(found["shared"]))
        for line in lines
        if (
            found := re.search(
                r"\{name: (?P<name>\w+),.*compare: (?P<compare>\w+)\}"
                r"  # (?P<matching>\d+) of (?P<shared>\d+) runs agree",
                line,
            )
        )
    }
    reported = con.sql(
        "select summary.column_pair, pairs.compare_as, summary.matching_rows, "
        "summary.shared_rows from marts.pretrain_overlap_summary as summary "
        "inner join intermediate.int_column_pairs__configured as pairs "
        "on summary.column_pair = pairs.column_pair "
        f"where pairs.settings_scope = '{ENTITY}/{PROJECT}' "
        f"and summary.entity = '{ENTITY}' and summary.project = '{PROJECT}'"
    ).fetchall()
    assert printed == {
        name: (compare, matching, shared) for name, compare, matching, shared in reported
    }


def test_suggest_on_a_warehouse_without_marts_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    from extract.errors import UserError

    with pytest.raises(UserError, match="run `dbt build` first"):
        suggest(db, None)


# Every mart with a row per run or per project and group, and its key: the sample's rows
# must not change when another project with other settings shares the warehouse.
SAMPLE_MARTS = {
    "runs": "run_id",
    "pretrain_overlap": "run_id",
    "pretrain_overlap_summary": "column_pair",
    "column_pair_overlap": "run_id, column_pair",
    "timeout_state_distribution": "timeout_group, state",
    "timeout_tag_prevalence": "tag",
    "tag_prevalence_by_group": "split_group, tag",
    "run_tags": "run_id, tag",
}


@pytest.mark.parametrize("mart", sorted(SAMPLE_MARTS))
def test_the_sample_keeps_its_own_settings(
    mart: str, con: duckdb.DuckDBPyConnection, sample_con: duckdb.DuckDBPyConnection
) -> None:
    order = SAMPLE_MARTS[mart]
    # Columns that name the build or another project's catalog are left out.
    columns = [
        name
        for (name,) in sample_con.sql(f"select column_name from (describe marts.{mart})").fetchall()
        if name not in ("last_load_id", "touched_by_load_id", "version_count")
    ]
    query = f"select {', '.join(columns)} from marts.{mart} where {SAMPLE_PROJECT} order by {order}"
    alone = sample_con.sql(query).fetchall()
    assert alone
    assert con.sql(query).fetchall() == alone
