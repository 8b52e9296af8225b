"""`python -m bench.publish_bench`: what publishing costs as the warehouse grows.

For each size (the generated W&B-shaped files of bench/generate.py), in its own process
each step (wall, CPU seconds, peak RSS):

1. a warehouse is loaded, built and published once (the first publish writes the whole
   raw layer as Parquet segments);
2. then, --repeats times on a fresh copy of that warehouse: the 1%-changed file is loaded
   (`load --partial`), `dbt build` rebuilds (the production build, unit tests aside) and
   `wandb-warehouse publish` publishes it, while a reader holds the previous state open.

It reports publish / rebuild (the target: at most 0.20 at 1M runs) and the disk the
warehouse takes after the last publish: every file once (hard links counted once), against
the writer's working data (raw.duckdb, the Parquet segments and build.duckdb: what one
file held before publishing, its raw rows now compressed), with and without the state a
reader still holds.

Results: bench/results/publish.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate
from bench.measure import Step, run_measured
from bench.run import environment, warm_parse
from extract.warehouse.build import BUILD
from extract.warehouse.database import DB_ENV_VAR, PROJECT_ROOT
from extract.warehouse.dbt import dbt_executable
from extract.warehouse.files import Warehouse
from extract.warehouse.publish import clean_up, current_state

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / "data" / "work" / "publish"
RESULTS = BENCH_DIR / "results" / "publish.json"
CLI = str(Path(dbt_executable()).parent / "wandb-warehouse")
HOLD = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); " + (
    "c.execute('select count(*) from marts.runs').fetchall(); print('ready', flush=True); "
    "sys.stdin.readline()"
)


def _measure(step: Step, command: list[str], db: Path) -> None:
    step.samples.append(run_measured(command, env={DB_ENV_VAR: str(db)}, cwd=PROJECT_ROOT))
    last = step.samples[-1]
    print(
        f"  {step.name:<24} {last.wall_s:8.2f} s wall {last.cpu_s:8.2f} s cpu "
        f"{last.peak_rss_mb:8.0f} MB  (load avg {last.load_avg:.1f})",
        flush=True,
    )


def _dbt(db: Path, work: Path, *args: str) -> list[str]:
    target = work / "target"
    return [dbt_executable(), *args, "--target-path", str(target), "--log-path", str(target)]


def _clone(source: Path, target: Path) -> Path:
    """A copy of warehouse `source` at `target`: its folder (hard links kept) and the file."""
    for path in (target, Warehouse(target).workdir):
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
    subprocess.run(
        ["cp", "-a", str(Warehouse(source).workdir), str(Warehouse(target).workdir)], check=True
    )
    state = current_state(Warehouse(source))
    assert state is not None
    os.link(Warehouse(target).states / state.name, target)
    return target


def disk(db: Path) -> dict[str, int]:
    """Bytes on disk by part of the warehouse, every inode once."""
    warehouse = Warehouse(db)
    seen: set[int] = set()

    def size(paths: list[Path]) -> int:
        total = 0
        for path in paths:
            info = path.stat()
            if path.is_file() and info.st_ino not in seen:
                seen.add(info.st_ino)
                total += info.st_blocks * 512
        return total

    parts = {
        "raw_store": size([warehouse.raw_store]),
        "build_db": size([warehouse.build_db]),
        "segments": size(list(warehouse.segments.rglob("*"))),
        "states": size(list(warehouse.states.glob("*"))),
        "published_file": size([db]),  # 0 when it is a link to a state counted above
    }
    parts["total"] = sum(parts.values())
    # The writer's data: the raw layer (its store and the Parquet segments of published
    # loads) and dbt's working file; the states are what publishing adds.
    parts["working"] = parts["raw_store"] + parts["segments"] + parts["build_db"]
    return parts


def bench_size(runs: int, repeats: int) -> dict[str, object]:
    files = generate(runs)
    work = WORK_DIR / str(runs)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    steps = {
        name: Step(name)
        for name in ("load", "dbt_build", "first_publish", "load_1pct", "rebuild", "publish")
    }
    base = work / "base.duckdb"
    print(f"{runs} runs ({files.changed_runs} changed by the 1% sync)", flush=True)
    _measure(steps["load"], [CLI, "load", "--db", str(base), str(files.base)], base)
    warm_parse(base, work / "target")
    _measure(steps["dbt_build"], _dbt(base, work, *BUILD, "--quiet"), base)
    _measure(steps["first_publish"], [CLI, "publish", "--db", str(base)], base)
    sizes: dict[str, dict[str, int]] = {}
    for _ in range(repeats):
        db = _clone(base, work / "synced.duckdb")
        reader = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == b"ready"
            _measure(
                steps["load_1pct"],
                [CLI, "load", "--partial", "--db", str(db), str(files.changed)],
                db,
            )
            warm_parse(db, work / "target")
            _measure(steps["rebuild"], _dbt(db, work, *BUILD, "--quiet"), db)
            _measure(steps["publish"], [CLI, "publish", "--db", str(db)], db)
            sizes["reader_holds_previous_state"] = disk(db)
        finally:
            reader.communicate(b"\n")
    # Once the reader has gone, the next publish deletes the state it held (its clean-up,
    # run here on its own).
    clean_up(Warehouse(db))
    sizes["no_reader"] = disk(db)
    result = {
        "runs": runs,
        "changed_runs": files.changed_runs,
        "steps": {name: step.as_dict() for name, step in steps.items() if step.samples},
        "disk_bytes": sizes,
        "publish_over_rebuild": round(steps["publish"].wall_s / steps["rebuild"].wall_s, 3),
        "publish_over_rebuild_cpu": round(steps["publish"].cpu_s / steps["rebuild"].cpu_s, 3),
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def markdown(report: dict[str, object]) -> str:
    sizes = report["sizes"]
    assert isinstance(sizes, list)
    header = "| | " + " | ".join(f"{s['runs']:,} runs" for s in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]

    def row(label: str, cell: Callable[[dict], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in sizes) + " |")

    def step(name: str) -> Callable[[dict], str]:
        return lambda s: (
            f"{s['steps'][name]['wall_s']:.2f} s / {s['steps'][name]['cpu_s']:.2f} cpu-s"
        )

    row("`dbt build` (full), for scale", step("dbt_build"))
    row("first `publish` (all raw rows to segments)", step("first_publish"))
    row("`dbt build` after the 1% sync", step("rebuild"))
    row("`publish` after it", step("publish"))
    row(
        "**publish / rebuild** (wall; cpu)",
        lambda s: f"**{s['publish_over_rebuild']:.2f}**; {s['publish_over_rebuild_cpu']:.2f}",
    )
    for label, key in (
        ("disk, no reader: total / working files", "no_reader"),
        ("disk, a reader holds the previous state", "reader_holds_previous_state"),
    ):
        row(
            label,
            lambda s, key=key: (
                f"{s['disk_bytes'][key]['total'] / 1e9:.2f} GB / "
                f"{s['disk_bytes'][key]['working'] / 1e9:.2f} GB = "
                f"{s['disk_bytes'][key]['total'] / s['disk_bytes'][key]['working']:.2f}x"
            ),
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated run counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report: dict[str, object] = {"environment": environment(), "sizes": []}
    if args.output.exists():
        report["sizes"] = json.loads(args.output.read_text()).get("sizes", [])
    for runs in (int(size) for size in args.sizes.split(",")):
        result = bench_size(runs, args.repeats)
        report["sizes"] = sorted(
            [s for s in report["sizes"] if s["runs"] != runs] + [result],  # type: ignore[union-attr]
            key=lambda s: s["runs"],
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(markdown(report))


if __name__ == "__main__":
    main()
