"""Benchmark of `wandb-warehouse report`: its time, memory and file size on a large
warehouse (not a test).

    python -m bench.report_bench [--sizes 100000,1000000] [--repeats 3]

For each size: the generated files (bench/generate.py: 8 projects, two loads, the second
a 1% sync that edits tags and states) are loaded, built with `dbt build` and published
with `wandb-warehouse publish` (not timed), then `wandb-warehouse report` runs --repeats
times on the published file, each in its own process (wall, CPU seconds, peak RSS), and
headless Chromium (where installed) opens the page until every chart has drawn.
`warehouse_mb` is the size of the warehouse's working files (raw layer and models, what
the one warehouse file held before publishing). Prints a table and writes
bench/results/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import generate
from bench.measure import Step, run_measured
from bench.run import BUILD, CLI, WORK_DIR, _dbt, _dbt_env, environment
from bench.warehouses import working_bytes
from extract.warehouse.database import PROJECT_ROOT

# The browser driver of the test suite, imported by plain name as pytest sees it.
sys.path.insert(0, str(PROJECT_ROOT / "tests" / "python"))
from chromium import CHROMIUM, Chromium

RESULTS = Path(__file__).resolve().parent / "results" / "report.json"


def build(runs: int, work: Path) -> Path:
    files = generate(runs)
    db = work / "warehouse.duckdb"
    for args in (["load", str(files.base)], ["load", "--partial", str(files.changed)]):
        subprocess.run([CLI, *args[:1], "--db", str(db), *args[1:]], check=True)
        subprocess.run(
            _dbt(BUILD, db, work / "target"),
            env={**os.environ, **_dbt_env(db)},
            cwd=PROJECT_ROOT,
            check=True,
        )
        # `report` reads the published file: make this build what it shows.
        subprocess.run([CLI, "publish", "--db", str(db)], check=True)
    return db


def draw(page: Path) -> float:
    """Seconds from opening the page in headless Chromium until every chart has drawn."""
    with Chromium() as browser:
        started = time.perf_counter()
        browser.open(page.as_uri())
        state = browser.wait_for("document.body && document.body.dataset.rendered", 300)
        seconds = time.perf_counter() - started
        if state != "all" or browser.events.console_errors:
            raise RuntimeError(f"{page}: charts {state}, {browser.events.console_errors}")
    return seconds


def bench_size(runs: int, repeats: int) -> dict[str, object]:
    work = WORK_DIR / f"report_{runs}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"{runs} runs: loading and building (not timed)", flush=True)
    db = build(runs, work)
    out = work / "report.html"
    step = Step("report")
    for _ in range(repeats):
        out.unlink(missing_ok=True)
        step.samples.append(run_measured([CLI, "report", "--db", str(db), "--out", str(out)]))
    page = out.read_text()
    drawn = [draw(out) for _ in range(repeats)] if CHROMIUM.exists() else []
    result = {
        "runs": runs,
        "report_bytes": len(page.encode()),
        "charts": page.count('<div class="chart"'),
        "table_rows": page.count("<tr>"),
        "warehouse_mb": round(working_bytes(db) / 1e6, 1),
        "steps": {"report": step.as_dict()},
        "browser_draw_s": sorted(drawn),
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated run counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = [bench_size(int(size), args.repeats) for size in args.sizes.split(",")]
    args.output.write_text(
        json.dumps({"environment": environment(), "sizes": results}, indent=2) + "\n"
    )
    print("| runs | report | wall s | CPU s | peak RSS | charts | table rows | drawn in (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r["steps"]["report"]
        print(
            f"| {r['runs']:,} | {r['report_bytes'] / 1e6:.2f} MB | {s['wall_s']:.1f} | "
            f"{s['cpu_s']:.1f} | {s['peak_rss_mb']:.0f} MB | {r['charts']} | "
            f"{r['table_rows']:,} | {_median(r['browser_draw_s'])} |"
        )


def _median(values: list[float]) -> str:
    return f"{values[len(values) // 2]:.1f}" if values else "-"


if __name__ == "__main__":
    main()
