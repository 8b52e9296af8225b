"""Every view works in a copy of the warehouse under another name and when the file is
attached under another alias: the SQL a view stores names no catalog (macros
relations/ref.sql), where DuckDB 1.5 would keep the file's base name."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dbt_builds import BuiltWarehouse


def _views(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, view_name from duckdb_views() "
        "where not internal and database_name = ? order by all",
        [catalog],
    ).fetchall()


def test_views_work_in_a_renamed_copy_and_under_another_alias(
    sample_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = shutil.copyfile(sample_warehouse.db, tmp_path / "renamed_copy.duckdb")
    with duckdb.connect(str(copy), read_only=True) as con:
        views = _views(con, "renamed_copy")
        assert ("marts", "run_progress") in views
        for schema, view in views:
            con.execute(f"select count(*) from {schema}.{view}").fetchone()
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as other_alias (read_only)")
        for schema, view in _views(con, "other_alias"):
            con.execute(f"select count(*) from other_alias.{schema}.{view}").fetchone()
