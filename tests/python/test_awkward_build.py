"""Awkward real-world data builds without error and lands where the models say.

Two hand-written loads (tests/fixtures/awkward_runs_*.jsonl): NaN/Infinity summaries,
integers past 2^63, messy tags (comma-joined, duplicated, blank, unknown, a plain string),
empty config, a `{"value": null}` timeout, one run id in two projects, a run deleted
upstream (absent from the second, complete, load), a light row following a full one, and a
project whose runtime is zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_builds import BuiltWarehouse, build_warehouse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    root = tmp_path_factory.mktemp("awkward")
    files = sorted(FIXTURES.glob("awkward_runs_*.jsonl"))
    assert len(files) == 2
    return build_warehouse(root / "awkward.duckdb", files, root / "target")


@pytest.fixture(scope="module")
def con(awkward: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(awkward.db), read_only=True)
    yield connection
    connection.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    result = con.sql(sql).fetchall()
    assert len(result) == 1, result
    return result[0]


def test_deleted_run_stays_in_the_warehouse_but_leaves_the_marts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    current = "intermediate.int_runs__current"
    assert one(con, f"select is_deleted_upstream from {current} where run_id = 'doomed'") == (True,)
    assert one(con, "select count(*) from marts.runs where run_id = 'doomed'") == (0,)
    assert one(con, f"select count(*) from {current} where is_deleted_upstream") == (1,)


def test_same_run_id_in_two_projects_is_two_runs(con: duckdb.DuckDBPyConnection) -> None:
    found = con.sql(
        "select project, run_name, pretrain_steps from marts.runs "
        "where run_id = 'same-id' order by project"
    ).fetchall()
    assert found == [
        ("alpha", "same id in alpha", Decimal(7)),
        ("beta", "same id in beta", Decimal(8)),
    ]


def test_big_integers_are_exact(con: duckdb.DuckDBPyConnection) -> None:
    big = Decimal("123456789012345678901234567")
    assert one(
        con,
        "select pretrain_steps, model_pretrain_steps, pretrain_compute, model_pretrain_compute"
        " from marts.runs where run_id = 'big-ints'",
    ) == (Decimal(15000), Decimal(29901), big, big)
    assert one(
        con,
        "select steps_match, compute_match from marts.pretrain_overlap where run_id = 'big-ints'",
    ) == (False, True)
    assert one(
        con,
        "select value_integer, json_type from intermediate.int_runs__summary_values"
        " where run_id = 'big-ints' and key_path = 'huge'",
    ) == (Decimal("98765432109876543210"), "double")


def test_nan_and_infinity_summaries_are_kept_as_written(con: duckdb.DuckDBPyConnection) -> None:
    found = dict(
        (key, (text, number))
        for key, text, number in con.sql(
            "select key_path, value_text, value_number from intermediate.int_runs__summary_values"
            " where run_id = 'nan-summary'"
        ).fetchall()
    )
    assert found["loss"] == ("NaN", None)
    assert found["best"] == ("Infinity", None)
    assert found["worst"] == ("-Infinity", None)
    assert found["nested.a[1]"] == ("NaN", None)
    assert found["_runtime"] == ("1190.5", 1190.5)
    assert one(con, "select runtime_seconds from marts.runs where run_id = 'nan-summary'") == (
        1190.5,
    )


def test_messy_tags_are_split_sorted_and_deduplicated(con: duckdb.DuckDBPyConnection) -> None:
    tags = dict(con.sql("select run_id, tags from marts.runs where project = 'alpha'").fetchall())
    assert tags["messy-tags"] == ["10mtx1", "4M", "brand-new-tag", "finetune"]
    assert tags["string-tags"] == ["dclm-dolma", "dolma-qc"]
    assert tags["empty-config"] == []
    assert tags["null-timeout"] == []
    assert one(
        con,
        "select tag_4m, tag_10mtx1, tag_finetune, tag_dclm_dolma from marts.runs "
        "where run_id = 'messy-tags'",
    ) == (True, True, True, False)


def test_timeouts(con: duckdb.DuckDBPyConnection) -> None:
    found = dict(
        (run_id, (seconds, has_timeout))
        for run_id, seconds, has_timeout in con.sql(
            "select run_id, timeout_seconds, has_timeout from marts.runs where project = 'alpha'"
        ).fetchall()
    )
    assert found["null-timeout"] == (None, False)
    assert found["empty-config"] == (None, False)
    assert found["nan-summary"] == (1800.0, True)
    assert found["messy-tags"] == (3600.0, True)


def test_light_row_carries_config_and_summary_forward(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        "select state, tags, timeout_seconds, pretrain_steps, model_pretrain_steps, runtime_seconds"
        " from marts.runs where run_id = 'goes-light'",
    ) == ("finished", ["4M", "finetune"], 1800.0, Decimal(500), Decimal(500), 100.0)
    changes = con.sql(
        "select field, old_value, new_value from marts.run_changes"
        " where run_id = 'goes-light' order by field"
    ).fetchall()
    assert changes == [("state", "running", "finished"), ("tags", "", "4M,finetune")]


def test_data_rule_warnings_name_the_offenders(
    awkward: BuiltWarehouse, con: duckdb.DuckDBPyConnection
) -> None:
    statuses = awkward.test_statuses()
    assert not [name for name, (status, _) in statuses.items() if status in ("fail", "error")]
    warned = {name: failures for name, (status, failures) in statuses.items() if status == "warn"}
    assert warned == {
        "assert_tags_in_catalog": 1,
        "assert_column_pair_values_typed": 1,
        "assert_timeouts_in_allowed_list": 1,
        "assert_pretrain_values_agree": 1,
        "assert_runtime_recorded": 2,
    }
    # `big-ints` is 'running' with its last heartbeat 5 days before the load, but none of
    # these runs has history stored: no progress rule judges them.
    assert statuses["assert_running_runs_alive"] == ("pass", 0)
    judged = one(con, "select count_if(history_known), count(*) from marts.run_progress")
    assert judged[0] == 0 < judged[1]
    unknown = awkward.failing_rows("assert_tags_in_catalog")
    assert [(row["run_id"], row["tag"]) for row in unknown] == [("messy-tags", "brand-new-tag")]
    untyped = awkward.failing_rows("assert_column_pair_values_typed")
    assert [(row["run_id"], row["key_path"], row["value_text"]) for row in untyped] == [
        ("messy-tags", "pretrain_steps", "abc")
    ]
    timeouts = awkward.failing_rows("assert_timeouts_in_allowed_list")
    assert [(row["run_id"], row["timeout_text"]) for row in timeouts] == [("messy-tags", "3600")]
    runtime = awkward.failing_rows("assert_runtime_recorded")
    assert sorted((row["project"], row["run_id"]) for row in runtime) == [
        ("beta", "beta-zero-1"),
        ("beta", "same-id"),
    ]


def test_any_config_key_is_queryable(con: duckdb.DuckDBPyConnection) -> None:
    found = dict(
        con.sql(
            "select key_path, value_text from intermediate.int_runs__config_values"
            " where run_id = 'messy-tags'"
        ).fetchall()
    )
    assert found == {
        "pretrain_steps": "abc",
        "model_name.size": "4M",
        "model_name.layers[0]": "1",
        "model_name.layers[1]": "2",
        "timeout": "3600",
    }
    assert one(
        con,
        "select value_integer from intermediate.int_runs__config_values"
        " where run_id = 'big-ints' and key_path = 'pretrain_compute'",
    ) == (Decimal("123456789012345678901234567"),)
