"""Read what the report shows from a built warehouse, read-only, never through dbt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from extract.errors import UserError
from extract.report.queries import (
    ALL_QUERIES,
    DATA_RULES,
    REQUIRED_RELATIONS,
    Query,
    findings_sql,
)
from extract.warehouse.database import connect
from extract.warehouse.dbt import build_command

Row = dict[str, Any]


@dataclass(frozen=True)
class Finding:
    """A warn-severity data rule and the rows it named at the last build that ran it
    (`total` None: no build has run it yet)."""

    rule_name: str
    rule_title: str
    checks: str
    relation: str
    total: int | None
    columns: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class ReportData:
    """Every query's rows, by query name, the projects in the order shown, and the data
    rules' findings (None: the warehouse has no marts.data_rules, built before it)."""

    rows: dict[str, list[Row]]
    projects: list[tuple[str, str]]
    findings: list[Finding] | None = None

    def for_project(self, query: Query, project: tuple[str, str]) -> list[Row]:
        return [r for r in self.rows[query.name] if (r["entity"], r["project"]) == project]


def read_report_data(db: Path) -> ReportData:
    con = connect(db, read_only=True)
    try:
        _check_built(con, db)
        rows = {query.name: _fetch(con, query, db) for query in ALL_QUERIES}
        findings = _findings(con, db)
    finally:
        con.close()
    projects = [(r["entity"], r["project"]) for r in rows["as_of"]]
    return ReportData(rows=rows, projects=projects, findings=findings)


def _findings(con: duckdb.DuckDBPyConnection, db: Path) -> list[Finding] | None:
    """Each data rule with the rows its stored failures hold (marts.data_rules)."""
    stored = _relations(con)
    if "marts.data_rules" not in stored:
        return None
    findings = []
    for rule in _fetch(con, DATA_RULES, db):
        relation = rule["failures_relation"]
        total, columns, rows = None, [], []
        if relation in stored:
            (total,) = con.execute(f"select count(*) from {relation}").fetchone()
            result = con.execute(findings_sql(relation))
            columns = [d[0] for d in result.description]
            rows = [dict(zip(columns, values, strict=True)) for values in result.fetchall()]
        findings.append(
            Finding(
                rule["rule_name"],
                rule["rule_title"],
                rule["checks"],
                relation,
                total,
                columns,
                rows,
            )
        )
    return findings


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def _check_built(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    present = _relations(con)
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
