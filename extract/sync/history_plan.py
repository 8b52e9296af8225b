"""Deciding whose history a pull reads: pure functions over listed and stored history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredHistory:
    """What the warehouse already holds of one run's history."""

    rows: int
    last_step: int


@dataclass(frozen=True)
class HistoryTarget:
    """One run whose history grew: read the steps from `min_step` on."""

    entity: str
    project: str
    run_id: str
    min_step: int
    history_line_count: int


def history_targets(
    entity: str,
    project: str,
    listed: Iterable[tuple[str, int | None]],
    stored: Mapping[str, StoredHistory],
) -> list[HistoryTarget]:
    """Runs whose W&B history has more lines than the warehouse holds, oldest step first.

    `listed` is (run_id, historyLineCount) as W&B reports it now. A run is read when W&B
    counts more lines than are stored; the read starts after the last stored step.
    """
    targets = []
    for run_id, line_count in listed:
        count = int(line_count or 0)
        have = stored.get(run_id)
        if count <= 0 or (have is not None and count <= have.rows):
            continue
        min_step = 0 if have is None else have.last_step + 1
        targets.append(HistoryTarget(entity, project, run_id, min_step, count))
    return sorted(targets, key=lambda t: t.run_id)
