"""`wandb-warehouse export-raw DIR`: the raw layer as Parquet files, for Spark and friends.

Each raw table becomes a folder of Parquet files partitioned by load
(`DIR/wandb_runs/load_id=<id>/*.parquet`; likewise wandb_history, wandb_sweeps,
wandb_artifact_fetches, wandb_run_artifacts, wandb_listings and wandb_loads), or by entity
listing (`DIR/wandb_projects/listing_id=<id>/`, and its ledger wandb_entity_listings),
append-only like the tables themselves: a run writes only the finished loads and listings
that DIR does not hold yet, so re-running is a no-op and a new load adds one partition per
table. JSON columns (`record`, a history row's `metrics`, a sweep's `config`) are written
as text (the JSON exactly as DuckDB stores it), so NaN, Infinity and integers past 2^63
reach Spark unchanged.

A load is written to a scratch folder first and moved into place table by table, its
ledger (`wandb_loads`, `wandb_entity_listings`) last: a load counts as exported once its
ledger partition exists, and a run interrupted before that is redone in full by the next
one.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.warehouse.ledger import ENTITY_LISTINGS, LEDGERS, LOADS, Ledger

TABLES = LOADS.tables
PARTITION_PREFIX = LOADS.prefix

SELECTS = {
    "wandb_runs": """
        select entity, project, run_id, fetched_at, fetch_kind, record::varchar as record,
               load_id
        from raw.wandb_runs
    """,
    "wandb_history": """
        select entity, project, run_id, step, logged_at, runtime, metrics::varchar as metrics,
               load_id
        from raw.wandb_history
    """,
    "wandb_sweeps": """
        select entity, project, sweep_id, fetched_at, record::varchar as record,
               config::varchar as config, load_id
        from raw.wandb_sweeps
    """,
    "wandb_artifact_fetches": """
        select entity, project, run_id, fetched_at, used_count, logged_count, load_id
        from raw.wandb_artifact_fetches
    """,
    "wandb_run_artifacts": """
        select entity, project, run_id, fetched_at, direction, artifact_id,
               record::varchar as record, load_id
        from raw.wandb_run_artifacts
    """,
    "wandb_listings": "select entity, project, run_id, load_id from raw.wandb_listings",
    "wandb_loads": """
        select invocation_id, entity, project, mode, source, source_sha256, started_at,
               finished_at, snapshot_at, status, error, listing_complete, listed, new,
               changed, deleted, heavy_fetched, requests, load_id
        from raw.wandb_loads
    """,
    "wandb_projects": """
        select entity, project, listed_at, record::varchar as record, listing_id
        from raw.wandb_projects
    """,
    "wandb_entity_listings": """
        select invocation_id, entity, source, started_at, finished_at, status, error,
               projects_listed, requests, listing_id
        from raw.wandb_entity_listings
    """,
}


@dataclass
class ExportResult:
    """What one export wrote (`exported`) and what it left alone."""

    exported: list[str]
    already_exported: int
    still_running: int
    runs: int
    listings: int
    history: int = 0
    sweeps: int = 0
    artifacts: int = 0
    entity_listings: int = 0


def exported_loads(out_dir: Path, ledger: Ledger = LOADS) -> set[str]:
    """Ids completely exported to `out_dir` (their ledger partition exists)."""
    folder = out_dir / ledger.table
    if not folder.is_dir():
        return set()
    return {
        child.name.removeprefix(ledger.prefix)
        for child in folder.iterdir()
        if child.is_dir() and child.name.startswith(ledger.prefix)
    }


def pending_loads(finished: list[str], exported: set[str]) -> list[str]:
    """The finished loads not exported yet, in the warehouse's order."""
    return [load_id for load_id in finished if load_id not in exported]


def _finished_loads(
    con: duckdb.DuckDBPyConnection, ledger: Ledger = LOADS
) -> tuple[list[str], int]:
    try:
        rows = con.execute(
            f"select {ledger.key}, status from raw.{ledger.table} order by started_at, {ledger.key}"
        ).fetchall()
    except duckdb.CatalogException:
        if ledger is not LOADS:  # a warehouse from before entity listings: none to export
            return [], 0
        raise UserError(
            "the warehouse has no raw layer yet: run `wandb-warehouse load` or `demo` first"
        ) from None
    # A 'running' row may still change (or gain runs): it is exported once it is final.
    finished = [load_id for load_id, status in rows if status != "running"]
    return finished, len(rows) - len(finished)


def _copy_table(
    con: duckdb.DuckDBPyConnection, table: str, ids: list[str], target: Path, key: str
) -> int:
    (exists,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table],
    ).fetchone()
    if not exists:  # a warehouse written before the table was added: nothing to export
        return 0
    con.execute("create or replace temp table export_ids (id varchar)")
    con.executemany("insert into export_ids values (?)", [[item] for item in ids])
    query = (
        f"select * from ({SELECTS[table]}) where {key} in (select id from export_ids) order by all"
    )
    (rows,) = con.execute(f"select count(*) from ({query})").fetchone()
    if rows:
        path = str(target).replace("'", "''")
        con.execute(
            f"copy ({query}) to '{path}' (format parquet, partition_by ({key}), compression zstd)"
        )
    return rows


def _move_partitions(scratch: Path, destination: Path) -> None:
    """Move each `load_id=...` folder into place, replacing leftovers of a crashed run."""
    if not scratch.is_dir():
        return
    destination.mkdir(parents=True, exist_ok=True)
    for partition in sorted(scratch.iterdir()):
        final = destination / partition.name
        if final.exists():
            shutil.rmtree(final)
        partition.rename(final)


def export_raw(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportResult:
    """Write the finished loads (and entity listings) not yet in `out_dir` as partitioned
    Parquet."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} exists and is not a directory")
    finished, running = _finished_loads(con)
    todo = pending_loads(finished, exported_loads(out_dir))
    listings_finished, listings_running = _finished_loads(con, ENTITY_LISTINGS)
    listings_todo = pending_loads(listings_finished, exported_loads(out_dir, ENTITY_LISTINGS))
    result = ExportResult(
        exported=todo,
        already_exported=len(finished) - len(todo),
        still_running=running + listings_running,
        runs=0,
        listings=0,
        entity_listings=len(listings_todo),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    # Every table's folder exists, even one no load has rows for yet (Spark registers each).
    for ledger in LEDGERS:
        for table in ledger.tables:
            (out_dir / table).mkdir(exist_ok=True)
    if not todo and not listings_todo:
        return result
    scratch = out_dir / f".export-{uuid.uuid4().hex}"
    scratch.mkdir()
    counts: dict[str, int] = {}
    try:
        for ledger, ids in ((LOADS, todo), (ENTITY_LISTINGS, listings_todo)):
            if not ids:
                continue
            for table in ledger.tables:
                counts[table] = _copy_table(con, table, ids, scratch / table, ledger.key)
            for table in ledger.tables:
                _move_partitions(scratch / table, out_dir / table)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.runs = counts.get("wandb_runs", 0)
    result.listings = counts.get("wandb_listings", 0)
    result.history = counts.get("wandb_history", 0)
    result.sweeps = counts.get("wandb_sweeps", 0)
    result.artifacts = counts.get("wandb_run_artifacts", 0)
    return result
