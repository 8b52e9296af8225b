"""Shared fixtures: warehouses built by the real `dbt build` on real DuckDB files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_builds import BuiltWarehouse, build_warehouse

from extract.sample import sample_files

# `make test` builds the sample warehouse once (dbt-build step) and points here.
TEST_DB_ENV = "WANDB_WAREHOUSE_TEST_DB"


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
