"""Run history for the fake W&B server: the GraphQL operations wandb 0.31 sends for
`Run.scan_history` (traced from the SDK and its wandb-core sidecar):

- `RunHistoryKeys(entity, project, name)` -> `project.run.historyKeys` (JSON with
  `lastStep`), asked by the Python SDK to bound the scan;
- `RunParquetHistory(entity, project, runName, liveKeys=["_step"])` ->
  `project.run.parquetHistory { parquetUrls liveData }`, asked by wandb-core once per
  scan: signed URLs of the run's exported parquet file (wandb-core GETs it and reads
  the step range itself) and `{"_step": s}` for every live (not yet exported) row. A run
  exports its first `exported_steps` rows (default none: everything is live);
- `HistoryPage(entity, project, run, minStep, maxStep, pageSize)` ->
  `project.run.history(minStep, maxStep, samples)`: the live rows with minStep <= _step
  < maxStep, at most `samples`, each a JSON string (NaN/Infinity written as tokens);
  wandb-core asks only for pages that reach the first live step.

Histories are synthetic and computed on demand (no rows held in memory), so a run can
have any number of steps. `install_history(fake)` registers the three handlers in the
fake server's dispatch table and returns the backend that holds the histories.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from fake_wandb import FakeRun, FakeWandb, GraphQLError, Request

HISTORY_OPERATIONS = ("RunHistoryKeys", "RunParquetHistory", "HistoryPage")


@dataclass
class SyntheticHistory:
    """A run's logged rows: `steps` rows, `metrics` metrics each, deterministic values."""

    steps: int
    metrics: int = 3
    start: float = 1_757_000_000.0
    seconds_per_step: float = 1.5
    nan_every: int = 0  # every n-th step logs NaN / Infinity values (0: never)
    exported_steps: int = 0  # the first rows, exported to a parquet file

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
        return self.steps - 1

    @property
    def first_live_step(self) -> int:
        return min(self.exported_steps, self.steps)

    def parquet(self) -> bytes:
        """The exported rows as a parquet file (one column per key, as W&B exports)."""
        rows = [self.row(step) for step in range(self.first_live_step)]
        columns = list(rows[0])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "history.parquet"
            con = duckdb.connect()
            types = ", ".join(f'"{c}" {"bigint" if c == "_step" else "double"}' for c in columns)
            con.execute(f"create table h ({types})")
            con.executemany(
                f"insert into h values ({', '.join('?' for _ in columns)})",
                [[row[c] for c in columns] for row in rows],
            )
            con.execute(f"copy h to '{path}' (format parquet)")
            con.close()
            return path.read_bytes()


@dataclass
class HistoryBackend:
    """The histories the fake serves, keyed by (entity, project, run_id)."""

    fake: FakeWandb
    runs: dict[tuple[str, str, str], SyntheticHistory] = field(default_factory=dict)
    # run_id -> answer every HistoryPage of that run whose minStep >= this with an error
    fail_from_step: dict[str, int] = field(default_factory=dict)

    def add_run(
        self, entity: str, project: str, history: SyntheticHistory, run: FakeRun
    ) -> FakeRun:
        """A run whose `historyLineCount` is its history's length."""
        run.history_line_count = history.steps
        self.runs[(entity, project, run.name)] = history
        return self.fake.add_run(entity, project, run)

    def grow(self, entity: str, project: str, run_id: str, steps: int) -> None:
        """The run logged `steps` more rows."""
        with self.fake.lock:
            history = self.runs[(entity, project, run_id)]
            history.steps += steps
            self.fake.run(entity, project, run_id).history_line_count = history.steps

    def page_starts(self, run_id: str) -> list[int]:
        """minStep of every HistoryPage request for `run_id`, in order."""
        with self.fake.lock:
            return [
                int(r.variables["minStep"])
                for r in self.fake.log
                if r.operation == "HistoryPage" and r.variables.get("run") == run_id
            ]

    def _history(self, variables: dict[str, Any], name_key: str) -> SyntheticHistory | None:
        key = (variables.get("entity"), variables.get("project"), variables.get(name_key))
        return self.runs.get(key)  # type: ignore[arg-type]

    @staticmethod
    def _data(run: dict[str, Any] | None) -> dict[str, Any]:
        return {"project": {"run": run}}

    def history_keys(self, fake: FakeWandb, request: Request) -> dict[str, Any]:
        history = self._history(request.variables, "name")
        if history is None:
            return self._data(None)
        keys = {
            key: {"typeCounts": [{"type": "number", "count": history.steps}]}
            for key in history.row(0)
        }
        return self._data({"historyKeys": {"lastStep": history.last_step, "keys": keys}})

    def parquet_history(self, fake: FakeWandb, request: Request) -> dict[str, Any]:
        history = self._history(request.variables, "runName")
        if history is None:
            return self._data(None)
        live = [{"_step": step} for step in range(history.first_live_step, history.steps)]
        urls = []
        if history.first_live_step > 0:
            variables = request.variables
            path = "/files/{entity}/{project}/{runName}/history-0.parquet".format(**variables)
            self.fake.downloads[path] = history.parquet
            urls.append(f"{fake.url}{path}?signature=fake")
        return self._data({"parquetHistory": {"parquetUrls": urls, "liveData": live}})

    def history_page(self, fake: FakeWandb, request: Request) -> dict[str, Any]:
        variables = request.variables
        history = self._history(variables, "run")
        if history is None:
            return self._data(None)
        low, high = int(variables["minStep"]), int(variables["maxStep"])
        fail_from = self.fail_from_step.get(str(variables.get("run")))
        if fail_from is not None and low >= fail_from:
            raise GraphQLError("internal error reading history")
        samples = int(variables.get("pageSize") or (high - low))
        first = max(low, history.first_live_step)
        last = min(high, history.steps, first + samples)
        # History rows are JSONString values: NaN / Infinity appear as tokens inside them.
        rows = [json.dumps(history.row(step)) for step in range(first, last)]
        return self._data({"history": rows})


def install_history(fake: FakeWandb) -> HistoryBackend:
    """Register the history operations in `fake`'s dispatch table."""
    backend = HistoryBackend(fake)
    fake.handlers["RunHistoryKeys"] = backend.history_keys
    fake.handlers["RunParquetHistory"] = backend.parquet_history
    fake.handlers["HistoryPage"] = backend.history_page
    return backend
