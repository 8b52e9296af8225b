"""`wandb-warehouse extract --artifacts`: after a project's run sync, read the artifact
versions used and logged by the runs whose artifacts are stale.

A run's artifacts are stale when it was fetched in full after they were last read (or
they never were): in a steady state that is exactly the runs this sync heavy-fetched (new
runs and runs whose heartbeat or history moved), so an unchanged project costs no
request; the first `--artifacts` sync of a warehouse reads every listed run once. Each
run costs two requests (used, logged: the SDK has no query for several runs), plus one
per further page.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from tqdm import tqdm

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

    def summary(self) -> str:
        return (
            f"{self.entity}/{self.project} artifacts: runs stale {self.stale}, read "
            f"{self.read}, artifact versions {self.versions}, requests {self.requests}, "
            f"{self.seconds:.1f} s"
        )


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
        with bar:
            for run_id in targets:
                try:
                    used = run_artifacts(client, entity, project, run_id, "used")
                    logged = run_artifacts(client, entity, project, run_id, "logged")
                except RunGoneError:  # deleted since the listing: the next sync sees it gone
                    bar.update(1)
                    continue
                fetched_at = datetime.now(UTC).isoformat()
                pending.append(ArtifactFetch(run_id, fetched_at, used, logged))
                if len(pending) >= BATCH_RUNS:
                    flush()
                bar.update(1)
            flush()
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
    )
