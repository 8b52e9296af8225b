"""Sweeps in the raw layer: `raw.wandb_sweeps`, one row per sweep per fetch that saw it
new or changed (append-only, like runs).

A row's `record` is the sweep node as W&B sent it plus `entity`, `project` and
`fetched_at` (the interchange format); `config` is the sweep configuration parsed from the
node's YAML text, so the models read it as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from extract.wandb_api.sweeps import parse_sweep_config
from extract.warehouse.database import registered

# Fields the record adds to a node; they never count as a change of the sweep.
ENVELOPE_FIELDS = ("entity", "project", "fetched_at")


@dataclass(frozen=True)
class SweepRow:
    sweep_id: str
    fetched_at: str
    record: str
    config: str | None


def sweep_row(node: Mapping[str, Any], *, entity: str, project: str, fetched_at: str) -> SweepRow:
    """The raw row of one sweep node (its `name` is the sweep id)."""
    record = {"entity": entity, "project": project, "fetched_at": fetched_at}
    record.update({k: v for k, v in node.items() if k not in ENVELOPE_FIELDS})
    return SweepRow(
        sweep_id=str(node["name"]),
        fetched_at=fetched_at,
        record=json.dumps(record, separators=(",", ":")),
        config=parse_sweep_config(node.get("config")),
    )


def stored_sweeps(
    con: duckdb.DuckDBPyConnection, entity: str, project: str
) -> dict[str, dict[str, Any]]:
    """The latest stored node of every sweep of a project (envelope fields removed)."""
    rows = con.execute(
        """
        select sweep_id, record::varchar
        from raw.wandb_sweeps
        where entity = $entity and project = $project
        qualify row_number() over (
            partition by sweep_id order by fetched_at desc, load_id desc
        ) = 1
        """,
        {"entity": entity, "project": project},
    ).fetchall()
    stored = {}
    for sweep_id, text in rows:
        record = json.loads(text)
        stored[sweep_id] = {k: v for k, v in record.items() if k not in ENVELOPE_FIELDS}
    return stored


def write_sweeps(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: str,
    project: str,
    rows: Sequence[SweepRow],
) -> None:
    """Append sweep versions in one statement."""
    if not rows:
        return
    frame = pd.DataFrame(
        {
            "sweep_id": [row.sweep_id for row in rows],
            "fetched_at": [row.fetched_at for row in rows],
            "record": [row.record for row in rows],
            "config": [row.config for row in rows],
        }
    )
    with registered(con, "sweeps_frame", frame):
        con.execute(
            """
            insert into live.wandb_sweeps
                (entity, project, sweep_id, fetched_at, load_id, record, config)
            select
                $entity, $project, sweep_id, fetched_at::timestamptz, $load_id,
                record::json, config::json
            from sweeps_frame
            """,
            {"load_id": load_id, "entity": entity, "project": project},
        )
