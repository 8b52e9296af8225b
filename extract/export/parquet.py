"""`wandb-warehouse export-raw DIR`: the raw layer as Parquet files, for Spark and friends.

Each raw table becomes a folder of Parquet files partitioned by load
(`DIR/wandb_runs/load_id=<id>/*.parquet`; likewise wandb_history, wandb_listings and
wandb_loads), append-only like the tables themselves: a run
writes only the finished loads that DIR does not hold yet, so re-running is a no-op and a
new load adds one partition per table. `record` is written as text (the JSON exactly as
DuckDB stores it), and so is a history row's `metrics`, so NaN, Infinity and integers past
2^63 reach Spark unchanged.

A load is written to a scratch folder first and moved into place table by table, the
ledger (`wandb_loads`) last: a load counts as exported once its ledger partition exists,
and a run interrupted before that is redone in full by the next one.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError

# The ledger goes last: its partition is the marker of a completely exported load.
TABLES = ("wandb_runs", "wandb_history", "wandb_listings", "wandb_loads")
PARTITION_PREFIX = "load_id="

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
    "wandb_listings": "select entity, project, run_id, load_id from raw.wandb_listings",
    "wandb_loads": """
        select invocation_id, entity, project, mode, source, source_sha256, started_at,
               finished_at, snapshot_at, status, error, listing_complete, listed, new,
               changed, deleted, heavy_fetched, requests, load_id
        from raw.wandb_loads
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


def exported_loads(out_dir: Path) -> set[str]:
    """Load ids completely exported to `out_dir` (their ledger partition exists)."""
    ledger = out_dir / "wandb_loads"
    if not ledger.is_dir():
        return set()
    return {
        child.name.removeprefix(PARTITION_PREFIX)
        for child in ledger.iterdir()
        if child.is_dir() and child.name.startswith(PARTITION_PREFIX)
    }


def pending_loads(finished: list[str], exported: set[str]) -> list[str]:
    """The finished loads not exported yet, in the warehouse's order."""
    return [load_id for load_id in finished if load_id not in exported]


def _finished_loads(con: duckdb.DuckDBPyConnection) -> tuple[list[str], int]:
    try:
        rows = con.execute(
            "select load_id, status from raw.wandb_loads order by started_at, load_id"
        ).fetchall()
    except duckdb.CatalogException:
        raise UserError(
            "the warehouse has no raw layer yet: run `wandb-warehouse load` or `demo` first"
        ) from None
    # A 'running' row may still change (or gain runs): it is exported once it is final.
    finished = [load_id for load_id, status in rows if status != "running"]
    return finished, len(rows) - len(finished)


def _copy_table(
    con: duckdb.DuckDBPyConnection, table: str, load_ids: list[str], target: Path
) -> int:
    con.execute("create or replace temp table export_ids (load_id varchar)")
    con.executemany("insert into export_ids values (?)", [[load_id] for load_id in load_ids])
    query = (
        f"select * from ({SELECTS[table]}) "
        "where load_id in (select load_id from export_ids) order by all"
    )
    (rows,) = con.execute(f"select count(*) from ({query})").fetchone()
    if rows:
        path = str(target).replace("'", "''")
        con.execute(
            f"copy ({query}) to '{path}' (format parquet, partition_by (load_id), compression zstd)"
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
    """Write the finished loads not yet in `out_dir` as partitioned Parquet."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} exists and is not a directory")
    finished, running = _finished_loads(con)
    exported = exported_loads(out_dir)
    todo = pending_loads(finished, exported)
    result = ExportResult(
        exported=todo,
        already_exported=len(finished) - len(todo),
        still_running=running,
        runs=0,
        listings=0,
    )
    if not todo:
        return result
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / f".export-{uuid.uuid4().hex}"
    scratch.mkdir()
    try:
        counts = {table: _copy_table(con, table, todo, scratch / table) for table in TABLES}
        for table in TABLES:
            _move_partitions(scratch / table, out_dir / table)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.runs = counts["wandb_runs"]
    result.listings = counts["wandb_listings"]
    result.history = counts["wandb_history"]
    return result
