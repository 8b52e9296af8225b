"""`wandb-warehouse suggest`: the analysis settings a synced project's data suggests.

Prints the project's entry for `project_settings:` in dbt_project.yml's vars, indented to
paste directly under `  project_settings:`: its tag catalog (the most common tags, none
two of which share a marts.runs column), its column pairs (config/summary keys whose
values agree) and its comparison split. Pasting it changes that project only, and the
next `dbt build` (or `wandb-warehouse sync`) rebuilds what it changes.

Candidates are found and ranked on what `dbt build` discovered (marts.key_profile and
marts.key_overlap, over a sample of at most key_discovery_max_runs runs). Each pair's
compare kind and the agreement quoted next to it ("N of M runs agree") are computed over
every analysed run, as the build compares a configured pair
(int_runs__column_pair_values), so the quote is what marts.column_pair_overlap and
marts.pretrain_overlap_summary report once the entry is pasted and built. A suggested pair
that the project's settings already hold keeps its name and role. The picks are rules
stated next to each function; the alternatives are printed as comments, so the user
chooses. `parse_entry` and `quoted_agreements` read a printed entry back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from extract.errors import UserError
from extract.warehouse.database import connect

MAX_TAGS = 30
# A pair is suggested when its runs agree this often (in marts.key_overlap); weaker
# candidates are listed as comments.
MIN_PAIR_MATCH_RATE = 0.8
MAX_PAIR_ALTERNATIVES = 5
# A presence split: a flag-like key (few distinct values) that some runs set and others
# do not. A value split: a key nearly every run sets, with a handful of values.
PRESENCE_SHARE = (0.1, 0.9)
PRESENCE_MAX_VALUES = 3
VALUE_MIN_SHARE = 0.9
VALUE_VALUES = (2, 6)
SIZE_TAG = re.compile(r"^\d+(\.\d+)?[kKmMbB]$")
# Where the entry sits in dbt_project.yml: vars (0) > project_settings (2) > project (4).
ENTRY_INDENT = " " * 4
KEY_INDENT = " " * 6
ITEM_INDENT = " " * 8
# A YAML plain scalar that stays a string: anything else is double-quoted.
PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
PAIR_LINE = re.compile(
    r"^\s*- \{name: (?P<name>.+?), config: .*# (?P<matching>\d+) of (?P<shared>\d+) runs agree"
)


@dataclass(frozen=True)
class Candidate:
    """A candidate pair of marts.key_overlap, with its match rate on the discovery sample."""

    config_key: str
    summary_key: str
    match_rate: float


@dataclass(frozen=True)
class ValueCounts:
    """What one key holds across a project's analysed runs, read as the build reads it."""

    values: int  # runs where the key holds a value (JSON null is none)
    integers: int  # exact integers: 5000, "5000", 5000.0, integers past 2^63
    numbers: int  # finite numbers (integers included), written as numbers or text
    non_finite: int  # NaN and ±Infinity


@dataclass(frozen=True)
class Agreement:
    """A config/summary pair over a project's analysed runs: what each key holds and, per
    compare kind, (shared runs, matching runs) as marts.column_pair_overlap counts them."""

    config: ValueCounts
    summary: ValueCounts
    by_compare: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Pair:
    config_key: str
    summary_key: str
    compare: str
    # The agreement the pasted entry reports: all analysed runs, under `compare`.
    shared_runs: int
    matching_runs: int
    # marts.key_overlap's match rate, which chooses the pair; None for a configured pair
    # that is listed because it is configured, not because it is a candidate.
    match_rate: float | None


@dataclass(frozen=True)
class ConfiguredPair:
    """A column pair of the project's current settings (int_column_pairs__configured)."""

    name: str
    config_key: str
    summary_key: str
    compare: str
    role: str | None


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


def tag_column(tag: str) -> str:
    """The marts.runs column of a catalogued tag, as macros/runs/tag_column_name.sql names
    it: 'tag_' + the tag lowercased, every character outside [a-z0-9] replaced by '_'."""
    return "tag_" + re.sub(r"[^a-z0-9]", "_", tag.lower())


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


