"""Run artifacts in the raw layer: which artifact versions a run used and logged.

One artifact fetch of a run is one `raw.wandb_artifact_fetches` row (when, how many used
and logged; a run with none still gets its row, so it is not read again) plus one
`raw.wandb_run_artifacts` row per artifact version, its node as W&B sent it. Both are
append-only; the fetches of many runs are written together, each batch one transaction,
so an interrupted sync keeps every batch it finished.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from extract.wandb_api.artifacts import DIRECTIONS, artifact_key
from extract.warehouse.database import registered


@dataclass
class ArtifactFetch:
    """The artifacts of one run as read at `fetched_at`."""

    run_id: str
    fetched_at: str
    used: list[Mapping[str, Any]] = field(default_factory=list)
    logged: list[Mapping[str, Any]] = field(default_factory=list)


def write_artifact_fetches(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: str,
    project: str,
    fetches: Sequence[ArtifactFetch],
    *,
    transaction: bool = True,
) -> None:
    """Append the fetches and their artifact rows in one transaction (or in the caller's,
    when `transaction` is False)."""
    if not fetches:
        return
    marks = pd.DataFrame(
        {
            "run_id": [f.run_id for f in fetches],
            "fetched_at": [f.fetched_at for f in fetches],
            "used_count": [len(f.used) for f in fetches],
            "logged_count": [len(f.logged) for f in fetches],
        }
    )
    rows = [
        (fetch.run_id, fetch.fetched_at, direction, artifact_key(node), _node_text(node))
        for fetch in fetches
        for direction in DIRECTIONS
        for node in (fetch.used if direction == "used" else fetch.logged)
    ]
    artifacts = pd.DataFrame(
        rows, columns=["run_id", "fetched_at", "direction", "artifact_id", "record"]
    )
    params = {"load_id": load_id, "entity": entity, "project": project}
    with (
        registered(con, "artifact_marks", marks),
        registered(con, "artifact_rows", artifacts),
    ):
        if transaction:
            con.execute("begin transaction")
        try:
            con.execute(
                """
                insert into live.wandb_artifact_fetches
                    (entity, project, run_id, fetched_at, load_id, used_count, logged_count)
                select $entity, $project, run_id, fetched_at::timestamptz, $load_id,
                    used_count, logged_count
                from artifact_marks
                """,
                params,
            )
            if rows:
                con.execute(
                    """
                    insert into live.wandb_run_artifacts
                        (entity, project, run_id, fetched_at, load_id, direction, artifact_id,
                         record)
                    select $entity, $project, run_id, fetched_at::timestamptz, $load_id,
                        direction, artifact_id, record::json
                    from artifact_rows
                    """,
                    params,
                )
            if transaction:
                con.execute("commit")
        except BaseException:
            if transaction:
                con.execute("rollback")
            raise


def _node_text(node: Mapping[str, Any]) -> str:
    return json.dumps(node, separators=(",", ":"))


def artifact_fetch_state(
    con: duckdb.DuckDBPyConnection, entity: str, project: str, listing_load_id: str
) -> tuple[list[str], dict[str, datetime], dict[str, datetime]]:
    """For the runs listed at `listing_load_id`: their ids in listing order, when each was
    last fetched in full, and when its artifacts were last read."""
    listed = [
        run_id
        for (run_id,) in con.execute(
            "select run_id from live.wandb_listings where load_id = ? order by rowid",
            [listing_load_id],
        ).fetchall()
    ]
    last_full = dict(
        con.execute(
            """
            select run_id, max(fetched_at)
            from raw.wandb_runs
            where entity = $entity and project = $project and fetch_kind = 'full'
            group by run_id
            """,
            {"entity": entity, "project": project},
        ).fetchall()
    )
    last_artifacts = dict(
        con.execute(
            """
            select run_id, max(fetched_at)
            from raw.wandb_artifact_fetches
            where entity = $entity and project = $project
            group by run_id
            """,
            {"entity": entity, "project": project},
        ).fetchall()
    )
    return listed, last_full, last_artifacts
