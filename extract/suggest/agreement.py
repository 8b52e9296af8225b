"""Each listed pair's compare kind and agreement over every analysed run, counted as
the build counts a configured pair (int_runs__column_pair_values)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from extract.suggest.discovery import candidates, rows
from extract.suggest.found import Agreement, ConfiguredPair, Pair, ValueCounts, listed


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
    (row,) = rows(
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
