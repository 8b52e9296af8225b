"""The queries over a built warehouse that find what `suggest` prints: the project, its
tags, key_overlap's candidate pairs, the pairs its settings hold now, and split
candidates from key_profile."""

from __future__ import annotations

import re

import duckdb

from extract.errors import UserError
from extract.suggest.found import Candidate, ConfiguredPair, Split

MAX_TAGS = 30
# A presence split: a flag-like key (few distinct values) that some runs set and others
# do not. A value split: a key nearly every run sets, with a handful of values.
PRESENCE_SHARE = (0.1, 0.9)
PRESENCE_MAX_VALUES = 3
VALUE_MIN_SHARE = 0.9
VALUE_VALUES = (2, 6)
SIZE_TAG = re.compile(r"^\d+(\.\d+)?[kKmMbB]$")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def choose_project(con: duckdb.DuckDBPyConnection, wanted: str | None) -> tuple[str, str]:
    projects = rows(con, "select distinct entity, project from marts.key_profile order by 1, 2", [])
    names = [f"{entity}/{project}" for entity, project in projects]
    if wanted is None:
        if len(projects) != 1:
            listed = ", ".join(names) or "none"
            raise UserError(f"name a project: ENTITY/PROJECT (the warehouse holds {listed})")
        return projects[0]
    if wanted not in names:
        raise UserError(
            f"no analysed runs of {wanted} in the warehouse (it holds: {', '.join(names)})"
        )
    entity, project = wanted.split("/", 1)
    return entity, project


def tags(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[tuple[str, str, int]]:
    """The most common tags of the analysed runs: (tag, category, runs). A catalogued tag
    keeps its category; a size-like tag (60M, 1.3B) is a model_size; others are 'other'."""
    found = rows(
        con,
        """
        select tags.tag, any_value(tags.tag_category), count(*) as runs
        from intermediate.int_runs__tags as tags
        inner join intermediate.int_runs__in_scope as in_scope
            using (entity, project, run_id)
        where in_scope.is_analysed and tags.entity = ? and tags.project = ?
        group by tags.tag
        order by runs desc, tags.tag
        limit ?
        """,
        [entity, project, MAX_TAGS],
    )
    return [
        (tag, category or ("model_size" if SIZE_TAG.match(tag) else "other"), runs)
        for tag, category, runs in found
    ]


def candidates(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[Candidate]:
    """key_overlap's candidate pairs in rank order."""
    found = rows(
        con,
        """
        select config_key, summary_key, match_rate
        from marts.key_overlap
        where entity = ? and project = ?
        order by overlap_rank
        """,
        [entity, project],
    )
    return [Candidate(*row) for row in found]


def configured_pairs(
    con: duckdb.DuckDBPyConnection, entity: str, project: str
) -> list[ConfiguredPair]:
    """The column pairs the project's settings hold now: its own (settings_scope
    'entity/project') if it has them, else the defaults ('*'). A build older than
    per-project settings has no scope and no roles: all its pairs, without roles."""
    columns = {
        name
        for (name,) in rows(
            con,
            "select column_name from information_schema.columns "
            "where table_schema = 'intermediate' "
            "and table_name = 'int_column_pairs__configured'",
            [],
        )
    }
    if not columns:
        return []
    role = next((f"pairs.{name}" for name in ("role", "pair_role") if name in columns), "null")
    if "settings_scope" not in columns:
        role, scope_filter, params = "null", "", []
    else:
        scope_filter = """
        where pairs.settings_scope = coalesce(
            (
                select any_value(own.settings_scope)
                from intermediate.int_column_pairs__configured as own
                where own.settings_scope = ?
            ),
            '*'
        )
        """
        params = [f"{entity}/{project}"]
    found = rows(
        con,
        f"""
        select pairs.column_pair, pairs.config_path, pairs.summary_path, pairs.compare_as,
            {role}
        from intermediate.int_column_pairs__configured as pairs
        {scope_filter}
        order by pairs.pair_order
        """,
        params,
    )
    return [ConfiguredPair(*row) for row in found]


def splits(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[Split]:
    """Split candidates from key_profile's config keys (W&B's own `_wandb.*` excluded):
    presence splits first, the most balanced then the fewest values; then value splits,
    the fewest values first."""
    found = rows(
        con,
        """
        select key_path, runs_with_key, profiled_runs, distinct_values, share_of_runs
        from marts.key_profile
        where entity = ? and project = ? and source = 'config'
            and key_path not like '\\_wandb.%' escape '\\'
            and inferred_type in ('integer', 'number', 'text', 'numeric text', 'boolean')
        """,
        [entity, project],
    )
    presence = [
        row
        for row in found
        if PRESENCE_SHARE[0] <= row[4] <= PRESENCE_SHARE[1] and row[3] <= PRESENCE_MAX_VALUES
    ]
    presence.sort(key=lambda row: (-min(row[4], 1 - row[4]), row[3], row[0]))
    by_value = [
        row
        for row in found
        if row[4] >= VALUE_MIN_SHARE and VALUE_VALUES[0] <= row[3] <= VALUE_VALUES[1]
    ]
    by_value.sort(key=lambda row: (row[3], row[0]))
    return [Split(row[0], "presence", row[1], row[2], row[3]) for row in presence[:3]] + [
        Split(row[0], "value", row[1], row[2], row[3]) for row in by_value[:3]
    ]
