"""Entity-wide project listings in the raw layer.

`raw.wandb_entity_listings` is their ledger: one row per entity per `extract ENTITY`,
written 'running' when the listing starts and finalised 'ok' (with how many projects it
saw) or 'failed'. `raw.wandb_projects` holds one row per project each 'ok' listing saw
(written with the ledger's final update, in one transaction): a project missing from
the latest 'ok' listing of its entity is gone upstream, and its rows stay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd

from extract.warehouse.database import registered


def start_listing(
    con: duckdb.DuckDBPyConnection,
    *,
    listing_id: str,
    invocation_id: str,
    entity: str,
    source: str,
) -> None:
    con.execute(
        """
        insert into raw.wandb_entity_listings
            (listing_id, invocation_id, entity, source, started_at, status)
        values (?, ?, ?, ?, now(), 'running')
        """,
        [listing_id, invocation_id, entity, source],
    )


def finish_listing(
    con: duckdb.DuckDBPyConnection,
    listing_id: str,
    entity: str,
    *,
    nodes: Sequence[Mapping[str, Any]] | None,
    listed_at: Sequence[str],
    requests: int,
    error: str | None = None,
) -> None:
    """'ok' with the listed projects (`nodes`, one per project), or 'failed' (`nodes`
    None) with the error."""
    status = "failed" if nodes is None else "ok"
    con.execute("begin transaction")
    try:
        if nodes:
            frame = pd.DataFrame(
                {
                    "project": [str(node["name"]) for node in nodes],
                    "listed_at": list(listed_at),
                    "record": [json.dumps(node, separators=(",", ":")) for node in nodes],
                }
            )
            with registered(con, "projects_frame", frame):
                con.execute(
                    """
                    insert into live.wandb_projects
                        (listing_id, entity, project, listed_at, record)
                    select $listing_id, $entity, project, listed_at::timestamptz, record::json
                    from projects_frame
                    """,
                    {"listing_id": listing_id, "entity": entity},
                )
        con.execute(
            """
            update raw.wandb_entity_listings set
                finished_at = now(), status = ?, error = ?, projects_listed = ?, requests = ?
            where listing_id = ?
            """,
            [status, error, len(nodes or ()), requests, listing_id],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def previously_listed(con: duckdb.DuckDBPyConnection, entity: str) -> list[str] | None:
    """The projects of the entity's latest 'ok' listing (None: never listed)."""
    latest = con.execute(
        """
        select listing_id from raw.wandb_entity_listings
        where entity = ? and status = 'ok'
        order by started_at desc
        limit 1
        """,
        [entity],
    ).fetchone()
    if latest is None:
        return None
    return [
        project
        for (project,) in con.execute(
            "select project from raw.wandb_projects where listing_id = ? order by project",
            [latest[0]],
        ).fetchall()
    ]


def synced_projects(con: duckdb.DuckDBPyConnection, entity: str) -> list[str]:
    """Projects of the entity the warehouse has loads of."""
    return [
        project
        for (project,) in con.execute(
            "select distinct project from raw.wandb_loads where entity = ? order by 1", [entity]
        ).fetchall()
    ]
