"""`wandb-warehouse publish`: make the last build what the published file shows.

A published state is a byte copy of `FILE.d/build.duckdb` (staging, intermediate, marts,
seeds, `meta`, with their column comments) plus a schema `raw` of views over Parquet
segments holding the raw rows that build read. `FILE` is then pointed at it in one
`rename`, so a reader that has `FILE` open keeps the state it opened and a new connection
sees the new one; nothing ever shows a half-written state.

What is shared between states: the raw layer, by far the largest part (every fetched
run's JSON), is append-only, so each publish writes only the rows of loads no earlier
publish wrote, as one batch of Parquet files (`segments/<batch>/<table>.parquet`), and
every later state's views list that batch too. Small batches are merged once there are
`MERGE_AT` of them, so a warehouse synced every few minutes for a year still reads a few
dozen files per table. The models' tables change with every build, so each state carries
its own copy of them: on filesystems with copy-on-write clones (btrfs, XFS) that copy
shares the unchanged blocks; elsewhere it is a plain file copy.

What is cleaned up: states no reader holds (DuckDB keeps a POSIX lock on a file for as
long as it is open, `/proc/locks` lists those), and batches that neither the manifest nor
a state still on disk lists, once they have been out of the manifest for
`GRACE_SECONDS` (a reader that opened a state a moment before it was replaced may not
have locked it yet).

Only a build whose row in `meta.builds` is 'ok' (every model, seed and data test ran; no
error and no error-severity test failure; warnings allowed) is published.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.export.parquet import LEDGERS
from extract.warehouse.database import connect
from extract.warehouse.files import Warehouse, sql_path

MANIFEST = "manifest.json"
SMALL_BATCH_BYTES = 64 << 20
MERGE_AT = 8
GRACE_SECONDS = 60.0
FICLONE = 0x40049409  # Linux ioctl: clone a file's extents (btrfs, XFS, ...)


@dataclass(frozen=True)
class Build:
    """A dbt invocation as meta.builds logged it."""

    invocation_id: str
    command: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    project_fingerprint: str | None
    failures: str | None

    def refusal(self) -> str | None:
        """Why this build cannot be published, or None."""
        when = f"the dbt {self.command} started {self.started_at:%Y-%m-%d %H:%M:%S %Z}"
        if self.status == "ok":
            return None
        if self.status == "running":
            return f"{when} did not finish (killed, or still running): run `dbt build` again"
        if self.status == "failed":
            return f"{when} failed ({self.failures}): fix it and run `dbt build` again"
        return f"{when} did not run every model, seed and test: run a whole `dbt build`"


@dataclass
class Batch:
    """One publish's raw rows (or several merged), by ledger key."""

    name: str
    ids: dict[str, list[str]]
    bytes: int


@dataclass
class Manifest:
    """The segments the next state lists, and the batches merged away (with when)."""

    batches: list[Batch] = field(default_factory=list)
    retired: dict[str, float] = field(default_factory=dict)
    next_batch: int = 1
    next_state: int = 1

    @classmethod
    def read(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        data["batches"] = [Batch(**item) for item in data["batches"]]
        return cls(**data)

    def write(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self)))
        temporary.replace(path)

    def published_ids(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {ledger.key: set() for ledger in LEDGERS}
        for batch in self.batches:
            for key, ids in batch.ids.items():
                found[key].update(ids)
        return found


@dataclass(frozen=True)
class PublishResult:
    """What a publish did, as printed."""

    published: bool
    build: Build
    new_loads: int
    seconds: float
    state: Path | None = None

    def summary(self, warehouse: Warehouse) -> str:
        built = f"{self.build.started_at:%Y-%m-%d %H:%M:%S %Z}"
        if not self.published:
            return f"{warehouse.published}: already shows the build of {built}; nothing to publish"
        return (
            f"published {warehouse.published}: the build of {built} "
            f"({self.new_loads} new load(s) in the raw segments, {self.seconds:.1f} s)"
        )


def last_build(con: duckdb.DuckDBPyConnection) -> Build | None:
    """The newest invocation meta.builds logged, on a connection to build.duckdb."""
    (exists,) = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'builds'"
        " and database_name = current_database()"
    ).fetchone()
    if not exists:
        return None
    row = con.execute(
        "select invocation_id, command, started_at, finished_at, status, project_fingerprint,"
        " failures from meta.builds order by started_at desc limit 1"
    ).fetchone()
    return Build(*row) if row else None


def published_build(warehouse: Warehouse) -> str | None:
    """The invocation id of the build `FILE` shows now, if it is a published state of this
    folder (a warehouse moved elsewhere has raw views naming the old place: republished)."""
    state = current_state(warehouse)
    if state is None:
        return None
    sidecar = json.loads(state.with_suffix(".json").read_text())
    if sidecar.get("segments") != str(warehouse.segments.resolve()):
        return None
    return sidecar["build"]


