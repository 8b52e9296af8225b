"""`wandb-warehouse extract`: one incremental sync of a W&B project into the raw layer.

Order of work, each step committed before the next starts:
1. ledger row ('running');  2. listing pass (light, paged) -> raw.wandb_listings;
3. light rows for runs whose only change is in listing fields;  4. heavy batches of up
to 100 runs (config + summary) -> 'full' rows;  5. ledger row 'ok' with the counts.
A sync that dies midway keeps steps already done; the next sync compares against what
was stored and fetches only what is still missing or stale.
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from tqdm import tqdm

from extract.errors import UserError
from extract.sync.plan import SyncPlan, batches, dedupe_listing, plan_sync
from extract.sync.records import build_record
from extract.sync.store import RunRow, previously_absent, stored_runs, write_listing, write_runs
from extract.wandb_api.client import WandbClient
from extract.wandb_api.config import public_url
from extract.warehouse.ledger import LoadCounts, finish_load, start_load


@dataclass
class ProjectSync:
    """The outcome of one project's sync, as printed on the final line."""

    entity: str
    project: str
    load_id: str
    counts: LoadCounts
    seconds: float
    plan: SyncPlan

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.entity}/{self.project}: listed {c.listed}, new {c.new}, "
            f"changed {c.changed}, deleted {c.deleted}, heavy-fetched {c.heavy_fetched}, "
            f"requests {c.requests}, {self.seconds:.1f} s"
        )


def parse_project_path(text: str) -> tuple[str, str]:
    """'entity/project' -> (entity, project); anything else is a user error."""
    parts = text.strip().strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        raise UserError(f"{text!r} is not ENTITY/PROJECT (for example `my-team/my-project`)")
    return parts[0], parts[1]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _bar(desc: str, total: int | None, unit: str) -> tqdm:
    return tqdm(
        desc=desc,
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )


def sync_project(
    con: duckdb.DuckDBPyConnection,
    client: WandbClient,
    entity: str,
    project: str,
    *,
    invocation_id: str,
    full_refresh: bool = False,
) -> ProjectSync:
    """Sync one project; on any failure the ledger row ends 'failed' and the error rises."""
    started = time.monotonic()
    requests_before = client.requests
    load_id = start_load(
        con,
        invocation_id=invocation_id,
        entity=entity,
        project=project,
        mode="full_refresh" if full_refresh else "incremental",
        source=public_url(client.config.base_url),
    )
    counts = LoadCounts()
    listing_complete = False
    try:
        nodes: list[dict] = []
        seen_at: dict[str, str] = {}
        with _bar(f"{entity}/{project} listing", None, "run") as bar:
            for page in client.list_runs(entity, project):
                received = now_iso()
                nodes.extend(page.nodes)
                seen_at.update((node["name"], received) for node in page.nodes)
                bar.total = max(page.total, len(nodes))
                bar.update(len(page.nodes))
                counts.requests = client.requests - requests_before
        listing = dedupe_listing(nodes)
        del nodes
        absent_before = previously_absent(con, entity, project)
        write_listing(con, load_id, entity, project, list(listing))
        listing_complete = True
        counts.listed = len(listing)

        plan = plan_sync(
            listing,
            stored_runs(con, entity, project),
            full_refresh=full_refresh,
            previously_absent=absent_before,
        )
        counts.new = len(plan.new)
        counts.changed = plan.changed
        counts.deleted = len(plan.deleted)

        light_rows = [
            RunRow(
                run_id=run_id,
                fetched_at=seen_at[run_id],
                fetch_kind="light",
                record=build_record(
                    listing[run_id],
                    entity=entity,
                    project=project,
                    fetched_at=seen_at[run_id],
                    full=False,
                ),
            )
            for run_id in plan.edited
        ]
        write_runs(con, load_id, entity, project, light_rows)

        heavy = plan.heavy
        with _bar(f"{entity}/{project} fetching", len(heavy), "run") as bar:
            for batch in batches(heavy, client.config.batch_size):
                wanted = set(batch)
                nodes = client.fetch_full(entity, project, batch)
                received = now_iso()
                rows: dict[str, RunRow] = {}
                for node in nodes:
                    if node.get("name") not in wanted:
                        continue
                    rows[node["name"]] = RunRow(
                        run_id=node["name"],
                        fetched_at=received,
                        fetch_kind="full",
                        record=build_record(
                            node, entity=entity, project=project, fetched_at=received, full=True
                        ),
                    )
                write_runs(con, load_id, entity, project, list(rows.values()))
                counts.heavy_fetched += len(rows)
                counts.requests = client.requests - requests_before
                bar.update(len(batch))
        counts.requests = client.requests - requests_before
        finish_load(con, load_id, status="ok", counts=counts, listing_complete=True)
    except BaseException as exc:
        counts.requests = client.requests - requests_before
        if isinstance(exc, KeyboardInterrupt):
            error = "interrupted"
        else:
            error = client.scrub(" ".join(str(exc).split()) or type(exc).__name__)
        # If even this fails, the next writer marks the row failed (see ensure_raw_schema).
        with contextlib.suppress(duckdb.Error):
            finish_load(
                con,
                load_id,
                status="failed",
                counts=counts,
                listing_complete=listing_complete,
                error=error,
            )
        raise
    return ProjectSync(
        entity=entity,
        project=project,
        load_id=load_id,
        counts=counts,
        seconds=time.monotonic() - started,
        plan=plan,
    )
