"""Building warehouses for tests: the real `dbt build` on a real DuckDB file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.load.runs import load_file
from extract.warehouse.database import connect, ensure_raw_schema
from extract.warehouse.dbt import run_dbt


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


def build_warehouse(db: Path, files: list[Path], target: Path) -> BuiltWarehouse:
    """Load `files` in order into a fresh warehouse `db`, then run `dbt build` on it."""
    con = connect(db)
    try:
        ensure_raw_schema(con)
        for path in files:
            load_file(con, path)
    finally:
        con.close()
    run_dbt(["build", "--target-path", str(target)], db, quiet=True)
    return BuiltWarehouse(db, target)
