"""`wandb-warehouse extract`: one incremental sync of a W&B project into the raw layer.

Order of work, each write committed on its own:
1. ledger row ('running');  2. listing pass (light, one paged pass) -> raw.wandb_listings
once complete;  3. light rows for runs whose only change is in listing fields;
4. heavy batches of up to 100 runs (config + summary) -> 'full' rows;  5. ledger row
'ok' with the counts.

Heavy batches are fetched on the worker threads of `extract/sync/pool.py`, up to
WANDB_WAREHOUSE_CONCURRENCY requests in flight counting the listing's; a batch is sent
as soon as the listing has found 100 runs to fetch, so fetching overlaps the listing
(with concurrency 1 the listing holds the only place: listing first, then the batches in
order, as before). This thread writes each batch when it arrives. A sync that dies
midway keeps every batch written; the next sync compares against what was stored and
fetches only what is still missing or stale.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from tqdm import tqdm

from extract.errors import UserError, is_interrupt
from extract.sync.plan import HeavyBatcher, StoredRun, SyncPlan, dedupe_listing, plan_sync
from extract.sync.pool import FetchPool
from extract.sync.records import build_record
from extract.sync.store import RunRow, previously_absent, stored_runs, write_listing, write_runs
from extract.wandb_api.client import Page, WandbClient
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
    backoff: str = ""

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.entity}/{self.project}: listed {c.listed}, new {c.new}, "
            f"changed {c.changed}, deleted {c.deleted}, heavy-fetched {c.heavy_fetched}, "
            f"requests {c.requests}, {self.seconds:.1f} s{self.backoff}"
        )


def parse_project_path(text: str) -> tuple[str, str]:
    """'entity/project' -> (entity, project); anything else is a user error."""
    parts = text.strip().strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        raise UserError(f"{text!r} is not ENTITY/PROJECT (for example `my-team/my-project`)")
    return parts[0], parts[1]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _bar(desc: str, total: int | None, unit: str, position: int = 0) -> tqdm:
    return tqdm(
        desc=desc,
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
        position=position,
    )


@dataclass
class _Listing:
    """The listing pass as a pool task: (received at, page) per page."""

    client: WandbClient
    entity: str
    project: str

    def run(self) -> Iterator[tuple[str, Page]]:
        for page in self.client.list_runs(self.entity, self.project):
            yield now_iso(), page

    def retry(self) -> None:
        return None  # a listing half read is not resumed: the sync fails as before


@dataclass
class _HeavyBatch:
    """One heavy fetch as a pool task: the 'full' rows of its runs, built on the worker
    (the writing thread only inserts them)."""

    client: WandbClient
    entity: str
    project: str
    run_ids: list[str]

    def run(self) -> Iterator[list[RunRow]]:
        nodes = self.client.fetch_full(self.entity, self.project, self.run_ids)
        received = now_iso()
        wanted = set(self.run_ids)
        rows: dict[str, RunRow] = {}
        for node in nodes:
            if node.get("name") not in wanted:
                continue
            rows[node["name"]] = RunRow(
                run_id=node["name"],
                fetched_at=received,
                fetch_kind="full",
                record=build_record(
                    node,
                    entity=self.entity,
                    project=self.project,
                    fetched_at=received,
                    full=True,
                ),
            )
        yield list(rows.values())

    def retry(self) -> _HeavyBatch:
        return self


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
        stored = stored_runs(con, entity, project)
        absent_before = previously_absent(con, entity, project)
        batcher = HeavyBatcher(stored, full_refresh=full_refresh, size=client.config.batch_size)
        nodes: list[dict] = []
        seen_at: dict[str, str] = {}
        plan: SyncPlan | None = None
        failure: BaseException | None = None
        with (
            FetchPool(client.config.concurrency) as pool,
            _bar(f"{entity}/{project} listing", None, "run") as listing_bar,
            _bar(f"{entity}/{project} fetching", 0, "run", position=1) as fetch_bar,
        ):

            def fetch(run_batches: list[list[str]]) -> None:
                for run_ids in run_batches:
                    pool.submit(_HeavyBatch(client, entity, project, run_ids))
                fetch_bar.total = batcher.queued
                fetch_bar.refresh()

            listing = _Listing(client, entity, project)
            pool.submit(listing)
            for event in pool.events():
                if event.error is not None:
                    failure = failure or event.error
                elif event.task is listing and not event.done:
                    received, page = event.value
                    nodes.extend(page.nodes)
                    seen_at.update((node["name"], received) for node in page.nodes)
                    listing_bar.total = max(page.total, len(nodes))
                    listing_bar.update(len(page.nodes))
                    fetch(batcher.add(page.nodes))
                elif event.task is listing and not event.stopped:
                    plan = _listing_complete(
                        con, load_id, entity, project, nodes, seen_at, stored, absent_before,
                        full_refresh=full_refresh,
                    )  # fmt: skip
                    nodes = []
                    listing_complete = True
                    counts.listed = len(plan.listed)
                    counts.new = len(plan.new)
                    counts.changed = plan.changed
                    counts.deleted = len(plan.deleted)
                    fetch(batcher.rest())
                elif not event.done:
                    write_runs(con, load_id, entity, project, event.value)
                    counts.heavy_fetched += len(event.value)
                    fetch_bar.update(len(event.task.run_ids))
                counts.requests = client.requests - requests_before
        if failure is not None:
            raise failure
        assert plan is not None  # the listing ended without failure
        counts.requests = client.requests - requests_before
        finish_load(con, load_id, status="ok", counts=counts, listing_complete=True)
    except BaseException as exc:
        counts.requests = client.requests - requests_before
        if is_interrupt(exc):
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
        backoff=pool.backoff_note(),
    )


def _listing_complete(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: str,
    project: str,
    nodes: list[dict],
    seen_at: dict[str, str],
    stored: dict[str, StoredRun],
    absent_before: set[str],
    *,
    full_refresh: bool,
) -> SyncPlan:
    """Store the complete listing and the light rows of edited runs; returns the plan."""
    listing = dedupe_listing(nodes)
    write_listing(con, load_id, entity, project, list(listing))
    plan = plan_sync(listing, stored, full_refresh=full_refresh, previously_absent=absent_before)
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
    return plan
