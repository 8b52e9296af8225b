"""Warehouses as the benchmarks handle them: a published file `FILE` and the working files
behind it in `FILE.d/` (extract/warehouse/files.py).

Writers (`load`, `extract`, `dbt build`) never touch `FILE`: the raw layer is
`FILE.d/raw.duckdb`, dbt's target `FILE.d/build.duckdb`. A benchmark that copies a
warehouse for a measurement copies those two; one that reads the models after a build
reads the working files as dbt left them (`open_working`), published or not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from extract.warehouse.files import Warehouse, sql_path


def _with_wal(path: Path) -> tuple[Path, Path]:
    return path, path.with_name(path.name + ".wal")


def fresh(db: Path) -> Path:
    """`db` as a warehouse that does not exist yet: its file and working files removed."""
    for path in _with_wal(db):
        path.unlink(missing_ok=True)
    shutil.rmtree(Warehouse(db).workdir, ignore_errors=True)
    return db


def copy_warehouse(source: Path, target: Path) -> Path:
    """A copy of warehouse `source`'s working files (raw layer and dbt's target, where
    built) as warehouse `target`, which is removed first; nothing is published."""
    fresh(target)
    origin, copy = Warehouse(source), Warehouse(target)
    copy.workdir.mkdir(parents=True)
    for name in (origin.raw_store.name, origin.build_db.name):
        for path in _with_wal(origin.workdir / name):
            if path.exists():
                shutil.copyfile(path, copy.workdir / path.name)
    return target


def read_raw(db: Path) -> duckdb.DuckDBPyConnection:
    """Warehouse `db`'s raw layer, read-only: `raw.duckdb`, whose tables read
    `raw.<table>` (its catalog is `raw`)."""
    return duckdb.connect(str(Warehouse(db).raw_store), read_only=True)


def open_working(db: Path) -> duckdb.DuckDBPyConnection:
    """Warehouse `db`'s last build, read-only: `build.duckdb` with the raw layer attached
    as `raw`, as dbt sees them."""
    warehouse = Warehouse(db)
    con = duckdb.connect(str(warehouse.build_db), read_only=True)
    con.execute(f"attach '{sql_path(warehouse.raw_store)}' as raw (read_only)")
    return con


def working_bytes(db: Path) -> int:
    """The size of warehouse `db`'s working files (raw layer and models): what a
    warehouse file held before publishing."""
    warehouse = Warehouse(db)
    return sum(
        path.stat().st_size
        for name in (warehouse.raw_store, warehouse.build_db)
        for path in _with_wal(name)
        if path.exists()
    )
