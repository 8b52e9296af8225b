"""`wandb-warehouse suggest`: the analysis configuration a synced project's data suggests.

Reads what `dbt build` discovered (marts.key_profile, marts.key_overlap and the run tags)
and prints a block to paste under `vars:` in dbt_project.yml: the most common tags, the
config/summary pairs whose values agree, and a comparison split. The picks are rules over
the discovery marts, stated next to each function; the alternatives are printed as
comments, so the user chooses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.warehouse.database import connect

MAX_TAGS = 30
# A pair is suggested when its runs agree this often; weaker candidates are listed as
# comments.
MIN_PAIR_MATCH_RATE = 0.8
MAX_PAIR_ALTERNATIVES = 5
# A presence split: a flag-like key (few distinct values) that some runs set and others
# do not. A value split: a key nearly every run sets, with a handful of values.
PRESENCE_SHARE = (0.1, 0.9)
PRESENCE_MAX_VALUES = 3
VALUE_MIN_SHARE = 0.9
VALUE_VALUES = (2, 6)
SIZE_TAG = re.compile(r"^\d+(\.\d+)?[kKmMbB]$")


@dataclass(frozen=True)
class Pair:
    config_key: str
    summary_key: str
    shared_runs: int
    matching_runs: int
    match_rate: float
    compare: str


@dataclass(frozen=True)
class Split:
    path: str
    groups: str
    runs_with_key: int
    profiled_runs: int
    distinct_values: int


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def choose_project(con: duckdb.DuckDBPyConnection, wanted: str | None) -> tuple[str, str]:
    projects = _rows(
        con, "select distinct entity, project from marts.key_profile order by 1, 2", []
    )
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
    found = _rows(
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


def pairs(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[Pair]:
    """key_overlap's candidates in rank order, compared as integers when both keys hold
    integers (or numeric text), as numbers when both are numeric, else as text."""
    found = _rows(
        con,
        """
        select
            overlap.config_key, overlap.summary_key, overlap.shared_runs,
            overlap.matching_runs, overlap.match_rate,
            config_profile.inferred_type, summary_profile.inferred_type
        from marts.key_overlap as overlap
        left join marts.key_profile as config_profile
            on config_profile.entity = overlap.entity
            and config_profile.project = overlap.project
            and config_profile.source = 'config'
            and config_profile.key_path = overlap.config_key
        left join marts.key_profile as summary_profile
            on summary_profile.entity = overlap.entity
            and summary_profile.project = overlap.project
            and summary_profile.source = 'summary'
            and summary_profile.key_path = overlap.summary_key
        where overlap.entity = ? and overlap.project = ?
        order by overlap.overlap_rank
        """,
        [entity, project],
    )
    return [
        Pair(config_key, summary_key, shared, matching, rate, _compare(config_type, summary_type))
        for config_key, summary_key, shared, matching, rate, config_type, summary_type in found
    ]


def _compare(*types: str | None) -> str:
    if all(kind in ("integer", "numeric text") for kind in types):
        return "integer"
    if all(kind in ("integer", "number", "numeric text") for kind in types):
        return "number"
    return "text"


def splits(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[Split]:
    """Split candidates from key_profile's config keys (W&B's own `_wandb.*` excluded):
    presence splits first, the most balanced then the fewest values; then value splits,
    the fewest values first."""
    found = _rows(
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


def identifier(path: str) -> str:
    """A key path as a name for the configuration (data.name -> data_name)."""
    return re.sub(r"[^a-z0-9_]", "_", path.lower())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(
    entity: str,
    project: str,
    found_tags: list[tuple[str, str, int]],
    found_pairs: list[Pair],
    found_splits: list[Split],
) -> str:
    lines = [
        f"# Suggested by `wandb-warehouse suggest {entity}/{project}` from its analysed runs.",
        "# Paste under `vars:` in dbt_project.yml (replacing the same keys), edit, then run",
        "# `dbt build --full-refresh`. Commented lines are the next candidates.",
        "tag_catalog:",
    ]
    if not found_tags:
        lines[-1] = "tag_catalog: []  # no run carries a tag"
    for tag, category, runs in found_tags:
        lines.append(f"  - {{tag: {_quote(tag)}, category: {category}}}  # {runs} runs")
    chosen = [pair for pair in found_pairs if pair.match_rate >= MIN_PAIR_MATCH_RATE]
    others = [pair for pair in found_pairs if pair not in chosen][:MAX_PAIR_ALTERNATIVES]
    lines.append("column_pairs:" if chosen else "column_pairs: []")
    listed = chosen + others
    # A pair is named for its config key, and for both keys where that key is in two
    # listed pairs: pair names must differ once the commented lines are uncommented.
    config_keys = Counter(pair.config_key for pair in listed)
    for pair in listed:
        prefix = "  - " if pair in chosen else "  # - "
        name = identifier(pair.config_key)
        if config_keys[pair.config_key] > 1:
            name = f"{name}__{identifier(pair.summary_key).strip('_')}"
        lines.append(
            f"{prefix}{{name: {name}, "
            f"config: {_quote(pair.config_key)}, summary: {_quote(pair.summary_key)}, "
            f"compare: {pair.compare}}}  # {pair.matching_runs} of {pair.shared_runs} runs agree"
        )
    for index, split in enumerate(found_splits):
        prefix = "" if index == 0 else "# "
        name = identifier(split.path)
        if split.groups == "presence":
            why = f"set on {split.runs_with_key} of {split.profiled_runs} runs"
        else:
            why = (
                f"{split.distinct_values} values on {split.runs_with_key} "
                f"of {split.profiled_runs} runs"
            )
        lines.append(
            f"{prefix}comparison_split: {{name: {name}, source: config, path: "
            f"{_quote(split.path)}, groups: {split.groups}}}  # {why}"
        )
    if not found_splits:
        lines.append("# comparison_split: no config key splits the runs (keep the current one)")
    return "\n".join(lines) + "\n"


def suggest(db: Path, wanted: str | None) -> str:
    con = connect(db, read_only=True)
    try:
        (built,) = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name in ('key_profile', 'key_overlap')"
        ).fetchone()
        if built < 2:
            raise UserError(f"{db} has no discovery marts yet: run `dbt build` first")
        entity, project = choose_project(con, wanted)
        return render(
            entity,
            project,
            tags(con, entity, project),
            pairs(con, entity, project),
            splits(con, entity, project),
        )
    finally:
        con.close()
