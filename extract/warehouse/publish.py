"""`wandb-warehouse publish`: make the last build what the published file shows.

A published state is a byte copy of `FILE.d/build.duckdb` (staging, intermediate, marts,
seeds, `meta`, with their column comments) plus a schema `raw` of views over the Parquet
segments holding the raw rows that build read. `FILE` is then pointed at it in one
`rename`, so a reader that has `FILE` open keeps the state it opened and a new connection
sees the new one; nothing ever shows a half-written state.

What states share: the raw layer, by far the largest part, is sealed into segments that
every later state lists too (extract/warehouse/segments.py), so a publish writes only the
rows of the loads no earlier publish sealed. The models' tables change with every build,
so each state carries its own copy of them: on filesystems with copy-on-write clones
(btrfs, XFS) that copy shares the unchanged blocks; elsewhere it is a plain file copy.

What is cleaned up: states no reader holds (DuckDB keeps a POSIX lock on a file for as
long as it is open, `/proc/locks` lists those), and retired batches that no state on disk
lists, once they have been retired for `GRACE_SECONDS` (a reader that opened a state a
moment before it was replaced may not have locked it yet).

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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.warehouse.database import connect
from extract.warehouse.files import Warehouse, sql_path
from extract.warehouse.ledger import LEDGERS
from extract.warehouse.locks import lock_wait, waiting_for_duckdb
from extract.warehouse.segments import (
    Batch,
    columns,
    ensure_segments,
    listed_batches,
    parquet_select,
    seal,
    sealed_ids,
)

GRACE_SECONDS = 60.0
COMPACT_FREE_BYTES = 64 << 20
FICLONE = 0x40049409  # Linux ioctl: clone a file's extents (btrfs, XFS, ...)
# What a filesystem or kernel answers to a copy it cannot do that way.
UNSUPPORTED = (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY)


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
    findings: str | None

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
        line = (
            f"published {warehouse.published}: the build of {built} "
            f"({self.new_loads} new load(s) in the raw segments, {self.seconds:.1f} s)"
        )
        if self.build.findings:
            rules = self.build.findings.split(", ")
            line += (
                f"\n{len(rules)} data rule(s) found runs to look at ({', '.join(rules)}): "
                f"`wandb-warehouse report --db {warehouse.published}` lists them"
            )
        return line


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
        " failures, findings from meta.builds order by started_at desc limit 1"
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
        attach_raw(con, warehouse, wait)
        ensure_segments(con)
        built = _built_ids(con)
        sealed = sealed_ids(con)
        if any(sealed[key] - built[key] for key in built):
            raise UserError(
                f"not published: {warehouse.segments} holds loads the last build did not "
                "read (was build.duckdb replaced?): run `dbt build --full-refresh`"
            )
        new_ids = {key: built[key] - sealed[key] for key in built}
        new_loads = sum(len(ids) for ids in new_ids.values())
        seal(con, warehouse, new_ids)
        batches = listed_batches(con)
        found = columns(con)
        retired = _retired(con)
        con.execute("checkpoint raw")
        con.execute("detach raw")
        con.execute("checkpoint")
        name = f"{_next_state(warehouse):06d}"
        scratch = warehouse.states / f".{name}.tmp"
        _copy_file(warehouse.build_db, scratch)
    finally:
        con.close()
    _add_raw_views(scratch, warehouse.segments, batches, found, build)
    state = warehouse.states / f"{name}.duckdb"
    sidecar = {
        "build": build.invocation_id,
        "segments": str(warehouse.segments.resolve()),
        "batches": [b.name for b in batches],
    }
    state.with_suffix(".json").write_text(json.dumps(sidecar))
    scratch.replace(state)
    link = warehouse.published.with_name(f".{warehouse.published.name}.{name}.link")
    link.unlink(missing_ok=True)
    os.link(state, link)
    link.replace(warehouse.published)
    collect_garbage(warehouse, {b.name for b in batches}, retired)
    compact_raw_store(warehouse, wait)
    return PublishResult(True, build, new_loads, time.monotonic() - started, state)


def attach_raw(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, wait: float | None) -> None:
    """The raw store attached read-write as `raw` (waiting while another process holds it)."""
    path = sql_path(warehouse.raw_store)
    waiting_for_duckdb(
        warehouse.raw_store, lock_wait(wait), lambda: con.execute(f"attach '{path}' as raw")
    )


def _next_state(warehouse: Warehouse) -> int:
    numbers = [int(p.stem) for p in warehouse.states.glob("*.duckdb") if p.stem.isdigit()]
    return max(numbers, default=0) + 1


def _retired(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Retired batches and when they were retired (epoch seconds)."""
    return dict(
        con.execute(
            "select name, epoch(retired_at) from raw.segments.batches where retired_at is not null"
        ).fetchall()
    )


