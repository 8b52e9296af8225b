"""`wandb-warehouse load` of sweep and run-artifact files (the interchange format).

A file holds one kind of line, told by its first line:
- sweep lines are sweep nodes as W&B's GraphQL API returns them (`"__typename": "Sweep"`,
  `name` the sweep id, `config` YAML text or an object), plus `entity`, `project` and
  `fetched_at`; each line becomes a `raw.wandb_sweeps` row;
- artifact lines are one run's artifact fetch: `entity`, `project`, `run_id` (or `name`),
  `fetched_at`, `usedArtifacts` and `loggedArtifacts` (lists of artifact nodes); each line
  becomes a `raw.wandb_artifact_fetches` row and one `raw.wandb_run_artifacts` row per
  node.
Each (entity, project) of a file is one load in the ledger (mode 'file', no run listing,
`snapshot_at` the newest `fetched_at`); the whole file is one transaction. Lines are read
in Python: such files hold a few lines per run at most.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from extract.errors import UserError
from extract.load.jsonl import object_lines
from extract.sync.sweeps import plan_sweeps
from extract.warehouse.artifacts import ArtifactFetch, write_artifact_fetches
from extract.warehouse.ledger import LoadCounts, finish_load, new_id, start_load
from extract.warehouse.sweeps import (
    ENVELOPE_FIELDS,
    SweepRow,
    stored_sweeps,
    sweep_row,
    write_sweeps,
)


@dataclass
class CatalogLoad:
    """One project's sweeps or artifact fetches loaded from a file."""

    kind: str  # 'sweeps' | 'artifacts'
    entity: str
    project: str
    load_id: str
    items: int  # sweeps, or runs whose artifacts the file holds
    versions: int = 0  # artifact rows (artifact files)


def catalog_kind(line: dict[str, Any] | None) -> str | None:
    """'sweeps' or 'artifacts' for a first line of such a file, else None."""
    if line is None:
        return None
    if line.get("__typename") == "Sweep":
        return "sweeps"
    if "usedArtifacts" in line or "loggedArtifacts" in line:
        return "artifacts"
    return None


def _fetched_at(path: Path, number: int, value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{path}:{number}: `fetched_at` is not ISO-8601") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _required(path: Path, number: int, line: dict[str, Any], *names: str) -> list[str]:
    values = []
    for name in names:
        value = line.get(name)
        if value in (None, ""):
            raise UserError(f"{path}:{number}: a line needs `{name}`")
        values.append(str(value))
    return values


def load_catalog_file(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, kind: str
) -> list[CatalogLoad]:
    """Load a sweeps or artifacts file: one ledger load per project of the file."""
    now = datetime.now(UTC).isoformat()
    sweeps: dict[tuple[str, str], list[SweepRow]] = {}
    fetches: dict[tuple[str, str], list[ArtifactFetch]] = {}
    for number, line in object_lines(path):
        if catalog_kind(line) != kind:
            raise UserError(f"{path}:{number}: not a {kind} line like the file's first line")
        entity, project = _required(path, number, line, "entity", "project")
        fetched_at = _fetched_at(path, number, line.get("fetched_at"), now)
        if kind == "sweeps":
            _required(path, number, line, "name")
            row = sweep_row(line, entity=entity, project=project, fetched_at=fetched_at)
            sweeps.setdefault((entity, project), []).append(row)
            continue
        run_id = line.get("run_id") or line.get("name")
        if run_id in (None, ""):
            raise UserError(f"{path}:{number}: a line needs `run_id`")
        used, logged = line.get("usedArtifacts", []), line.get("loggedArtifacts", [])
        used, logged = ([] if v is None else v for v in (used, logged))
        if not isinstance(used, list) or not isinstance(logged, list):
            raise UserError(f"{path}:{number}: usedArtifacts/loggedArtifacts must be lists")
        if not all(isinstance(node, dict) for node in used + logged):
            raise UserError(f"{path}:{number}: an artifact must be a JSON object")
        fetch = ArtifactFetch(str(run_id), fetched_at, used, logged)
        fetches.setdefault((entity, project), []).append(fetch)
    projects = sorted(sweeps or fetches)
    if not projects:
        raise UserError(f"{path}: no {kind} in file")
    _reject_repeats(path, sweeps, fetches)

    invocation_id = new_id()
    results: list[CatalogLoad] = []
    con.execute("begin transaction")
    try:
        for entity, project in projects:
            load_id = start_load(
                con,
                invocation_id=invocation_id,
                entity=entity,
                project=project,
                mode="file",
                source=str(path),
                source_sha256=sha256,
            )
            if kind == "sweeps":
                rows = sweeps[(entity, project)]
                plan = plan_sweeps(
                    {row.sweep_id: _node(row.record) for row in rows},
                    stored_sweeps(con, entity, project),
                )
                write_sweeps(con, load_id, entity, project, rows)
                counts = LoadCounts(listed=len(rows), new=len(plan.new), changed=len(plan.changed))
                newest = max((row.fetched_at for row in rows), key=datetime.fromisoformat)
                results.append(CatalogLoad(kind, entity, project, load_id, len(rows)))
            else:
                runs = fetches[(entity, project)]
                write_artifact_fetches(con, load_id, entity, project, runs, transaction=False)
                versions = sum(len(f.used) + len(f.logged) for f in runs)
                counts = LoadCounts(listed=len(runs), heavy_fetched=len(runs))
                newest = max((f.fetched_at for f in runs), key=datetime.fromisoformat)
                results.append(CatalogLoad(kind, entity, project, load_id, len(runs), versions))
            finish_load(con, load_id, status="ok", counts=counts, listing_complete=False)
            # The file observed W&B when its newest line was fetched.
            con.execute(
                "update raw.wandb_loads set snapshot_at = ?::timestamptz where load_id = ?",
                [newest, load_id],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return results


def _reject_repeats(
    path: Path,
    sweeps: dict[tuple[str, str], list[SweepRow]],
    fetches: dict[tuple[str, str], list[ArtifactFetch]],
) -> None:
    """A sweep (or a run's artifacts) twice with the same fetched_at is a broken file."""
    for (entity, project), rows in sweeps.items():
        keys = Counter((row.sweep_id, datetime.fromisoformat(row.fetched_at)) for row in rows)
        for (sweep_id, _), count in keys.items():
            if count > 1:
                raise UserError(
                    f"{path}: sweep {entity}/{project}/{sweep_id} appears twice with the "
                    "same fetched_at"
                )
    for (entity, project), runs in fetches.items():
        keys = Counter((fetch.run_id, datetime.fromisoformat(fetch.fetched_at)) for fetch in runs)
        for (run_id, _), count in keys.items():
            if count > 1:
                raise UserError(
                    f"{path}: run {entity}/{project}/{run_id} appears twice with the same "
                    "fetched_at"
                )


def _node(record: str) -> dict[str, Any]:
    return {k: v for k, v in json.loads(record).items() if k not in ENVELOPE_FIELDS}
