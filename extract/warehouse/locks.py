"""Waiting for the warehouse's writers, instead of failing on the first lock.

Two kinds of lock meet a writer:
- `FILE.d/writer.lock` (flock): one writer (`wandb-warehouse sync`, `extract`, `load`,
  `build`, `publish`, `demo`, or a `dbt` run by hand: extract/warehouse/dbt_plugin.py)
  at a time. Its holder writes its PID and command into it, so
  a waiting writer can say whom it waits for. The kernel drops it when the holder dies.
- DuckDB's own lock on a working file (`raw.duckdb`, `build.duckdb`): held by a plain
  `dbt build`, or by a user who opened a working file by hand. DuckDB's error names the
  holder's PID.

Both are waited for up to a bound (`--wait`, `$WANDB_WAREHOUSE_LOCK_WAIT`), with one line
when the wait starts and one when it gives up.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from extract.errors import UserError

LOCK_WAIT_ENV_VAR = "WANDB_WAREHOUSE_LOCK_WAIT"
# Set while a wandb-warehouse writer holds the lock, for the dbt it runs (dbt_plugin.py).
LOCK_HELD_ENV_VAR = "WANDB_WAREHOUSE_WRITER_LOCK_HELD"
DEFAULT_LOCK_WAIT = 300.0
POLL_SECONDS = 0.2
_PID = re.compile(r"\(PID (\d+)\)")

T = TypeVar("T")


def lock_wait(explicit: float | None = None) -> float:
    """Seconds a writer waits for a lock: --wait, else $WANDB_WAREHOUSE_LOCK_WAIT, else 300."""
    if explicit is not None:
        return max(explicit, 0.0)
    value = os.environ.get(LOCK_WAIT_ENV_VAR)
    if not value:
        return DEFAULT_LOCK_WAIT
    try:
        return max(float(value), 0.0)
    except ValueError:
        raise UserError(f"{LOCK_WAIT_ENV_VAR}={value!r} is not a number of seconds") from None


def describe_pid(pid: int) -> str:
    """'PID 123 (dbt build)': the process's command line where the system shows it."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"PID {pid}"
    words = [Path(w).name if i == 0 else w for i, w in enumerate(raw.decode().split("\0")) if w]
    if len(words) > 1 and words[0].startswith("python") and words[1] == "-m":
        words = words[2:]
    command = " ".join(words)
    if len(command) > 80:
        command = command[:77] + "..."
    return f"PID {pid} ({command})" if command else f"PID {pid}"


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "another wandb-warehouse writer"
    return f"PID {info['pid']} (`{info.get('command', '?')}`, since {info.get('since', '?')})"


def acquire_writer_lock(lock_path: Path, command: str, wait: float) -> TextIO:
    """Take the warehouse's writer lock, waiting up to `wait` s; it is held until the
    returned file is closed (or the process ends)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(lock_path)
                if time.monotonic() >= deadline:
                    raise UserError(
                        f"{lock_path.parent}: another writer is still running after "
                        f"{wait:.0f} s: {holder}; try again later or raise --wait"
                    ) from None
                if not announced:
                    print(
                        f"waiting up to {wait:.0f} s for the warehouse's other writer to "
                        f"finish: {holder}",
                        file=sys.stderr,
                        flush=True,
                    )
                    announced = True
                time.sleep(POLL_SECONDS)
    except BaseException:
        handle.close()
        raise
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "command": command, "since": since}))
    handle.flush()
    return handle


@contextmanager
def writer_lock(lock_path: Path, command: str, wait: float) -> Iterator[None]:
    """Hold the warehouse's writer lock while the block runs, waiting up to `wait` s. A dbt
    this process starts meanwhile knows from LOCK_HELD_ENV_VAR that its parent holds it."""
    handle = acquire_writer_lock(lock_path, command, wait)
    os.environ[LOCK_HELD_ENV_VAR] = str(os.getpid())
    try:
        yield
    finally:
        os.environ.pop(LOCK_HELD_ENV_VAR, None)
        handle.seek(0)
        handle.truncate()
        handle.flush()
        handle.close()


def is_lock_error(exc: BaseException) -> bool:
    return "lock" in str(exc).lower() and "conflicting" in str(exc).lower()


def holder_of(exc: BaseException) -> str:
    """Whom DuckDB's lock error names: 'PID 123 (dbt build)', or 'another process'."""
    match = _PID.search(str(exc))
    return describe_pid(int(match.group(1))) if match else "another process"


def waiting_for_duckdb(path: Path, wait: float, open_file: Callable[[], T]) -> T:
    """`open_file()`, retried while another process holds `path`'s DuckDB lock."""
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            return open_file()
        except Exception as exc:  # duckdb.IOException; kept generic for the caller's opener
            if not is_lock_error(exc):
                raise
            holder = holder_of(exc)
            if time.monotonic() >= deadline:
                raise UserError(
                    f"{path} is locked by {holder} after waiting {wait:.0f} s: close it "
                    "(readers open the published file, never this one) or raise --wait"
                ) from None
            if not announced:
                print(
                    f"waiting up to {wait:.0f} s for {path.name}: locked by {holder}",
                    file=sys.stderr,
                    flush=True,
                )
                announced = True
            time.sleep(POLL_SECONDS)
