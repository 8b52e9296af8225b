"""Read what the report shows from a built warehouse, read-only, never through dbt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from extract.errors import UserError
from extract.report.queries import ALL_QUERIES, REQUIRED_RELATIONS, Query
from extract.warehouse.database import connect
from extract.warehouse.dbt import build_command

Row = dict[str, Any]


@dataclass(frozen=True)
class ReportData:
    """Every query's rows, by query name, and the projects in the order shown."""

    rows: dict[str, list[Row]]
    projects: list[tuple[str, str]]

    def for_project(self, query: Query, project: tuple[str, str]) -> list[Row]:
        return [r for r in self.rows[query.name] if (r["entity"], r["project"]) == project]


def read_report_data(db: Path) -> ReportData:
    con = connect(db, read_only=True)
    try:
        _check_built(con, db)
        rows = {query.name: _fetch(con, query, db) for query in ALL_QUERIES}
    finally:
        con.close()
    projects = [(r["entity"], r["project"]) for r in rows["as_of"]]
    return ReportData(rows=rows, projects=projects)


def _check_built(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [name for name in REQUIRED_RELATIONS if name not in present]
    if len(missing) == len(REQUIRED_RELATIONS):
        raise UserError(f"{db} has no marts: build them with `{build_command(db)}`")
    if missing:
        raise UserError(
            f"{db} lacks {', '.join(missing)} (built by an older version?): "
            f"run `{build_command(db, '--full-refresh')}`"
        )


def _fetch(con: duckdb.DuckDBPyConnection, query: Query, db: Path) -> list[Row]:
    try:
        result = con.execute(query.sql)
    except duckdb.Error as exc:
        raise UserError(
            f"the report's {query.name} query failed ({str(exc).splitlines()[0]}): "
            f"rebuild the marts with `{build_command(db, '--full-refresh')}`"
        ) from None
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]
