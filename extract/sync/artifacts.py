"""`wandb-warehouse extract --artifacts`: after a project's run sync, read the artifact
versions used and logged by the runs whose artifacts are stale.

A run's artifacts are stale when it was fetched in full after they were last read (or
they never were): in a steady state that is exactly the runs this sync heavy-fetched (new
runs and runs whose heartbeat or history moved), so an unchanged project costs no
request; the first `--artifacts` sync of a warehouse reads every listed run once. Each
run costs two requests (used, logged: the SDK has no query for several runs), plus one
per further page. Up to WANDB_WAREHOUSE_CONCURRENCY runs are read at once on the fetch
pool's threads (a run's two directions one after the other, so a run is stored whole or
not at all); only this thread writes. A run that keeps getting HTTP 429 is read again
from the start with fewer at once, as the pool does for every task.

The read is a load of its own in the ledger (same invocation and mode as the run sync,
no listing): `listed` counts the stale runs, `heavy_fetched` the runs read, `requests`
the GraphQL calls. Runs are written in batches (`BATCH_RUNS` runs per transaction); a
failure marks the load 'failed' and keeps every batch written before it, and the next
sync reads only the runs still stale.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from tqdm import tqdm

from extract.sync.pool import FetchPool
from extract.wandb_api.artifacts import RunGoneError, run_artifacts
from extract.wandb_api.client import WandbClient
from extract.wandb_api.config import public_url
from extract.warehouse.artifacts import ArtifactFetch, artifact_fetch_state, write_artifact_fetches
from extract.warehouse.ledger import LoadCounts, finish_load, start_load

BATCH_RUNS = 50


@dataclass
class ArtifactSync:
    entity: str
    project: str
    load_id: str
    stale: int
    read: int
    versions: int
    requests: int
    seconds: float
    backoff: str = ""  # the pool's note if calls kept getting HTTP 429

    def summary(self) -> str:
        return (
            f"{self.entity}/{self.project} artifacts: runs stale {self.stale}, read "
            f"{self.read}, artifact versions {self.versions}, requests {self.requests}, "
            f"{self.seconds:.1f} s{self.backoff}"
        )


@dataclass(frozen=True)
class RunArtifactsRead:
    """A pool task: one run's used and logged artifact versions, as one ArtifactFetch
    (nothing if the run is gone since the listing: the next sync sees it gone)."""

    client: WandbClient
    entity: str
    project: str
    run_id: str

    def run(self) -> Iterator[ArtifactFetch]:
        try:
            used = run_artifacts(self.client, self.entity, self.project, self.run_id, "used")
            logged = run_artifacts(self.client, self.entity, self.project, self.run_id, "logged")
        except RunGoneError:
            return
        yield ArtifactFetch(self.run_id, datetime.now(UTC).isoformat(), used, logged)

    def retry(self) -> RunArtifactsRead:
        return self  # nothing was handed over: read both directions again


def stale_runs(
    listed: Sequence[str],
    last_full: Mapping[str, datetime],
    last_artifacts: Mapping[str, datetime],
) -> list[str]:
    """Listed runs fetched in full after their artifacts were last read (or never read),
    in listing order; a run never fetched in full has nothing to compare and waits."""
    stale = []
    for run_id in listed:
        full = last_full.get(run_id)
        if full is None:
            continue
        read = last_artifacts.get(run_id)
        if read is None or read < full:
            stale.append(run_id)
    return stale


def sync_artifacts(
    con: duckdb.DuckDBPyConnection,
    client: WandbClient,
    entity: str,
    project: str,
    *,
    invocation_id: str,
    mode: str,
    listing_load_id: str,
) -> ArtifactSync:
    started = time.monotonic()
    requests_before = client.requests
    targets = stale_runs(*artifact_fetch_state(con, entity, project, listing_load_id))
    load_id = start_load(
        con,
        invocation_id=invocation_id,
        entity=entity,
        project=project,
        mode=mode,
        source=public_url(client.config.base_url),
    )
    read = versions = 0
    backoff = ""
    pending: list[ArtifactFetch] = []

    def flush() -> None:
        nonlocal read, versions
        write_artifact_fetches(con, load_id, entity, project, pending)
        read += len(pending)
        versions += sum(len(f.used) + len(f.logged) for f in pending)
        pending.clear()

    def counts() -> LoadCounts:
        return LoadCounts(
            listed=len(targets), heavy_fetched=read, requests=client.requests - requests_before
        )

    bar = tqdm(
        desc=f"{entity}/{project} artifacts",
        total=len(targets),
        unit="run",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        dynamic_ncols=True,
    )
    try:
        with bar, FetchPool(client.config.concurrency) as pool:
            for run_id in targets:
                pool.submit(RunArtifactsRead(client, entity, project, run_id))
            failure: BaseException | None = None
            for event in pool.events():
                if not event.done:
                    pending.append(event.value)
                    if len(pending) >= BATCH_RUNS:
                        flush()
                elif event.error is not None:
                    failure = failure or event.error
                elif not event.stopped:
                    bar.update(1)
            flush()
            backoff = pool.backoff_note()
            if failure is not None:
                raise failure
        finish_load(con, load_id, status="ok", counts=counts(), listing_complete=False)
    except BaseException as exc:
        error = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        with contextlib.suppress(duckdb.Error):
            flush()  # the runs read completely before the failure are kept
        with contextlib.suppress(duckdb.Error):
            finish_load(
                con,
                load_id,
                status="failed",
                counts=counts(),
                listing_complete=False,
                error=client.scrub(" ".join(error.split())),
            )
        raise
    return ArtifactSync(
        entity=entity,
        project=project,
        load_id=load_id,
        stale=len(targets),
        read=read,
        versions=versions,
        requests=client.requests - requests_before,
        seconds=time.monotonic() - started,
        backoff=backoff,
    )