def current_state(warehouse: Warehouse) -> Path | None:
    """The state file `FILE` is a link to, if any."""
    try:
        published = warehouse.published.stat()
    except FileNotFoundError:
        return None
    for state in warehouse.states.glob("*.duckdb"):
        if os.path.samestat(state.stat(), published) and state.with_suffix(".json").exists():
            return state
    return None


def publish(warehouse: Warehouse, wait: float | None = None) -> PublishResult:
    """Publish build.duckdb's last build; the caller holds the writer lock."""
    started = time.monotonic()
    if not warehouse.build_db.exists():
        raise UserError(
            f"nothing built for {warehouse.published} yet: run `dbt build` (with "
            f"WANDB_WAREHOUSE_DB={warehouse.published}) or `wandb-warehouse build`"
        )
    warehouse.segments.mkdir(parents=True, exist_ok=True)
    warehouse.states.mkdir(parents=True, exist_ok=True)
    manifest_path = warehouse.segments / MANIFEST
    manifest = Manifest.read(manifest_path)
    con = connect(warehouse.build_db, wait=wait)
    try:
        build = last_build(con)
        if build is None:
            raise UserError(f"{warehouse.build_db} holds no dbt build yet: run `dbt build`")
        refusal = build.refusal()
        if refusal:
            raise UserError(f"not published ({warehouse.published} is unchanged): {refusal}")
        if published_build(warehouse) == build.invocation_id:
            return PublishResult(False, build, 0, time.monotonic() - started)
        built = _built_ids(con)
        new_ids = {key: built[key] - manifest.published_ids()[key] for key in built}
        new_loads = sum(len(ids) for ids in new_ids.values())
        con.execute(f"attach '{sql_path(warehouse.raw_store)}' as raw (read_only)")
        columns = _raw_columns(con)
        if new_loads:
            manifest.batches.append(_write_batch(con, warehouse.segments, manifest, new_ids))
        _merge_small_batches(con, warehouse.segments, manifest)
        con.execute("detach raw")
        manifest.write(manifest_path)
        con.execute("checkpoint")
        name = f"{manifest.next_state:06d}"
        manifest.next_state += 1
        manifest.write(manifest_path)
        scratch = warehouse.states / f".{name}.tmp"
        _copy_file(warehouse.build_db, scratch)
    finally:
        con.close()
    _add_raw_views(scratch, warehouse.segments, manifest.batches, columns, build)
    state = warehouse.states / f"{name}.duckdb"
    sidecar = {
        "build": build.invocation_id,
        "segments": str(warehouse.segments.resolve()),
        "batches": [b.name for b in manifest.batches],
    }
    state.with_suffix(".json").write_text(json.dumps(sidecar))
    scratch.replace(state)
    link = warehouse.published.with_name(f".{warehouse.published.name}.{name}.link")
    link.unlink(missing_ok=True)
    os.link(state, link)
    link.replace(warehouse.published)
    collect_garbage(warehouse, manifest)
    return PublishResult(True, build, new_loads, time.monotonic() - started, state)


def _built_ids(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {ledger.key: set() for ledger in LEDGERS}
    for key, value in con.execute("select ledger, id from meta.build_loads").fetchall():
        ids[key].add(value)
    return ids


def _raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each raw table's columns in the store's order (the views keep it)."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() where database_name = 'raw'"
        " order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    segments: Path,
    manifest: Manifest,
    ids: dict[str, set[str]],
) -> Batch:
    """The raw rows of `ids` as one batch folder, every table a file (maybe empty)."""
    name = f"{manifest.next_batch:08d}"
    manifest.next_batch += 1
    scratch = segments / f".{name}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for ledger in LEDGERS:
        con.execute(
            "create or replace temp table publish_ids as select unnest(?::varchar[]) as id",
            [sorted(ids[ledger.key])],
        )
        for table in ledger.tables:
            con.execute(
                f"copy (select * from raw.{table} where {ledger.key} in"
                f" (select id from publish_ids)) to '{sql_path(scratch / table)}.parquet'"
                " (format parquet, compression zstd)"
            )
    final = segments / name
    scratch.replace(final)
    return Batch(name, {key: sorted(values) for key, values in ids.items()}, _size(final))


