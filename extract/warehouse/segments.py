"""The raw layer's published rows: Parquet segments that every state after them shares.

The raw layer is append-only, and it is most of a warehouse (every fetched run's JSON).
Writers append to tables in the raw store's schema `live`; when a build is published,
the rows of the loads it read are *sealed*: written once as a batch of Parquet files
(`FILE.d/segments/<batch>/<table>.parquet`, zstd) and deleted from `live` in the same
transaction that lists the batch in `segments.batches`. From then on `raw.<table>` is a
view over `live.<table>` and the listed batches, in the raw store (for writers and dbt)
as in every published state (which lists the batches only). So the raw layer is stored
once, and an incremental build finds its new rows in the short `live` tables.

The two ledgers (`raw.wandb_loads`, `raw.wandb_entity_listings`) stay tables in the raw
store, since a load's row is updated when it ends; a batch carries a copy of their rows
for the published states. Once `MERGE_AT` small batches (under `SMALL_BATCH_BYTES`) are
listed they are merged into one, so a warehouse synced every few minutes reads a few
dozen files per table; a merged batch is retired, and its folder deleted once no state
on disk lists it (extract/warehouse/publish.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.warehouse.files import Warehouse, sql_path
from extract.warehouse.ledger import LEDGERS, SEALED_TABLES, Ledger

SMALL_BATCH_BYTES = 64 << 20
MERGE_AT = 8

# Qualified with the catalog, so that they read alike on a connection to the raw store
# and on one that attached it as `raw`.
SEGMENTS_DDL = """
create schema if not exists raw.segments;
create table if not exists raw.segments.batches (
    name varchar not null,             -- the folder under FILE.d/segments/
    bytes bigint not null,
    created_at timestamptz not null,
    retired_at timestamptz             -- merged into a later batch: no longer listed
);
create table if not exists raw.segments.ids (
    batch varchar not null,
    ledger varchar not null,           -- 'load_id' | 'listing_id'
    id varchar not null                -- a load or entity listing whose rows the batch holds
);
create table if not exists raw.segments.location (
    path varchar not null              -- the segments folder the raw views name
);
"""


@dataclass(frozen=True)
class Batch:
    name: str
    bytes: int


def ensure_segments(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SEGMENTS_DDL)


def listed_batches(con: duckdb.DuckDBPyConnection) -> list[Batch]:
    """The batches the raw views list, oldest first."""
    return [
        Batch(name, size)
        for name, size in con.execute(
            "select name, bytes from raw.segments.batches where retired_at is null order by name"
        ).fetchall()
    ]


def sealed_ids(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The loads and entity listings whose rows are in listed batches."""
    found: dict[str, set[str]] = {ledger.key: set() for ledger in LEDGERS}
    for key, value in con.execute(
        "select ids.ledger, ids.id from raw.segments.ids as ids"
        " semi join raw.segments.batches as batches"
        " on ids.batch = batches.name and batches.retired_at is null"
    ).fetchall():
        found[key].add(value)
    return found


def _source(table: str) -> str:
    return f"raw.live.{table}" if table in SEALED_TABLES else f"raw.main.{table}"


def _next_name(con: duckdb.DuckDBPyConnection) -> str:
    (last,) = con.execute("select max(name) from raw.segments.batches").fetchone()
    return f"{int(last or 0) + 1:08d}"


def _write(con: duckdb.DuckDBPyConnection, folder: Path, select: dict[str, str]) -> int:
    """Each table's rows from `select` as `folder/<table>.parquet`; the folder's bytes."""
    scratch = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for table, query in select.items():
        con.execute(
            f"copy ({query}) to '{sql_path(scratch / table)}.parquet'"
            " (format parquet, compression zstd)"
        )
    scratch.replace(folder)
    return sum(f.stat().st_size for f in folder.iterdir())


