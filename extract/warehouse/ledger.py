"""The load ledger (`raw.wandb_loads`): one row per project per load or sync; and which raw
tables hang off which ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class Ledger:
    """A ledger table, the key its rows and those of its tables are partitioned by, and
    its tables (the ledger last: its partition marks a completely exported entry)."""

    table: str
    key: str
    tables: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return f"{self.key}="


LOADS = Ledger(
    "wandb_loads",
    "load_id",
    (
        "wandb_runs",
        "wandb_history",
        "wandb_sweeps",
        "wandb_artifact_fetches",
        "wandb_run_artifacts",
        "wandb_listings",
        "wandb_loads",
    ),
)
ENTITY_LISTINGS = Ledger(
    "wandb_entity_listings", "listing_id", ("wandb_projects", "wandb_entity_listings")
)
LEDGERS = (LOADS, ENTITY_LISTINGS)

# Ledgers: a row per load / entity listing, updated when it ends; small, always a table.
LEDGER_TABLES = tuple(ledger.table for ledger in LEDGERS)
# Append-only rows: written to `live.<table>`, read as `raw.<table>` (the live rows and
# the published Parquet segments: extract/warehouse/segments.py).
SEALED_TABLES = tuple(
    table for ledger in LEDGERS for table in ledger.tables if table not in LEDGER_TABLES
)


@dataclass
class LoadCounts:
    """What a load did, as recorded in the ledger and printed on the final line."""

    listed: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0
    heavy_fetched: int = 0
    requests: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def new_id() -> str:
    return uuid.uuid4().hex


def start_load(
    con: duckdb.DuckDBPyConnection,
    *,
    invocation_id: str,
    entity: str,
    project: str,
    mode: str,
    source: str | None,
    source_sha256: str | None = None,
    load_id: str | None = None,
) -> str:
    """Write the ledger row of a load that begins now; returns its load_id."""
    load_id = load_id or new_id()
    con.execute(
        """
        insert into raw.wandb_loads (
            load_id, invocation_id, entity, project, mode, source, source_sha256,
            started_at, status
        ) values (?, ?, ?, ?, ?, ?, ?, now(), 'running')
        """,
        [load_id, invocation_id, entity, project, mode, source, source_sha256],
    )
    return load_id


def finish_load(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    *,
    status: str,
    counts: LoadCounts,
    listing_complete: bool,
    error: str | None = None,
) -> None:
    """Finalise a ledger row; snapshot_at is the newest fetched_at the load stored."""
    con.execute(
        """
        update raw.wandb_loads set
            finished_at = now(),
            status = ?,
            error = ?,
            listing_complete = ?,
            listed = ?, new = ?, changed = ?, deleted = ?, heavy_fetched = ?, requests = ?,
            snapshot_at = coalesce(
                (select max(fetched_at) from live.wandb_runs where load_id = ?), started_at
            )
        where load_id = ?
        """,
        [
            status,
            error,
            listing_complete,
            counts.listed,
            counts.new,
            counts.changed,
            counts.deleted,
            counts.heavy_fetched,
            counts.requests,
            load_id,
            load_id,
        ],
    )
