"""Building warehouses for tests: the real `dbt build` on a real DuckDB file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.load.runs import load_file
from extract.warehouse.build import run_build
from extract.warehouse.database import RAW_TABLES, ensure_raw_schema, open_raw
from extract.warehouse.files import Warehouse, sql_path
from extract.warehouse.publish import publish


@dataclass
class BuiltWarehouse:
    """A warehouse file after `dbt build`, with that build's target dir (if ours)."""

    db: Path
    target: Path | None

    def test_statuses(self) -> dict[str, tuple[str, int | None]]:
        """Test name -> (status, failures) from the build's run_results.json."""
        if self.target is None:
            return {}
        results = json.loads((self.target / "run_results.json").read_text())["results"]
        return {
            item["unique_id"].split(".")[2]: (item["status"], item.get("failures"))
            for item in results
            if item["unique_id"].startswith("test.")
        }

    def failing_rows(self, test_name: str) -> list[dict[str, object]]:
        """Run a singular test's compiled SQL again: the rows that made it warn."""
        assert self.target is not None
        compiled = next(self.target.glob(f"compiled/**/{test_name}.sql")).read_text()
        with duckdb.connect(str(self.db), read_only=True) as con:
            relation = con.sql(compiled)
            names = relation.columns
            return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def open_working(db: Path) -> duckdb.DuckDBPyConnection:
    """dbt's working file of warehouse `db`, read-only, with its raw layer attached as dbt
    sees it: every model as the last build left it, published or not."""
    warehouse = Warehouse(db)
    con = duckdb.connect(str(warehouse.build_db), read_only=True)
    con.execute(f"attach '{sql_path(warehouse.raw_store)}' as raw (read_only)")
    return con


def load_raw(db: Path, files: list[Path], *, partial: bool = False) -> list[object]:
    """Load `files` in order into the raw layer of warehouse `db`; their loads."""
    con = open_raw(Warehouse(db))
    try:
        return [load for path in files for load in load_file(con, path, partial=partial)]
    finally:
        con.close()


def build_and_publish(db: Path, args: list[str] | None = None) -> None:
    """`dbt build ARGS` on warehouse `db`'s working file, then publish it to `db`."""
    warehouse = Warehouse(db)
    run_build(warehouse, args, quiet=True)
    publish(warehouse)


def build_warehouse(db: Path, files: list[Path], target: Path) -> BuiltWarehouse:
    """Load `files` in order into a fresh warehouse `db`, `dbt build` it and publish it."""
    load_raw(db, files)
    build_and_publish(db, ["--target-path", str(target)])
    return BuiltWarehouse(db, target)


def write_legacy_warehouse(db: Path, files: list[Path]) -> None:
    """`files` loaded into `db` as a warehouse file made before publishing was: one file,
    the raw tables in a schema `raw` (the models beside them are not needed)."""
    loaded = db.with_name(f"{db.stem}-loaded.duckdb")
    with duckdb.connect(str(loaded)) as con:
        ensure_raw_schema(con)
        for path in files:
            load_file(con, path)
    with duckdb.connect(str(db)) as con:
        con.execute(f"attach '{sql_path(loaded)}' as loaded (read_only)")
        con.execute("create schema raw")
        for table in RAW_TABLES:
            con.execute(f"create table raw.{table} as select * from loaded.raw.{table}")
    loaded.unlink()
