"""`wandb-warehouse extract --history`: after a project's run sync, pull the new history.

The history pull is a load of its own in the ledger (same invocation as the run sync,
mode of the sync, no listing): `listed` counts the runs whose history grew,
`heavy_fetched` the runs read to their last step, `requests` the GraphQL calls. The rows
it stored are `raw.wandb_history` rows with its load_id. A failure marks the load
'failed' with the error and keeps every row stored before it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass

import duckdb
from tqdm import tqdm

from extract.errors import UserError
from extract.sync.history_plan import HistoryTarget
from extract.sync.history_pull import (
    DEFAULT_PAGE_SIZE,
    HistoryCounts,
    HistoryPullError,
    listed_line_counts,
    pull_history,
)
from extract.wandb_api.client import WandbClient
from extract.wandb_api.config import public_url
from extract.warehouse.ledger import LoadCounts, finish_load, start_load

PAGE_SIZE_ENV = "WANDB_WAREHOUSE_HISTORY_PAGE_SIZE"


@dataclass
class HistorySync:
    """The outcome of one project's history pull, as printed on its final line."""

    entity: str
    project: str
    load_id: str
    counts: HistoryCounts
    requests: int
    seconds: float

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.entity}/{self.project} history: runs grown {c.targets}, read "
            f"{c.runs_read}, rows {c.rows}, requests {self.requests}, {self.seconds:.1f} s"
        )


def history_page_size() -> int:
    raw = os.environ.get(PAGE_SIZE_ENV, "").strip()
    if not raw:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or int(raw) < 1:
        raise UserError(f"{PAGE_SIZE_ENV}={raw!r} must be a whole number of at least 1")
    return int(raw)


def sync_history(
    con: duckdb.DuckDBPyConnection,
    client: WandbClient,
    entity: str,
    project: str,
    *,
    invocation_id: str,
    mode: str,
    listing_load_id: str,
) -> HistorySync:
    """Pull the history of the runs listed at `listing_load_id` whose history grew."""
    page_size = history_page_size()
    started = time.monotonic()
    requests_before = client.requests
    listed = listed_line_counts(con, entity, project, listing_load_id)
    load_id = start_load(
        con,
        invocation_id=invocation_id,
        entity=entity,
        project=project,
        mode=mode,
        source=public_url(client.config.base_url),
    )
    bar = tqdm(
        desc=f"{entity}/{project} history",
        unit="run",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )

    def progress(target: HistoryTarget, rows: int) -> None:
        bar.update(1)

    counts = HistoryCounts()
    try:
        with bar:
            counts = pull_history(
                con,
                client,
                entity,
                project,
                load_id,
                listed=listed,
                page_size=page_size,
                progress=progress,
            )
        requests = client.requests - requests_before
        finish_load(
            con,
            load_id,
            status="ok",
            counts=_ledger_counts(counts, requests),
            listing_complete=False,
        )
    except BaseException as exc:
        if isinstance(exc, HistoryPullError):
            counts = exc.counts
        error = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        with contextlib.suppress(duckdb.Error):
            finish_load(
                con,
                load_id,
                status="failed",
                counts=_ledger_counts(counts, client.requests - requests_before),
                listing_complete=False,
                error=client.scrub(" ".join(error.split())),
            )
        raise
    return HistorySync(entity, project, load_id, counts, requests, time.monotonic() - started)


def _ledger_counts(counts: HistoryCounts, requests: int) -> LoadCounts:
    return LoadCounts(listed=counts.targets, heavy_fetched=counts.runs_read, requests=requests)
