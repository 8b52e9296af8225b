"""`wandb-warehouse load` of history files: JSONL history rows into `raw.wandb_history`.

A history file holds one logged row per line, the row as W&B returns it (`_step`,
`_timestamp`, `_runtime`, metrics) plus `entity`, `project` and `run_id`. A file is a
history file when its first line has `_step` (run lines never do). Lines are streamed, so
a file of any size loads in flat memory; the whole file is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.load.jsonl import first_object, object_lines
from extract.warehouse.history import HistoryWriter
from extract.warehouse.ledger import LoadCounts, finish_load, new_id, start_load

ROUTING_KEYS = ("entity", "project", "run_id")


@dataclass
class HistoryLoad:
    entity: str
    project: str
    load_id: str
    runs: int
    rows: int


def is_history_file(path: Path) -> bool:
    """True when the first JSON line of the file is a history row (has `_step`)."""
    first = first_object(path)
    return first is not None and "_step" in first


def load_history_file(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, batch_rows: int = 10_000
) -> list[HistoryLoad]:
    """Stream a history file into raw.wandb_history, one ledger load per project."""
    invocation_id = new_id()
    loads: dict[tuple[str, str], HistoryLoad] = {}
    runs: dict[tuple[str, str], set[str]] = {}
    writers: dict[str, HistoryWriter] = {}
    con.execute("begin transaction")
    try:
        for number, row in object_lines(path, "a history line"):
            routing = [row.pop(key, None) for key in ROUTING_KEYS]
            if routing[2] is None:
                routing[2] = row.pop("name", None)
            entity, project, run_id = (str(v) if v not in (None, "") else "" for v in routing)
            if not (entity and project and run_id):
                raise UserError(f"{path}:{number}: a history line needs entity, project, run_id")
            key = (entity, project)
            if key not in loads:
                load_id = start_load(
                    con,
                    invocation_id=invocation_id,
                    entity=entity,
                    project=project,
                    mode="file",
                    source=str(path),
                    source_sha256=sha256,
                )
                loads[key] = HistoryLoad(entity, project, load_id, 0, 0)
                runs[key] = set()
                writers[load_id] = HistoryWriter(con, load_id, batch_rows)
            writer = writers[loads[key].load_id]
            try:
                writer.add(entity, project, run_id, row)
            except ValueError as exc:
                raise UserError(f"{path}:{number}: {exc}") from None
            runs[key].add(run_id)
            loads[key].rows += 1
            if writer.pending >= batch_rows:
                writer.flush()
        if not loads:
            raise UserError(f"{path}: no history rows in file")
        for key, item in loads.items():
            writers[item.load_id].flush()
            item.runs = len(runs[key])
            finish_load(
                con,
                item.load_id,
                status="ok",
                counts=LoadCounts(listed=item.runs),
                listing_complete=False,
            )
            # A history file observes W&B no later than its newest logged row.
            con.execute(
                """
                update raw.wandb_loads set snapshot_at = coalesce(
                    (select max(logged_at) from live.wandb_history where load_id = $id),
                    snapshot_at
                )
                where load_id = $id
                """,
                {"id": item.load_id},
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return list(loads.values())
