"""A project's sweeps, after its run sync: one paged listing (`GetSweeps`), and a row in
`raw.wandb_sweeps` for every sweep that is new or whose node changed since the latest
stored one (state, run count, updatedAt, config, ...). Unchanged sweeps write nothing.

The sweep listing is a load of its own in the ledger (same invocation and mode as the
run sync, no run listing): `listed` counts the sweeps listed, `new` and `changed` the rows
written, `requests` the GraphQL calls. A failure marks the load 'failed' and keeps what
the run sync stored.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from extract.wandb_api.client import WandbClient
from extract.wandb_api.config import public_url
from extract.wandb_api.sweeps import list_sweeps
from extract.warehouse.ledger import LoadCounts, finish_load, start_load
from extract.warehouse.sweeps import SweepRow, stored_sweeps, sweep_row, write_sweeps


@dataclass
class SweepPlan:
    """Which listed sweeps are new, changed or unchanged (ids in listing order)."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class SweepSync:
    entity: str
    project: str
    load_id: str
    listed: int
    plan: SweepPlan
    requests: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.entity}/{self.project} sweeps: listed {self.listed}, "
            f"new {len(self.plan.new)}, changed {len(self.plan.changed)}, "
            f"requests {self.requests}, {self.seconds:.1f} s"
        )


def plan_sweeps(
    listed: Mapping[str, Mapping[str, Any]], stored: Mapping[str, Mapping[str, Any]]
) -> SweepPlan:
    """Compare each listed node with the latest stored node of the same sweep."""
    plan = SweepPlan()
    for sweep_id, node in listed.items():
        previous = stored.get(sweep_id)
        if previous is None:
            plan.new.append(sweep_id)
        elif dict(previous) != dict(node):
            plan.changed.append(sweep_id)
        else:
            plan.unchanged.append(sweep_id)
    return plan


def sync_sweeps(
    con: duckdb.DuckDBPyConnection,
    client: WandbClient,
    entity: str,
    project: str,
    *,
    invocation_id: str,
    mode: str,
) -> SweepSync:
    started = time.monotonic()
    requests_before = client.requests
    load_id = start_load(
        con,
        invocation_id=invocation_id,
        entity=entity,
        project=project,
        mode=mode,
        source=public_url(client.config.base_url),
    )
    counts = LoadCounts()
    try:
        listed: dict[str, dict[str, Any]] = {}
        seen_at: dict[str, str] = {}
        for page in list_sweeps(client, entity, project):
            received = datetime.now(UTC).isoformat()
            for node in page:
                listed[str(node["name"])] = node
                seen_at[str(node["name"])] = received
        plan = plan_sweeps(listed, stored_sweeps(con, entity, project))
        written = set(plan.new) | set(plan.changed)
        rows: list[SweepRow] = [
            sweep_row(node, entity=entity, project=project, fetched_at=seen_at[sweep_id])
            for sweep_id, node in listed.items()
            if sweep_id in written
        ]
        write_sweeps(con, load_id, entity, project, rows)
        counts = LoadCounts(
            listed=len(listed),
            new=len(plan.new),
            changed=len(plan.changed),
            requests=client.requests - requests_before,
        )
        finish_load(con, load_id, status="ok", counts=counts, listing_complete=False)
    except BaseException as exc:
        counts.requests = client.requests - requests_before
        error = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        with contextlib.suppress(duckdb.Error):
            finish_load(
                con,
                load_id,
                status="failed",
                counts=counts,
                listing_complete=False,
                error=client.scrub(" ".join(error.split())),
            )
        raise
    return SweepSync(
        entity=entity,
        project=project,
        load_id=load_id,
        listed=len(listed),
        plan=plan,
        requests=counts.requests,
        seconds=time.monotonic() - started,
    )
