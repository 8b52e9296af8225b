"""Shared fixtures: warehouses built by the real `dbt build` on real DuckDB files."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from extract.dbt import run_dbt
from extract.load import load_file
from extract.sample import sample_files
from extract.warehouse import connect, ensure_raw_schema

TEST_DB_ENV = "WANDB_WAREHOUSE_TEST_DB"


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


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The bundled sample, built: `make dbt-build`'s file if given, else our own."""
    given = os.environ.get(TEST_DB_ENV)
    if given and Path(given).exists():
        return BuiltWarehouse(Path(given), None)
    root = tmp_path_factory.mktemp("sample_build")
    return build_warehouse(root / "warehouse.duckdb", sample_files(), root / "target")


@pytest.fixture(scope="session")
def sample_con(sample_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sample_warehouse.db), read_only=True)
    yield con
    con.close()
