"""Pulling run history from W&B through the official SDK into `raw.wandb_history`.

wandb 0.31's `Run.scan_history(min_step=, page_size=)` is the SDK's full-row reader (the
client's `history_rows`; `Run.history` is the 500-point sample): it
asks `RunHistoryKeys` for the last step, then wandb-core asks `RunParquetHistory` for the
run's exported parquet files (downloaded over HTTP) and the steps not exported yet, and
pages through those live steps with `HistoryPage(minStep, maxStep, samples)`. Pages are
step ranges read one at a time, so memory stays flat however long the run; resuming is
`min_step = last stored step + 1`.

Runs are read on the worker threads of `extract/sync/pool.py`, up to
WANDB_WAREHOUSE_CONCURRENCY at once (one scan per run, each its own wandb-core scan);
each worker cuts its run's rows into batches at page boundaries and this thread appends
them, one insert per batch, in the order each run produced them (every stored batch ends
with a whole page, so the stored rows of a run are always its steps below some step). A
failure keeps every row already read, of that run and of the runs read beside it; the
next pull resumes after each run's last stored step. A run whose scan kept getting 429
is read again from its next unread step with fewer runs at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import duckdb

from extract.errors import UserError
from extract.sync.history_plan import HistoryTarget, StoredHistory, history_targets
from extract.sync.pool import FetchPool
from extract.warehouse.history import HistoryBatch, HistoryWriter

DEFAULT_PAGE_SIZE = 1_000
DEFAULT_BATCH_ROWS = 20_000


@dataclass
class HistoryCounts:
    """What a history pull did, for the final line and the ledger."""

    targets: int = 0
    runs_read: int = 0
    rows: int = 0
    failed_run: str | None = None
    error: str | None = None
    per_run: dict[str, int] = field(default_factory=dict)
    backoff: str = ""  # the pool's note on 429s, for the final line


class HistoryPullError(UserError):
    """A run's history could not be read; `counts` says what was stored before."""

    def __init__(self, message: str, counts: HistoryCounts) -> None:
        super().__init__(message)
        self.counts = counts


def listed_line_counts(
    con: duckdb.DuckDBPyConnection, entity: str, project: str, load_id: str | None = None
) -> list[tuple[str, int | None]]:
    """(run_id, historyLineCount) of the runs listed at `load_id` (default: the project's
    latest successful load that listed runs), from their newest stored record."""
    if load_id is None:
        row = con.execute(
            """
            select load_id from raw.wandb_loads
            where entity = ? and project = ? and status = 'ok'
              and load_id in (select load_id from raw.wandb_listings)
            order by started_at desc
            limit 1
            """,
            [entity, project],
        ).fetchone()
        if row is None:
            return []
        load_id = row[0]
    return con.execute(
        """
        with latest as (
            select run_id, record
            from raw.wandb_runs
            where entity = $entity and project = $project
            qualify row_number() over (partition by run_id order by fetched_at desc) = 1
        )
        select listings.run_id, try_cast(latest.record ->> '$.historyLineCount' as bigint)
        from raw.wandb_listings as listings
        inner join latest using (run_id)
        where listings.load_id = $load_id
        order by listings.run_id
        """,
        {"entity": entity, "project": project, "load_id": load_id},
    ).fetchall()


def stored_history(
    con: duckdb.DuckDBPyConnection, entity: str, project: str
) -> dict[str, StoredHistory]:
    """Rows and last step the warehouse holds per run of one project."""
    result = con.execute(
        """
        select run_id, count(distinct step), max(step)
        from raw.wandb_history
        where entity = ? and project = ?
        group by run_id
        """,
        [entity, project],
    ).fetchall()
    return {run_id: StoredHistory(rows, last) for run_id, rows, last in result}


def page_of(step: int, min_step: int, page_size: int) -> int:
    """Which `scan_history` page (0-based) a step arrives in."""
    return (step - min_step) // page_size


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class HistorySource(Protocol):
    """Where rows come from: `WandbClient.history_rows` (or anything shaped like it)."""

    def history_rows(
        self, entity: str, project: str, run_id: str, *, min_step: int, page_size: int
    ) -> Iterable[Mapping[str, Any]]: ...


