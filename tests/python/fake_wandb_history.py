"""Run history for the fake W&B server: the GraphQL operations wandb 0.31 sends for
`Run.scan_history` (traced from the SDK and its wandb-core sidecar):

- `RunHistoryKeys(entity, project, name)` -> `project.run.historyKeys` (JSON with
  `lastStep`), asked by the Python SDK to bound the scan;
- `RunParquetHistory(entity, project, runName, liveKeys=["_step"])` ->
  `project.run.parquetHistory { parquetUrls liveData }`, asked by wandb-core once per
  scan: this fake exports nothing to parquet, so every row is live and `liveData` lists
  `{"_step": s}` for each of them;
- `HistoryPage(entity, project, run, minStep, maxStep, pageSize)` ->
  `project.run.history(minStep, maxStep, samples)`: the rows with minStep <= _step <
  maxStep, at most `samples`, each a JSON string (NaN/Infinity written as tokens).

Histories are synthetic and computed on demand (no rows held in memory), so a run can
have any number of steps.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HISTORY_OPERATIONS = ("RunHistoryKeys", "RunParquetHistory", "HistoryPage")


@dataclass
class SyntheticHistory:
    """A run's logged rows: `steps` rows, `metrics` metrics each, deterministic values."""

    steps: int
    metrics: int = 3
    start: float = 1_757_000_000.0
    seconds_per_step: float = 1.5
    nan_every: int = 0  # every n-th step logs NaN / Infinity values (0: never)
    first_step: int = 0

    def row(self, step: int) -> dict[str, Any]:
        values: dict[str, Any] = {
            "_step": step,
            "_timestamp": self.start + step * self.seconds_per_step,
            "_runtime": step * self.seconds_per_step,
        }
        for index in range(self.metrics):
            values[f"metric_{index}"] = round(1.0 / (1 + step + index), 6)
        if self.nan_every and step % self.nan_every == 0:
            values["metric_0"] = math.nan
            if self.metrics > 1:
                values["metric_1"] = math.inf
        return values

    @property
    def last_step(self) -> int:
        return self.first_step + self.steps - 1


@dataclass
class HistoryBackend:
    """The history part of the fake server's state, keyed by (entity, project, run_id)."""

    runs: dict[tuple[str, str, str], SyntheticHistory] = field(default_factory=dict)
    # (run_id) -> fail every HistoryPage of that run whose minStep >= this step
    fail_from_step: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, operation: str, variables: dict[str, Any]) -> tuple[int, Any] | None:
        """(HTTP status, GraphQL response body) for a history operation, else None."""
        handler: Callable[[dict[str, Any]], tuple[int, Any]] | None = {
            "RunHistoryKeys": self._history_keys,
            "RunParquetHistory": self._parquet_history,
            "HistoryPage": self._history_page,
        }.get(operation)
        if handler is None:
            return None
        with self.lock:
            self.calls.append((operation, dict(variables)))
        return handler(variables)

    def _run(self, variables: dict[str, Any], name_key: str) -> SyntheticHistory | None:
        key = (variables.get("entity"), variables.get("project"), variables.get(name_key))
        return self.runs.get(key)  # type: ignore[arg-type]

    @staticmethod
    def _data(run: dict[str, Any] | None) -> tuple[int, Any]:
        return 200, {"data": {"project": {"run": run}}}

    def _history_keys(self, variables: dict[str, Any]) -> tuple[int, Any]:
        history = self._run(variables, "name")
        if history is None:
            return self._data(None)
        keys = {
            key: {"typeCounts": [{"type": "number", "count": history.steps}]}
            for key in history.row(history.first_step)
        }
        return self._data({"historyKeys": {"lastStep": history.last_step, "keys": keys}})

    def _parquet_history(self, variables: dict[str, Any]) -> tuple[int, Any]:
        history = self._run(variables, "runName")
        if history is None:
            return self._data(None)
        live = [{"_step": step} for step in range(history.first_step, history.last_step + 1)]
        return self._data({"parquetHistory": {"parquetUrls": [], "liveData": live}})

    def _history_page(self, variables: dict[str, Any]) -> tuple[int, Any]:
        history = self._run(variables, "run")
        if history is None:
            return self._data(None)
        low, high = int(variables["minStep"]), int(variables["maxStep"])
        fail_from = self.fail_from_step.get(str(variables.get("run")))
        if fail_from is not None and low >= fail_from:
            return 500, {"errors": [{"message": "internal error reading history"}]}
        samples = int(variables.get("pageSize") or (high - low))
        first = max(low, history.first_step)
        last = min(high, history.last_step + 1, first + samples)
        rows = [json.dumps(history.row(step)) for step in range(first, last)]
        return self._data({"history": rows})
