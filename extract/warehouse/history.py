"""Run history in the raw layer: writing logged rows to `raw.wandb_history`.

A history row as W&B logs it is a flat object: `_step` (the row's step), `_timestamp`
(epoch seconds), `_runtime` (seconds since the run started) and the user's metrics. The
first three become columns; everything else is kept verbatim as a JSON object, so NaN and
Infinity survive (`json.dumps` writes them as tokens, DuckDB's JSON type keeps them).

Rows are written in batches, each batch one insert statement (one transaction), so an
interrupted pull leaves a prefix of every run's history and the next pull resumes after
the last stored step.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from extract.warehouse.database import registered

RESERVED_KEYS = ("_step", "_timestamp", "_runtime")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def split_row(row: Mapping[str, Any]) -> tuple[int, float | None, float | None, str]:
    """(step, timestamp epoch seconds, runtime seconds, metrics JSON) of one history row."""
    step = row.get("_step")
    if isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step):
        raise ValueError(f"history row without an integer `_step`: {str(dict(row))[:120]}")
    timestamp = _number(row.get("_timestamp"))
    if timestamp is not None and not math.isfinite(timestamp):
        timestamp = None
    metrics = {key: value for key, value in row.items() if key not in RESERVED_KEYS}
    return int(step), timestamp, _number(row.get("_runtime")), json.dumps(metrics)


@dataclass
class HistoryBatch:
    """History rows split into columns, ready to be written by one insert."""

    keys: list[tuple[str, str, str]] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    timestamps: list[float | None] = field(default_factory=list)
    runtimes: list[float | None] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, entity: str, project: str, run_id: str, row: Mapping[str, Any]) -> None:
        step, timestamp, runtime, metrics = split_row(row)
        self.keys.append((entity, project, run_id))
        self.steps.append(step)
        self.timestamps.append(timestamp)
        self.runtimes.append(runtime)
        self.metrics.append(metrics)


@dataclass
class HistoryWriter:
    """Appends history rows to `raw.wandb_history`: whole batches (`write`), or rows
    buffered with `add` and written by `flush`."""

    con: duckdb.DuckDBPyConnection
    load_id: str
    batch_rows: int = 10_000
    written: int = 0
    _buffer: HistoryBatch = field(default_factory=HistoryBatch)

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def add(self, entity: str, project: str, run_id: str, row: Mapping[str, Any]) -> None:
        self._buffer.add(entity, project, run_id, row)

    def flush(self) -> int:
        """Write the buffered rows as one statement; returns how many were written."""
        count = self.write(self._buffer)
        self._buffer = HistoryBatch()
        return count

    def write(self, batch: HistoryBatch) -> int:
        """Write a batch as one statement (one transaction); returns how many rows."""
        if not batch:
            return 0
        entities, projects, run_ids = zip(*batch.keys, strict=True)
        frame = pd.DataFrame(
            {
                "entity": entities,
                "project": projects,
                "run_id": run_ids,
                "step": pd.array(batch.steps, dtype="int64"),
                "logged_at": pd.array(batch.timestamps, dtype="Float64"),
                "runtime": pd.array(batch.runtimes, dtype="Float64"),
                "metrics": batch.metrics,
            }
        )
        with registered(self.con, "history_batch", frame):
            self.con.execute(
                """
                insert into live.wandb_history
                select
                    entity,
                    project,
                    run_id,
                    step,
                    to_timestamp(logged_at),
                    runtime,
                    metrics::json,
                    $load_id
                from history_batch
                """,
                {"load_id": self.load_id},
            )
        self.written += len(batch)
        return len(batch)