def candidates(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> list[Candidate]:
    """key_overlap's candidate pairs in rank order."""
    found = _rows(
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


def listed(found: Sequence[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """The suggested candidates (those agreeing at least MIN_PAIR_MATCH_RATE) and the
    alternatives listed as comments (the next MAX_PAIR_ALTERNATIVES)."""
    chosen = [pair for pair in found if pair.match_rate >= MIN_PAIR_MATCH_RATE]
    others = [pair for pair in found if pair.match_rate < MIN_PAIR_MATCH_RATE]
    return chosen, others[:MAX_PAIR_ALTERNATIVES]


def configured_pairs(
    con: duckdb.DuckDBPyConnection, entity: str, project: str
) -> list[ConfiguredPair]:
    """The column pairs the project's settings hold now: its own (settings_scope
    'entity/project') if it has them, else the defaults ('*'). A build older than
    per-project settings has no scope and no roles: all its pairs, without roles."""
    columns = {
        name
        for (name,) in _rows(
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
    found = _rows(
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


def compare_for(config: ValueCounts, summary: ValueCounts) -> str:
    """How to compare a pair, from the values its keys hold: integer when every value of
    both keys is an exact integer (NaN and Infinity aside, which no comparison matches),
    number when every value is a number, else text."""

    def all_of(kind: str) -> bool:
        return all(
            getattr(key, kind) > 0 and getattr(key, kind) + key.non_finite == key.values
            for key in (config, summary)
        )

    if all_of("integers"):
        return "integer"
    if all_of("numbers"):
        return "number"
    return "text"


def json_path(segments: Sequence[str]) -> str:
    """A JSONPath as macros/cross_db/json_path.sql writes it on DuckDB."""
    return "$." + ".".join('"' + segment.replace('"', '\\"') + '"' for segment in segments)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The duckdb__ versions of macros/cross_db/exact_integer.sql and safe_double.sql.
def _exact_integer(text: str) -> str:
    return (
        rf"case when regexp_full_match(trim({text}), '[+-]?[0-9]{{1,38}}(\.0*)?') "
        rf"then cast(cast(regexp_extract(trim({text}), '^[+-]?[0-9]+') as hugeint) "
        rf"as decimal(38, 0)) end"
    )


def _safe_double(text: str) -> str:
    return f"case when isfinite(try_cast({text} as double)) then try_cast({text} as double) end"


def agreement(
    con: duckdb.DuckDBPyConnection,
    entity: str,
    project: str,
    keys: Sequence[tuple[str, str]],
) -> dict[tuple[str, str], Agreement]:
    """Each (config path, summary path) pair over the project's analysed runs (marts.runs),
    read from each run's latest config and summary (int_runs__payloads) at the paths the
    build reads (a config path skips W&B's {"value": ...} wrapper after its first key) and
    compared as int_runs__column_pair_values compares: integer and number compare runs
    where both sides hold one, text runs where both hold a value."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    config_paths = list(dict.fromkeys(config for config, _ in keys))
    summary_paths = list(dict.fromkeys(summary for _, summary in keys))
    columns = {("config", path): f"c{index}" for index, path in enumerate(config_paths)}
    columns |= {("summary", path): f"s{index}" for index, path in enumerate(summary_paths)}
    read = []
    for (source, path), column in columns.items():
        segments = path.split(".")
        if source == "config":
            segments = [segments[0], "value", *segments[1:]]
        read.append(f"json_extract_string({source}, {_literal(json_path(segments))}) as {column}")
    typed = [
        f"{column}, {_exact_integer(column)} as {column}_i, {_safe_double(column)} as {column}_n"
        for column in columns.values()
    ]
    counted = [
        f"count({column}), count({column}_i), count({column}_n), "
        f"count(case when {column}_n is null and try_cast({column} as double) is not null "
        f"then 1 end)"
        for column in columns.values()
    ]
    for config, summary in keys:
        c, s = columns[("config", config)], columns[("summary", summary)]
        counted.extend(
            f"count({c}{suffix} = {s}{suffix}), count(case when {c}{suffix} = {s}{suffix} "
            "then 1 end)"
            for suffix in ("_i", "_n", "")
        )
    (row,) = _rows(
        con,
        f"""
        with

        analysed as (

            select payloads.config, payloads.summary
            from marts.runs as runs
            inner join intermediate.int_runs__payloads as payloads
                on runs.entity = payloads.entity
                and runs.project = payloads.project
                and runs.run_id = payloads.run_id
            where runs.entity = ? and runs.project = ?

        ),

        run_values as (

            select {", ".join(read)}
            from analysed

        ),

        typed as (

            select {", ".join(typed)}
            from run_values

        )

        select {", ".join(counted)}
        from typed
        """,
        [entity, project],
    )
    counts = iter(row)
    value_counts = {key: ValueCounts(*(next(counts) for _ in range(4))) for key in columns}
    found: dict[tuple[str, str], Agreement] = {}
    for config, summary in keys:
        by_compare = {kind: (next(counts), next(counts)) for kind in ("integer", "number", "text")}
        found[(config, summary)] = Agreement(
            value_counts[("config", config)], value_counts[("summary", summary)], by_compare
        )
    return found


def pairs(
    con: duckdb.DuckDBPyConnection,
    entity: str,
    project: str,
    configured: Sequence[ConfiguredPair],
) -> list[Pair]:
    """The listed candidates (suggested, then alternatives), each compared as its values
    say, then the configured pairs not among them that any analysed run holds, compared
    as configured; each with the agreement over every analysed run."""
    chosen, others = listed(candidates(con, entity, project))
    shown = chosen + others
    shown_keys = {(pair.config_key, pair.summary_key) for pair in shown}
    extra = [pair for pair in configured if (pair.config_key, pair.summary_key) not in shown_keys]
    agreed = agreement(
        con,
        entity,
        project,
        [(pair.config_key, pair.summary_key) for pair in [*shown, *extra]],
    )
    found: list[Pair] = []
    for pair in shown:
        counts = agreed[(pair.config_key, pair.summary_key)]
        compare = compare_for(counts.config, counts.summary)
        shared, matching = counts.by_compare[compare]
        found.append(
            Pair(pair.config_key, pair.summary_key, compare, shared, matching, pair.match_rate)
        )
    for pair in extra:
        counts = agreed[(pair.config_key, pair.summary_key)]
        shared, matching = counts.by_compare.get(pair.compare, counts.by_compare["text"])
        if shared:
            found.append(
                Pair(pair.config_key, pair.summary_key, pair.compare, shared, matching, None)
            )
    return found


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


def _scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as that string."""
    if PLAIN.match(text) and text.lower() not in YAML_WORDS:
        return text
    return _quote(text)


def _tag_lines(found_tags: Sequence[tuple[str, str, int]]) -> list[str]:
    """One line per tag; a tag whose marts.runs column a more common tag already takes is
    a comment naming the collision (found_tags is most common first)."""
    if not found_tags:
        return [f"{KEY_INDENT}tag_catalog: []  # no run carries a tag"]
    lines = [f"{KEY_INDENT}tag_catalog:"]
    taken: dict[str, str] = {}
    for tag, category, runs in found_tags:
        entry = f"{{tag: {_quote(tag)}, category: {_scalar(category)}}}"
        column = tag_column(tag)
        if column in taken:
            lines.append(
                f"{ITEM_INDENT}# - {entry}  # {runs} runs; same column {column} as "
                f"{_quote(taken[column])}"
            )
        else:
            taken[column] = tag
            lines.append(f"{ITEM_INDENT}- {entry}  # {runs} runs")
    return lines


def _pair_lines(found_pairs: Sequence[Pair], configured: Sequence[ConfiguredPair]) -> list[str]:
    """The suggested pairs, then the alternatives and the configured pairs not suggested,
    as comments. A pair the settings already hold keeps its name and role; any other is
    named for its config key (and its summary key, where the config key is in two listed
    pairs), so no two lines share a name once the comments are uncommented."""
    chosen_rates, other_rates = listed(
        [
            Candidate(pair.config_key, pair.summary_key, pair.match_rate)
            for pair in found_pairs
            if pair.match_rate is not None
        ]
    )
    chosen_keys = {(pair.config_key, pair.summary_key) for pair in chosen_rates}
    other_keys = {(pair.config_key, pair.summary_key) for pair in other_rates}
    chosen = [pair for pair in found_pairs if (pair.config_key, pair.summary_key) in chosen_keys]
    others = [pair for pair in found_pairs if (pair.config_key, pair.summary_key) in other_keys]
    extra = [pair for pair in found_pairs if pair.match_rate is None]
    shown = chosen + others + extra
    settings = {(pair.config_key, pair.summary_key): pair for pair in configured}
    names: dict[Pair, str] = {}
    for pair in shown:
        if (pair.config_key, pair.summary_key) in settings:
            names[pair] = settings[(pair.config_key, pair.summary_key)].name
    config_keys = Counter(pair.config_key for pair in shown)
    taken = set(names.values())
    for pair in shown:
        if pair in names:
            continue
        name = identifier(pair.config_key)
        if config_keys[pair.config_key] > 1:
            name = f"{name}__{identifier(pair.summary_key).strip('_')}"
        unique, number = name, 1
        while unique in taken:
            number += 1
            unique = f"{name}_{number}"
        names[pair] = unique
        taken.add(unique)

    lines = [f"{KEY_INDENT}column_pairs:" if chosen else f"{KEY_INDENT}column_pairs: []"]
    for pair in shown:
        prefix = f"{ITEM_INDENT}- " if pair in chosen else f"{ITEM_INDENT}# - "
        setting = settings.get((pair.config_key, pair.summary_key))
        role = f", role: {_scalar(setting.role)}" if setting and setting.role else ""
        why = f"{pair.matching_runs} of {pair.shared_runs} runs agree"
        if pair.match_rate is None:
            why = f"configured now, not a candidate here; {why}"
        lines.append(
            f"{prefix}{{name: {_scalar(names[pair])}, "
            f"config: {_quote(pair.config_key)}, summary: {_quote(pair.summary_key)}, "
            f"compare: {pair.compare}{role}}}  # {why}"
        )
    return lines


def _split_lines(found_splits: Sequence[Split]) -> list[str]:
    lines = []
    for index, split in enumerate(found_splits):
        prefix = KEY_INDENT if index == 0 else f"{KEY_INDENT}# "
        if split.groups == "presence":
            why = f"set on {split.runs_with_key} of {split.profiled_runs} runs"
        else:
            why = (
                f"{split.distinct_values} values on {split.runs_with_key} "
                f"of {split.profiled_runs} runs"
            )
        lines.append(
            f"{prefix}comparison_split: {{name: {_scalar(identifier(split.path))}, "
            f"source: config, path: {_quote(split.path)}, groups: {split.groups}}}  # {why}"
        )
    if not found_splits:
        lines.append(
            f"{KEY_INDENT}# comparison_split: no config key splits the runs (the defaults' applies)"
        )
    return lines


def render(
    entity: str,
    project: str,
    found_tags: Sequence[tuple[str, str, int]],
    found_pairs: Sequence[Pair],
    found_splits: Sequence[Split],
    configured: Sequence[ConfiguredPair] = (),
) -> str:
    """The project's entry for `project_settings:`. `found_pairs`: key_overlap's candidates
    in rank order (match_rate set), then configured pairs to list (match_rate None);
    `configured`: the pairs the project's settings hold now, whose names and roles carry
    over to the same config and summary keys."""
    scope = f"{entity}/{project}"
    header = [
        f"Suggested by `wandb-warehouse suggest {scope}` from its analysed runs.",
        "Paste it under `project_settings:` in dbt_project.yml's vars, replacing this",
        "project's entry if there is one: it changes no other project, and the next",
        "`dbt build` or `wandb-warehouse sync` rebuilds what it changes (no --full-refresh).",
        'Commented lines are the next candidates; "N of M runs agree" is what',
        "marts.column_pair_overlap and pretrain_overlap_summary report once built.",
    ]
    lines = [f"{ENTRY_INDENT}# {line}" for line in header]
    lines.append(f"{ENTRY_INDENT}{_scalar(scope)}:")
    lines += _tag_lines(found_tags)
    lines += _pair_lines(found_pairs, configured)
    lines += _split_lines(found_splits)
    return "\n".join(lines) + "\n"


def parse_entry(text: str) -> dict[str, dict[str, Any]]:
    """A printed entry read back: {'entity/project': {tag_catalog, column_pairs,
    comparison_split}}, the value `project_settings` takes in dbt's --vars."""
    entry = yaml.safe_load(text)
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ValueError("not one project's entry")
    return entry


def quoted_agreements(text: str) -> dict[str, tuple[int, int]]:
    """The agreement a printed entry quotes for each suggested (uncommented) pair:
    {name: (matching runs, shared runs)}."""
    found: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        match = PAIR_LINE.match(line)
        if match:
            name = yaml.safe_load(match["name"])
            found[str(name)] = (int(match["matching"]), int(match["shared"]))
    return found


def suggest(db: Path, wanted: str | None) -> str:
    con = connect(db, read_only=True)
    try:
        (built,) = con.execute(
            "select count(*) from information_schema.tables "
            "where (table_schema = 'marts' and table_name in ('key_profile', 'key_overlap')) "
            "or (table_schema = 'intermediate' and table_name = 'int_runs__payloads')"
        ).fetchone()
        if built < 3:
            raise UserError(f"{db} has no discovery marts yet: run `dbt build` first")
        entity, project = choose_project(con, wanted)
        configured = configured_pairs(con, entity, project)
        return render(
            entity,
            project,
            tags(con, entity, project),
            pairs(con, entity, project, configured),
            splits(con, entity, project),
            configured,
        )
    finally:
        con.close()