def _merge_small_batches(
    con: duckdb.DuckDBPyConnection, segments: Path, manifest: Manifest
) -> None:
    """Merge the small batches into one once there are MERGE_AT of them."""
    small = [b for b in manifest.batches if b.bytes < SMALL_BATCH_BYTES]
    if len(small) < MERGE_AT:
        return
    name = f"{manifest.next_batch:08d}"
    manifest.next_batch += 1
    scratch = segments / f".{name}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for ledger in LEDGERS:
        for table in ledger.tables:
            files = [sql_path(segments / b.name / f"{table}.parquet") for b in small]
            listed = ", ".join(f"'{f}'" for f in files)
            con.execute(
                f"copy (select * from read_parquet([{listed}], union_by_name = true))"
                f" to '{sql_path(scratch / table)}.parquet' (format parquet, compression zstd)"
            )
    final = segments / name
    scratch.replace(final)
    merged_ids: dict[str, list[str]] = {ledger.key: [] for ledger in LEDGERS}
    for batch in small:
        for key, values in batch.ids.items():
            merged_ids[key].extend(values)
    now = time.time()
    names = {b.name for b in small}
    position = manifest.batches.index(small[0])
    kept = [b for b in manifest.batches if b.name not in names]
    kept.insert(position, Batch(name, merged_ids, _size(final)))
    manifest.batches = kept
    manifest.retired.update(dict.fromkeys(names, now))


def _add_raw_views(
    state: Path,
    segments: Path,
    batches: list[Batch],
    columns: dict[str, list[str]],
    build: Build,
) -> None:
    """The state's `raw` schema: one view per raw table over the batches' files."""
    con = duckdb.connect(str(state))
    try:
        con.execute("begin")
        con.execute("drop schema if exists raw cascade")
        con.execute("create schema raw")
        for ledger in LEDGERS:
            for table in ledger.tables:
                select = ", ".join(f'"{c}"' for c in columns[table])
                listed = ", ".join(
                    f"'{sql_path(segments / b.name / f'{table}.parquet')}'" for b in batches
                )
                con.execute(
                    f"create view raw.{table} as select {select}"
                    f" from read_parquet([{listed}], union_by_name = true)"
                )
                con.execute(
                    f"comment on view raw.{table} is 'The raw layer as of this published build"
                    " (Parquet segments of its loads; see extract/warehouse/publish.py).'"
                )
        con.execute(
            "create or replace table meta.published as select"
            " ?::varchar as build_invocation_id, ?::timestamptz as build_started_at,"
            " now() as published_at",
            [build.invocation_id, build.started_at],
        )
        con.execute(
            "comment on table meta.published is 'The build this file shows and when it was"
            " published (wandb-warehouse publish).'"
        )
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()


def _copy_file(source: Path, target: Path) -> None:
    """Copy bytes, as a copy-on-write clone where the filesystem offers one."""
    target.unlink(missing_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY):
                raise
        shutil.copyfileobj(src, dst, length=16 << 20)


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir())


def _locked_inodes() -> set[tuple[int, int]] | None:
    """(device, inode) of every file with a POSIX lock, from /proc/locks (Linux)."""
    try:
        text = Path("/proc/locks").read_text()
    except OSError:
        return None
    found: set[tuple[int, int]] = set()
    for line in text.splitlines():
        parts = line.split()
        for part in parts:
            pieces = part.split(":")
            if len(pieces) == 3 and all(pieces):
                with contextlib.suppress(ValueError):
                    major, minor, inode = int(pieces[0], 16), int(pieces[1], 16), int(pieces[2])
                    found.add((os.makedev(major, minor), inode))
    return found


def collect_garbage(warehouse: Warehouse, manifest: Manifest) -> None:
    """Delete states no reader holds and batches nothing lists any more."""
    current = current_state(warehouse)
    locked = _locked_inodes()
    kept_batches = {b.name for b in manifest.batches}
    for state in sorted(warehouse.states.glob("*.duckdb")):
        sidecar = state.with_suffix(".json")
        info = state.stat()
        held = locked is None or (info.st_dev, info.st_ino) in locked
        if state == current or held:
            if sidecar.exists():
                kept_batches.update(json.loads(sidecar.read_text())["batches"])
            continue
        state.unlink()
        sidecar.unlink(missing_ok=True)
    now = time.time()
    links = warehouse.published.parent.glob(f".{warehouse.published.name}.*.link")
    for leftover in [*warehouse.states.glob(".*.tmp"), *links]:
        if now - leftover.stat().st_mtime > GRACE_SECONDS:
            leftover.unlink(missing_ok=True)
    for folder in warehouse.segments.iterdir():
        if not folder.is_dir() or folder.name in kept_batches:
            continue
        since = manifest.retired.get(folder.name, folder.stat().st_mtime)
        if now - since > GRACE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            manifest.retired.pop(folder.name, None)
    manifest.write(warehouse.segments / MANIFEST)