def _built_ids(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {ledger.key: set() for ledger in LEDGERS}
    for key, value in con.execute("select ledger, id from meta.build_loads").fetchall():
        ids[key].add(value)
    return ids


def _add_raw_views(
    state: Path,
    segments: Path,
    batches: list[Batch],
    found: dict[str, list[str]],
    build: Build,
) -> None:
    """The state's `raw` schema: a view per raw table over the listed batches' files."""
    con = duckdb.connect(str(state))
    try:
        con.execute("begin")
        con.execute("drop schema if exists raw cascade")
        con.execute("create schema raw")
        for ledger in LEDGERS:
            for table in ledger.tables:
                select = parquet_select(segments, batches, table, found[table])
                con.execute(f"create view raw.{table} as {select}")
                con.execute(
                    f"comment on view raw.{table} is 'The raw layer as of this published build"
                    " (Parquet segments of its loads; see extract/warehouse/segments.py).'"
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
    """Copy bytes: a copy-on-write clone where the filesystem offers one, else an
    in-kernel copy (copy_file_range: no round trip through this process, several times
    faster than reading and writing it, bench/README.md), else a plain copy."""
    target.unlink(missing_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                raise
        size = os.fstat(src.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                done = os.copy_file_range(src.fileno(), dst.fileno(), size - copied)
                if done == 0:
                    break
                copied += done
        except OSError as exc:
            if exc.errno not in (*UNSUPPORTED, errno.ENOSYS):
                raise
        if copied < size:
            src.seek(copied)
            dst.seek(copied)
            shutil.copyfileobj(src, dst, length=16 << 20)


def compact_raw_store(warehouse: Warehouse, wait: float | None = None) -> bool:
    """Rewrite the raw store when most of it is free space: DuckDB reuses the blocks of
    deleted rows but never shrinks a file, and sealing a large load (a first publish, a
    full-refresh sync) frees most of it. The caller holds the writer lock."""
    store = warehouse.raw_store
    compacted = store.with_name(store.name + ".compact")
    compacted.unlink(missing_ok=True)
    con = connect(store, wait=wait)
    try:
        block_size, free, used = con.execute(
            "select block_size, free_blocks, used_blocks from pragma_database_size()"
        ).fetchone()
        if free * block_size < COMPACT_FREE_BYTES or free < used:
            return False
        con.execute(f"attach '{sql_path(compacted)}' as compacted")
        con.execute("copy from database raw to compacted")
        con.execute("detach compacted")
    finally:
        con.close()
    compacted.replace(store)
    return True


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


def clean_up(warehouse: Warehouse) -> None:
    """What a publish cleans up at its end, on its own (the caller holds the writer lock)."""
    con = connect(warehouse.raw_store)
    try:
        listed = {batch.name for batch in listed_batches(con)}
        retired = _retired(con)
    finally:
        con.close()
    collect_garbage(warehouse, listed, retired)


def collect_garbage(warehouse: Warehouse, listed: set[str], retired: dict[str, float]) -> None:
    """Delete states no reader holds, and batch folders that neither the raw store (`listed`)
    nor a state on disk lists, once retired (or, for leftovers of a killed publish, written)
    more than GRACE_SECONDS ago."""
    current = current_state(warehouse)
    locked = _locked_inodes()
    kept = set(listed)
    for state in sorted(warehouse.states.glob("*.duckdb")):
        sidecar = state.with_suffix(".json")
        info = state.stat()
        held = locked is None or (info.st_dev, info.st_ino) in locked
        if state == current or held:
            if sidecar.exists():
                kept.update(json.loads(sidecar.read_text())["batches"])
            continue
        state.unlink()
        sidecar.unlink(missing_ok=True)
    now = time.time()
    links = warehouse.published.parent.glob(f".{warehouse.published.name}.*.link")
    for leftover in [*warehouse.states.glob(".*.tmp"), *links]:
        if now - leftover.stat().st_mtime > GRACE_SECONDS:
            leftover.unlink(missing_ok=True)
    for folder in warehouse.segments.iterdir():
        if not folder.is_dir() or folder.name in kept:
            continue
        since = retired.get(folder.name, folder.stat().st_mtime)
        if now - since > GRACE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