@dataclass(eq=False)
class RunRead:
    """Reading one run's history, as a pool task: yields batches of at least
    `batch_rows` rows (fewer at the end) that end on a page boundary.

    On an exception the rows read so far (whole pages: the SDK raises between pages) are
    yielded before it propagates. `retry()` reads on from the step after the last row
    yielded.
    """

    source: HistorySource
    target: HistoryTarget
    page_size: int
    batch_rows: int
    next_step: int | None = None  # after the last row yielded

    def run(self) -> Iterator[HistoryBatch]:
        target = self.target
        rows = self.source.history_rows(
            target.entity,
            target.project,
            target.run_id,
            min_step=target.min_step,
            page_size=self.page_size,
        )
        batch = HistoryBatch()
        current_page = -1
        try:
            for row in rows:
                step = row.get("_step")
                page = (
                    page_of(int(step), target.min_step, self.page_size)
                    if isinstance(step, int | float) and math.isfinite(step)
                    else current_page
                )
                if page > current_page:
                    if len(batch) >= self.batch_rows:
                        yield self._handing_over(batch)
                        batch = HistoryBatch()
                    current_page = page
                batch.add(target.entity, target.project, target.run_id, row)
        except Exception:
            if batch:
                yield self._handing_over(batch)
            raise
        if batch:
            yield self._handing_over(batch)

    def _handing_over(self, batch: HistoryBatch) -> HistoryBatch:
        if batch:
            self.next_step = max(batch.steps) + 1
        return batch

    def retry(self) -> RunRead:
        if self.next_step is None:
            return RunRead(self.source, self.target, self.page_size, self.batch_rows)
        target = replace(self.target, min_step=self.next_step)
        return RunRead(self.source, target, self.page_size, self.batch_rows)


def pull_history(
    con: duckdb.DuckDBPyConnection,
    source: HistorySource,
    entity: str,
    project: str,
    load_id: str,
    *,
    listed: Iterable[tuple[str, int | None]] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Callable[[HistoryTarget, int], None] | None = None,
    concurrency: int = 1,
) -> HistoryCounts:
    """Read the new history of every run of a project whose history grew.

    `listed` is (run_id, historyLineCount) as W&B reports it now (default: the runs the
    load `load_id` listed); up to `concurrency` runs are read at once. Raises
    HistoryPullError naming the first run that failed, after storing every row read
    until then.
    """
    if listed is None:
        listed = listed_line_counts(con, entity, project, load_id)
    targets = history_targets(entity, project, listed, stored_history(con, entity, project))
    counts = HistoryCounts(targets=len(targets))
    writer = HistoryWriter(con, load_id, batch_rows)
    stored: dict[str, int] = {}  # rows written per run
    failed: tuple[HistoryTarget, BaseException] | None = None
    with FetchPool(concurrency) as pool:
        for target in targets:
            pool.submit(RunRead(source, target, page_size, batch_rows))
        for event in pool.events():
            run_id = event.task.target.run_id
            if not event.done:
                written = writer.write(event.value)
                stored[run_id] = stored.get(run_id, 0) + written
                counts.rows += written
            elif event.error is not None:
                failed = failed or (event.task.target, event.error)
            elif not event.stopped:
                counts.runs_read += 1
                counts.per_run[run_id] = stored.get(run_id, 0)
                if progress is not None:
                    progress(event.task.target, counts.per_run[run_id])
    counts.backoff = pool.backoff_note()
    if failed is not None:
        target, exc = failed
        rows = stored.get(target.run_id, 0)
        counts.failed_run = target.run_id
        counts.error = _first_line(exc)
        where = f"{entity}/{project}/{target.run_id}"
        detail = counts.error if where in counts.error else f"history of {where}: {counts.error}"
        raise HistoryPullError(
            f"{detail} ({rows} new history rows of {target.run_id} were stored; run the "
            "same command again to resume)",
            counts,
        )
    return counts
