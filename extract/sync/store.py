"""DuckDB reads and writes of a sync: what the warehouse holds, and appending what W&B said.

Every write is its own statement in autocommit mode, so a sync killed midway keeps every
batch written before the kill.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from extract.sync.plan import StoredRun
from extract.warehouse.database import registered


@dataclass(frozen=True)
class RunRow:
    """One row of raw.wandb_runs about to be written."""

    run_id: str
    fetched_at: str
    fetch_kind: str
    record: str


def stored_runs(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> dict[str, StoredRun]:
    """The latest version of every stored run of a project, without config and summary."""
    rows = con.execute(
        """
        with versions as (
            select run_id, fetched_at, fetch_kind, record
            from raw.wandb_runs
            where entity = $entity and project = $project
        ),
        latest as (
            select run_id, record
            from versions
            qualify row_number() over (
                partition by run_id order by fetched_at desc, fetch_kind = 'full' desc
            ) = 1
        ),
        with_full as (
            select distinct run_id from versions where fetch_kind = 'full'
        )
        select
            latest.run_id,
            json_merge_patch(latest.record, '{"config": null, "summaryMetrics": null}')::varchar,
            with_full.run_id is not null
        from latest
        left join with_full using (run_id)
        """,
        {"entity": entity, "project": project},
    ).fetchall()
    return {
        run_id: StoredRun(run_id=run_id, fields=json.loads(fields), has_full=has_full)
        for run_id, fields, has_full in rows
    }


def previously_absent(con: duckdb.DuckDBPyConnection, entity: str, project: str) -> set[str]:
    """Stored runs missing from the project's latest complete listing (already deleted)."""
    rows = con.execute(
        """
        with last_complete as (
            select load_id
            from raw.wandb_loads
            where entity = $entity and project = $project and listing_complete
            order by started_at desc
            limit 1
        )
        select distinct runs.run_id
        from raw.wandb_runs as runs
        where runs.entity = $entity and runs.project = $project
            and exists (select 1 from last_complete)
            and runs.run_id not in (
                select listings.run_id
                from raw.wandb_listings as listings
                where listings.load_id = (select load_id from last_complete)
            )
        """,
        {"entity": entity, "project": project},
    ).fetchall()
    return {run_id for (run_id,) in rows}


def write_listing(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: str,
    project: str,
    run_ids: Sequence[str],
) -> None:
    """Record every run the server listed at this load."""
    if not run_ids:
        return
    frame = pd.DataFrame({"run_id": list(run_ids)})
    with registered(con, "listing_frame", frame):
        con.execute(
            """
            insert into live.wandb_listings (load_id, entity, project, run_id)
            select $load_id, $entity, $project, run_id from listing_frame
            """,
            {"load_id": load_id, "entity": entity, "project": project},
        )


def write_runs(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: str,
    project: str,
    rows: Sequence[RunRow],
) -> None:
    """Append run versions (one statement: the batch is committed whole or not at all)."""
    if not rows:
        return
    frame = pd.DataFrame(
        {
            "run_id": [row.run_id for row in rows],
            "fetched_at": [row.fetched_at for row in rows],
            "fetch_kind": [row.fetch_kind for row in rows],
            "record": [row.record for row in rows],
        }
    )
    with registered(con, "runs_frame", frame):
        con.execute(
            """
            insert into live.wandb_runs
                (entity, project, run_id, fetched_at, load_id, fetch_kind, record)
            select
                $entity, $project, run_id, fetched_at::timestamptz, $load_id, fetch_kind,
                record::json
            from runs_frame
            """,
            {"load_id": load_id, "entity": entity, "project": project},
        )
