"""The marts, built by dbt from the bundled sample, reproduce the original analysis."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml
from conftest import run_cli
from dbt_builds import BuiltWarehouse

from extract.suggest import parse_entry, quoted_agreements
from extract.warehouse.database import PROJECT_ROOT
from extract.warehouse.dbt import run_dbt


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def test_analysed_runs(sample_con: duckdb.DuckDBPyConnection) -> None:
    assert rows(sample_con, "select count(*) from intermediate.int_runs__current") == [(334,)]
    assert rows(sample_con, "select count(*) from marts.runs") == [(331,)]
    out_of_scope = rows(
        sample_con,
        """
        select count(*), max(created_at) < '2025-08-21'::timestamptz
        from intermediate.int_runs__in_scope
        inner join intermediate.int_runs__current using (entity, project, run_id)
        where not is_in_scope
        """,
    )
    assert out_of_scope == [(3, True)]


def test_pretrain_overlap_summary(sample_con: duckdb.DuckDBPyConnection) -> None:
    summary = rows(
        sample_con,
        """
        select column_pair, shared_rows, matching_rows, divergent_rows, match_rate
        from marts.pretrain_overlap_summary order by column_pair
        """,
    )
    assert [row[:4] for row in summary] == [("compute", 21, 19, 2), ("steps", 21, 19, 2)]
    assert all(abs(row[4] - 19 / 21) < 1e-12 for row in summary)


def test_divergent_runs(sample_con: duckdb.DuckDBPyConnection) -> None:
    divergent = rows(
        sample_con,
        """
        select experiment_group, state, created_at::date, steps_match, compute_match,
            pretrain_steps, model_pretrain_steps, pretrain_compute, model_pretrain_compute
        from marts.pretrain_overlap
        where not steps_match or not compute_match
        order by run_name
        """,
    )
    assert len(divergent) == 2
    for row in divergent:
        assert row[:5] == ("test_match_60M", "running", date(2025, 9, 5), False, False)
    assert (
        Decimal(15000),
        Decimal(29901),
        Decimal(2887188480000000000),
        Decimal(5755321516032000000),
    ) in [row[5:] for row in divergent]
    # 2^63 < ... values are compared exactly: the table is DECIMAL(38,0), not DOUBLE.
    types = dict(rows(sample_con, "select column_name, column_type from (describe marts.runs)"))
    assert types["pretrain_compute"] == types["model_pretrain_compute"] == "DECIMAL(38,0)"


def test_timeout_by_state(sample_con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        ((group, state), runs)
        for group, state, runs in rows(
            sample_con, "select timeout_group, state, runs from marts.timeout_state_distribution"
        )
    )
    assert counts == {
        ("timeout", "finished"): 133,
        ("timeout", "running"): 49,
        ("timeout", "crashed"): 8,
        ("timeout", "failed"): 6,
        ("no_timeout", "finished"): 116,
        ("no_timeout", "running"): 5,
        ("no_timeout", "crashed"): 13,
        ("no_timeout", "failed"): 1,
    }
    share = rows(
        sample_con,
        """
        select share_of_group from marts.timeout_state_distribution
        where timeout_group = 'timeout' and state = 'finished'
        """,
    )
    assert abs(share[0][0] - 133 / 196) < 1e-12
    assert rows(sample_con, "select distinct timeout_seconds from marts.runs order by 1") == [
        (1800.0,),
        (None,),
    ]


def test_tag_prevalence(sample_con: duckdb.DuckDBPyConnection) -> None:
    prevalence = {
        tag: (timeout_runs, timed, no_timeout_runs, untimed, difference)
        for tag, timeout_runs, timed, no_timeout_runs, untimed, difference in rows(
            sample_con,
            """
            select tag, timeout_runs, timeout_group_runs, no_timeout_runs,
                no_timeout_group_runs, share_difference
            from marts.timeout_tag_prevalence
            """,
        )
    }
    assert len(prevalence) == 18
    assert all(timed == 196 and untimed == 135 for _, timed, _, untimed, _ in prevalence.values())
    expected = {"dclm-dolma": (84, 121), "dolma-qc": (70, 93), "60M": (28, 0), "10M": (24, 0)}
    expected |= {tag: (16, 0) for tag in ("1mtx1", "1mtx10", "1mtx100", "10mtx1", "10mtx10")}
    expected["100mt"] = (16, 0)
    for tag, (timed_runs, untimed_runs) in expected.items():
        assert (prevalence[tag][0], prevalence[tag][2]) == (timed_runs, untimed_runs), tag
        difference = timed_runs / 196 - untimed_runs / 135
        assert abs(prevalence[tag][4] - difference) < 1e-12, tag
    # Every catalogued tag occurs in the sample.
    assert all(item[0] + item[2] > 0 for item in prevalence.values())


def test_tag_columns_follow_the_catalog(sample_con: duckdb.DuckDBPyConnection) -> None:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    catalog = [entry["tag"] for entry in project["vars"]["tag_catalog"]]
    expected = ["tag_" + re.sub("[^a-z0-9]", "_", tag.lower()) for tag in catalog]
    columns = [
        name
        for (name,) in rows(sample_con, "select column_name from (describe marts.runs)")
        if name.startswith("tag_")
    ]
    assert columns == expected
    counts = rows(
        sample_con,
        "select count(*) filter (where tag_dclm_dolma), count(*) filter (where tag_10mtx1),"
        " count(*) filter (where tag_match_60m) from marts.runs",
    )
    assert counts == [(205, 16, 4)]


def test_tag_coverage_shows_the_sync_bug(sample_con: duckdb.DuckDBPyConnection) -> None:
    coverage = rows(
        sample_con,
        """
        select load_number, created_month >= '2025-09-01' as from_september,
            sum(runs), sum(runs_with_tags)
        from marts.tag_coverage
        group by all order by all
        """,
    )
    assert coverage == [
        (1, False, 126, 126),
        (1, True, 208, 73),
        (2, False, 126, 126),
        (2, True, 208, 208),
    ]


def test_run_changes_show_tags_added_between_loads(sample_con: duckdb.DuckDBPyConnection) -> None:
    changes = rows(
        sample_con,
        """
        select field, old_value = '', new_value <> '', count(*)
        from marts.run_changes group by all order by all
        """,
    )
    assert changes == [("tags", True, True, 135)]
    untagged_at_first_load = rows(
        sample_con,
        """
        select count(*) from intermediate.int_runs__state_at_load
        where load_number = 1 and not has_tags
            and run_id in (select run_id from marts.run_changes where field = 'tags')
        """,
    )
    assert untagged_at_first_load == [(135,)]


def test_runtime_is_recorded(sample_con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        sample_con, "select count(*) from marts.runs where coalesce(runtime_seconds, 0) <= 0"
    ) == [(0,)]


def test_key_overlap_finds_the_pretrain_pairs(sample_con: duckdb.DuckDBPyConnection) -> None:
    """From the data alone, not from names: the two pretrain pairs rank first, 19 of 21."""
    top = rows(
        sample_con,
        """
        select config_key, summary_key, shared_runs, matching_runs, divergent_runs
        from marts.key_overlap order by overlap_rank limit 2
        """,
    )
    assert sorted(top) == [
        ("pretrain_compute", "model_pretrain_compute", 21, 19, 2),
        ("pretrain_steps", "model_pretrain_steps", 21, 19, 2),
    ]


def test_suggest_on_the_sample(
    sample_warehouse: BuiltWarehouse, sample_con: duckdb.DuckDBPyConnection
) -> None:
    env = {"WANDB_DIR": str(sample_warehouse.db.parent)}
    result = run_cli(["suggest", "--db", str(sample_warehouse.db)], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "    datadecide-lab/ft-small-lm:" in lines
    entry = parse_entry(result.stdout)["datadecide-lab/ft-small-lm"]
    # The pairs the settings hold keep their names and roles, so pasting the entry keeps
    # marts.runs' pretrain columns filled.
    assert [
        (pair["name"], pair["config"], pair["summary"], pair["compare"], pair.get("role"))
        for pair in entry["column_pairs"]
    ] == [
        ("compute", "pretrain_compute", "model_pretrain_compute", "integer", "pretrain_compute"),
        ("steps", "pretrain_steps", "model_pretrain_steps", "integer", "pretrain_steps"),
    ]
    # As configured today, so the quoted agreement is the one the marts report.
    reported = rows(
        sample_con,
        "select column_pair, matching_rows, shared_rows from marts.pretrain_overlap_summary",
    )
    assert quoted_agreements(result.stdout) == {
        name: (matching, shared) for name, matching, shared in reported
    }
    assert quoted_agreements(result.stdout) == {"compute": (19, 21), "steps": (19, 21)}
    # Both alternatives pair max_train_steps with a summary key: their names still differ.
    every_pair = [line for line in lines if "{name:" in line and "config: " in line]
    names = [line.split("{name: ")[1].split(",")[0] for line in every_pair]
    assert "max_train_steps__train_global_step" in names
    assert len(set(names)) == len(names) == 4
    assert entry["comparison_split"] == {
        "name": "timeout",
        "source": "config",
        "path": "timeout",
        "groups": "presence",
    }
    assert '        - {tag: "dclm-dolma", category: dataset}  # 205 runs' in lines


def test_every_source_has_a_freshness_rule(
    sample_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """`dbt source freshness` judges every raw table; the sample (an export of
    2025-09-10) is stale by design, so each warns, as of when W&B was observed."""
    # dbt reads the raw layer of the working files: the session's readers of the
    # published file are no obstacle.
    run_dbt(
        ["source", "freshness", "--target-path", str(tmp_path / "target")],
        sample_warehouse.db,
        quiet=True,
    )
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    judged = {
        r["unique_id"].split(".")[-1]: (r["status"], r["max_loaded_at"][:16]) for r in results
    }
    sample_tables = {
        "wandb_runs",
        "wandb_loads",
        "wandb_listings",
        "wandb_history",
        "wandb_sweeps",
        "wandb_artifact_fetches",
        "wandb_run_artifacts",
    }
    assert {table: judged[table][0] for table in sample_tables} == dict.fromkeys(
        sample_tables, "warn"
    )
    # Listings and history: the newest load that stored them (a history load is as of its
    # newest logged row); artifacts: their newest read.
    assert judged["wandb_listings"][1] == "2025-09-10T18:00"
    assert judged["wandb_history"][1] == "2025-09-10T05:52"
    assert judged["wandb_artifact_fetches"][1] == judged["wandb_run_artifacts"][1]
    assert judged["wandb_run_artifacts"][1] == "2025-09-10T18:00"