def seal(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, ids: dict[str, set[str]]) -> None:
    """Seal the rows of `ids` (loads and entity listings): one new batch, listed, and
    deleted from `live`, in one transaction; then merge small batches and refresh the
    raw store's views. `con` reaches the raw store as `raw`, read-write."""
    ensure_segments(con)
    if any(ids.values()):
        name = _next_name(con)
        for ledger in LEDGERS:
            con.execute(
                f"create or replace temp table seal_{ledger.key} as"
                " select unnest(?::varchar[]) as id",
                [sorted(ids[ledger.key])],
            )
        size = _write(
            con,
            warehouse.segments / name,
            {
                table: f"select * from {_source(table)}"
                f" where {ledger.key} in (select id from seal_{ledger.key})"
                for ledger in LEDGERS
                for table in ledger.tables
            },
        )
        con.execute("begin")
        con.execute("insert into raw.segments.batches values (?, ?, now(), null)", [name, size])
        for ledger in LEDGERS:
            con.execute(
                f"insert into raw.segments.ids select ?, ?, id from seal_{ledger.key}",
                [name, ledger.key],
            )
            for table in _sealed(ledger):
                con.execute(
                    f"delete from raw.live.{table}"
                    f" where {ledger.key} in (select id from seal_{ledger.key})"
                )
        refresh_views(con, warehouse)
        con.execute("commit")
    _merge_small(con, warehouse)


def _sealed(ledger: Ledger) -> list[str]:
    return [table for table in ledger.tables if table in SEALED_TABLES]


def _merge_small(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> None:
    small = [b for b in listed_batches(con) if b.bytes < SMALL_BATCH_BYTES]
    if len(small) < MERGE_AT:
        return
    name = _next_name(con)
    size = _write(
        con,
        warehouse.segments / name,
        {
            table: "select * from read_parquet(["
            + ", ".join(f"'{sql_path(warehouse.segments / b.name / table)}.parquet'" for b in small)
            + "], union_by_name = true)"
            for ledger in LEDGERS
            for table in ledger.tables
        },
    )
    merged = [b.name for b in small]
    con.execute("begin")
    con.execute("insert into raw.segments.batches values (?, ?, now(), null)", [name, size])
    con.execute(
        "insert into raw.segments.ids select ?, ledger, id from raw.segments.ids"
        " where batch in (select unnest(?::varchar[]))",
        [name, merged],
    )
    con.execute(
        "update raw.segments.batches set retired_at = now()"
        " where name in (select unnest(?::varchar[]))",
        [merged],
    )
    con.execute(
        "delete from raw.segments.ids where batch in (select unnest(?::varchar[]))", [merged]
    )
    refresh_views(con, warehouse)
    con.execute("commit")


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each raw table's columns in the store's order (live tables for the sealed ones)."""
    found: dict[str, list[str]] = {}
    for schema, table, column in con.execute(
        "select schema_name, table_name, column_name from duckdb_columns()"
        " where database_name = 'raw' and schema_name in ('main', 'live')"
        " order by table_name, column_index"
    ).fetchall():
        if (schema == "live") == (table in SEALED_TABLES):
            found.setdefault(table, []).append(column)
    return found


def parquet_select(segments: Path, batches: list[Batch], table: str, names: list[str]) -> str:
    """A select of `names` from `table`'s files in `batches`."""
    files = ", ".join(f"'{sql_path(segments / b.name / table)}.parquet'" for b in batches)
    return f"select {_quoted(names)} from read_parquet([{files}], union_by_name = true)"


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def refresh_views(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> None:
    """`raw.<table>` in the raw store: its live rows and the listed batches."""
    batches = listed_batches(con)
    found = columns(con)
    for table in SEALED_TABLES:
        names = found[table]
        select = f"select {_quoted(names)} from raw.live.{table}"
        if batches:
            select += " union all " + parquet_select(warehouse.segments, batches, table, names)
        con.execute(f"create or replace view raw.main.{table} as {select}")
    con.execute("delete from raw.segments.location")
    con.execute("insert into raw.segments.location values (?)", [str(warehouse.segments.resolve())])


def views_point_elsewhere(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> bool:
    """Whether the raw views name another segments folder (the warehouse was moved)."""
    rows = con.execute("select path from raw.segments.location").fetchall()
    return bool(rows) and rows[0][0] != str(warehouse.segments.resolve())
