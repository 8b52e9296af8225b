"""Pulling run history from W&B through the official SDK into `raw.wandb_history`.

wandb 0.31's `Run.scan_history(min_step=, page_size=)` is the SDK's full-row reader (the
client's `history_rows`; `Run.history` is the 500-point sample): it
asks `RunHistoryKeys` for the last step, then wandb-core asks `RunParquetHistory` for the
run's exported parquet files (downloaded over HTTP) and the steps not exported yet, and
pages through those live steps with `HistoryPage(minStep, maxStep, samples)`. Pages are
step ranges read one at a time, so memory stays flat however long the run; resuming is
`min_step = last stored step + 1`.

Rows are appended in batches cut at page boundaries (every stored batch ends with a
whole page, so the stored rows of a run are always its steps below some step). A failure
keeps every row already read; the next pull resumes after the last stored step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb

from extract.errors import UserError
from extract.sync.history_plan import HistoryTarget, StoredHistory, history_targets
from extract.warehouse.history import HistoryWriter

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


def pull_run(
    writer: HistoryWriter,
    target: HistoryTarget,
    rows: Iterable[Mapping[str, Any]],
    page_size: int,
    batch_rows: int,
) -> int:
    """Stream one run's rows into the writer; flush at page boundaries. Returns rows read.

    On an exception the rows read so far (whole pages: the SDK raises between pages) are
    flushed before it propagates.
    """
    read = 0
    current_page = -1
    try:
        for row in rows:
            step = row.get("_step")
            page = (
                page_of(int(step), target.min_step, page_size)
                if isinstance(step, int | float) and math.isfinite(step)
                else current_page
            )
            if page > current_page:
                if writer.pending >= batch_rows:
                    writer.flush()
                current_page = page
            writer.add(target.entity, target.project, target.run_id, row)
            read += 1
    finally:
        writer.flush()
    return read


class HistorySource(Protocol):
    """Where rows come from: `WandbClient.history_rows` (or anything shaped like it)."""

    def history_rows(
        self, entity: str, project: str, run_id: str, *, min_step: int, page_size: int
    ) -> Iterable[Mapping[str, Any]]: ...


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
) -> HistoryCounts:
    """Read the new history of every run of a project whose history grew.

    `listed` is (run_id, historyLineCount) as W&B reports it now (default: the runs the
    load `load_id` listed). Raises HistoryPullError naming the run on the first failure,
    after storing every row read until then.
    """
    if listed is None:
        listed = listed_line_counts(con, entity, project, load_id)
    targets = history_targets(entity, project, listed, stored_history(con, entity, project))
    counts = HistoryCounts(targets=len(targets))
    writer = HistoryWriter(con, load_id, batch_rows)
    for target in targets:
        before = writer.written
        try:
            rows = source.history_rows(
                entity, project, target.run_id, min_step=target.min_step, page_size=page_size
            )
            read = pull_run(writer, target, rows, page_size, batch_rows)
        except Exception as exc:
            stored = writer.written - before
            counts.rows += stored
            counts.failed_run = target.run_id
            counts.error = _first_line(exc)
            where = f"{entity}/{project}/{target.run_id}"
            detail = (
                counts.error if where in counts.error else f"history of {where}: {counts.error}"
            )
            raise HistoryPullError(
                f"{detail} ({stored} new history rows of {target.run_id} were stored; run the "
                "same command again to resume)",
                counts,
            ) from None
        counts.runs_read += 1
        counts.rows += read
        counts.per_run[target.run_id] = read
        if progress is not None:
            progress(target, read)
    return counts
