"""Syncing a command line's targets (`ENTITY` or `ENTITY/PROJECT`) into the raw layer:
the projects of each, then each project's runs, sweeps and, if asked, artifacts and
history, one summary line per step."""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb

from extract.sync.artifacts import sync_artifacts
from extract.sync.entity import list_entity
from extract.sync.history import sync_history
from extract.sync.runs import sync_project
from extract.sync.sweeps import sync_sweeps
from extract.wandb_api.client import WandbClient
from extract.warehouse.ledger import new_id


@dataclass(frozen=True)
class SyncOptions:
    full_refresh: bool = False
    artifacts: bool = False
    history: bool = False


def sync_targets(
    con: duckdb.DuckDBPyConnection,
    client: WandbClient,
    targets: list[tuple[str, str | None]],
    options: SyncOptions,
) -> None:
    """Sync every target's projects (an entity's are listed first), each project once."""
    started = time.monotonic()
    mode = "full_refresh" if options.full_refresh else "incremental"
    invocation_id = new_id()
    results = []
    synced: set[tuple[str, str]] = set()
    for entity, only in dict.fromkeys(targets):
        if only is None:
            listing = list_entity(con, client, entity, invocation_id=invocation_id)
            print(listing.summary(), flush=True)
            projects = listing.projects
        else:
            projects = [only]
        for project in projects:
            if (entity, project) in synced:
                continue
            synced.add((entity, project))
            result = sync_project(
                con,
                client,
                entity,
                project,
                invocation_id=invocation_id,
                full_refresh=options.full_refresh,
            )
            results.append(result)
            print(result.summary(), flush=True)
            sweeps = sync_sweeps(
                con, client, entity, project, invocation_id=invocation_id, mode=mode
            )
            print(sweeps.summary(), flush=True)
            if options.artifacts:
                artifacts = sync_artifacts(
                    con,
                    client,
                    entity,
                    project,
                    invocation_id=invocation_id,
                    mode=mode,
                    listing_load_id=result.load_id,
                )
                print(artifacts.summary(), flush=True)
            if options.history:
                history = sync_history(
                    con,
                    client,
                    entity,
                    project,
                    invocation_id=invocation_id,
                    mode=mode,
                    listing_load_id=result.load_id,
                )
                print(history.summary(), flush=True)
    if len(results) > 1:
        total = {
            name: sum(getattr(r.counts, name) for r in results)
            for name in ("listed", "new", "changed", "deleted", "heavy_fetched")
        }
        print(
            f"total: listed {total['listed']}, new {total['new']}, "
            f"changed {total['changed']}, deleted {total['deleted']}, "
            f"heavy-fetched {total['heavy_fetched']}, requests {client.requests}, "
            f"{time.monotonic() - started:.1f} s"
        )
