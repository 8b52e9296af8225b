"""Benchmark of `wandb-warehouse extract` against the fake W&B server (not a test).

    python -m bench.extract_bench [--runs 10000] [--latency-ms 20]

Three syncs of one project through the real SDK and wandb-core: the first sync, a sync
with no upstream change, and a sync after 1% of runs changed (half of them had their tags
edited, half finished with a new heartbeat, history length and summary). Prints a table
and writes bench/results/extract.json. Request counts are what the fake served.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import duckdb

from extract.cli import main as cli_main
from extract.sync.plan import requests_needed
from extract.wandb_api.config import DEFAULT_PAGE_SIZE
from tests.python.fake_wandb import FakeRun, FakeWandb

RESULTS = Path(__file__).resolve().parent / "results" / "extract.json"
ENTITY, PROJECT = "bench", "sweep"


def make_run(i: int) -> FakeRun:
    config = {f"param_{k}": (i * 31 + k) % 97 / 7 for k in range(20)}
    config |= {"seed": i, "model": f"m{i % 5}", "pretrain_steps": 15000 + i % 3}
    summary = {f"metric_{k}": (i * 17 + k) % 101 / 3 for k in range(30)}
    summary |= {"_step": 1000 + i, "_runtime": 3600.5, "loss": "NaN", "tokens": 2**64 + i}
    text = json.dumps(summary).replace('"NaN"', "NaN")
    return FakeRun(
        f"run{i:06d}",
        state="finished",
        tags=[f"t{i % 7}", "bench"],
        group=f"g{i % 40}",
        job_type="train",
        created_at=f"2025-{1 + i // 100000:02d}-01T00:00:00.{i:06d}",
        heartbeat_at="2025-06-01T00:00:00",
        history_line_count=1000 + i,
        config=config,
        summary=text,
    )


def change_one_percent(fake: FakeWandb, runs: int) -> int:
    changed = max(1, runs // 100)
    for n, i in enumerate(range(0, runs, runs // changed)):
        run = fake.run(ENTITY, PROJECT, f"run{i:06d}")
        if n % 2 == 0:
            run.tags = [*run.tags, "reviewed"]
        else:
            run.heartbeat_at = "2025-07-01T00:00:00"
            run.history_line_count += 50
            run.summary = run.summary.replace('"_runtime": 3600.5', '"_runtime": 7200.25')
    return changed


def sync(db: Path, fake: FakeWandb, name: str) -> dict:
    fake.reset_counters()
    output = StringIO()
    started = time.perf_counter()
    with redirect_stdout(output):
        code = cli_main(["extract", f"{ENTITY}/{PROJECT}", "--db", str(db)])
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"{name}: extract failed (exit {code})")
    con = duckdb.connect(str(db), read_only=True)
    try:
        listed, new, changed, deleted, heavy, counted = con.execute(
            "select listed, new, changed, deleted, heavy_fetched, requests "
            "from raw.wandb_loads order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    graphql = {op: n for op, n in fake.received.items() if not op.startswith("<")}
    return {
        "scenario": name,
        "listed": listed,
        "new": new,
        "changed": changed,
        "deleted": deleted,
        "heavy_fetched": heavy,
        "runs_requests": fake.received["Runs"],
        "listing_requests": fake.light_runs_requests(),
        "heavy_requests": fake.full_runs_requests(),
        "graphql_requests": sum(graphql.values()),
        "graphql_by_operation": graphql,
        "requests_counted_by_cli": counted,
        "seconds": round(seconds, 2),
        "final_line": output.getvalue().strip().splitlines()[-1],
    }


def run_bench(runs: int, latency_ms: float) -> dict:
    page = int(os.environ.get("WANDB_WAREHOUSE_PAGE_SIZE") or DEFAULT_PAGE_SIZE)
    load_before = os.getloadavg()[0]  # other work on the machine slows every figure
    with FakeWandb() as fake, tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            fake.add_run(ENTITY, PROJECT, make_run(i))
        netrc = Path(tmp) / "netrc"
        netrc.touch()
        os.environ.update(fake.env())
        os.environ["NETRC"] = str(netrc)
        db = Path(tmp) / "bench.duckdb"
        fake.latency = latency_ms / 1000
        results = [sync(db, fake, "first sync")]
        results.append(sync(db, fake, "no-change sync"))
        changed = change_one_percent(fake, runs)
        results.append(sync(db, fake, f"after {changed} runs (1%) changed"))
        size = db.stat().st_size
    targets = {
        "no_change_max_runs_requests": requests_needed(runs, 0, page),
        "one_percent_max_runs_requests": requests_needed(runs, changed, page),
    }
    return {
        "runs": runs,
        "latency_ms": latency_ms,
        "page_size": page,
        "heavy_batch": 100,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "warehouse_bytes": size,
        "targets": targets,
        "targets_met": {
            "no_change": results[1]["runs_requests"] <= targets["no_change_max_runs_requests"]
            and results[1]["heavy_fetched"] == 0,
            "one_percent": results[2]["runs_requests"] <= targets["one_percent_max_runs_requests"],
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = run_bench(args.runs, args.latency_ms)
    header = f"{'scenario':<32} {'requests':>8} {'Runs':>5} {'heavy-fetched':>13} {'seconds':>8}"
    print(f"{args.runs} runs, {args.latency_ms:g} ms latency, page {report['page_size']}")
    print(header)
    for row in report["results"]:
        print(
            f"{row['scenario']:<32} {row['graphql_requests']:>8} {row['runs_requests']:>5} "
            f"{row['heavy_fetched']:>13} {row['seconds']:>8.2f}"
        )
    print(f"targets: {report['targets']} met: {report['targets_met']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
