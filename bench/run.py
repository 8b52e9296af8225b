"""`make bench` / `python -m bench.run`: the warehouse against raw DuckDB and pandas.

For each size it generates (or reuses) the W&B-shaped files, then measures, every step
in its own process (median of --repeats, peak RSS, CPU seconds, load average):

1. `wandb-warehouse load` vs DuckDB's own `read_json` (and `read_json_objects`);
2. `dbt build` vs the same compiled SQL run directly (bench/raw_sql.py), plus dbt's
   fixed start-up (`dbt build` on an empty raw layer);
3. the pandas way (bench/pandas_way.py), which also asserts its marts equal ours;
4. a rebuild after a sync that changed 1% of the runs vs a full build of the same data.

Every `dbt build` here is the production one, `dbt build --exclude-resource-type unit_test`.
A warehouse is its working files (bench/warehouses.py): `load` writes `FILE.d/raw.duckdb`,
dbt builds `FILE.d/build.duckdb`; copying a warehouse for a measurement copies both, and
nothing is published (publishing is not part of any measured step).

Results go to bench/results/results.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import duckdb

from bench.generate import generate
from bench.measure import Step, python_module, run_measured
from bench.warehouses import copy_warehouse, fresh
from extract.warehouse.database import DB_ENV_VAR, DEFAULT_MEMORY_LIMIT, PROJECT_ROOT, open_raw
from extract.warehouse.dbt import dbt_executable
from extract.warehouse.files import Warehouse

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / "data" / "work"
RESULTS = BENCH_DIR / "results" / "results.json"
PANDAS_MAX_RUNS = 100_000
CLI = str(Path(dbt_executable()).parent / "wandb-warehouse")
# Every measured build is a production build: dbt advises running unit tests (static
# fixtures, not the warehouse's data) in development and CI only; `make test` runs them.
BUILD = ["build", "--exclude-resource-type", "unit_test", "--quiet"]
# The key discovery models (marts.key_profile, marts.key_overlap and their input) with
# their tests, as a build runs them.
DISCOVERY = [*BUILD, "--select", "int_runs__key_values", "key_profile", "key_overlap"]


def _fresh(path: Path) -> Path:
    """`path` removed: a plain DuckDB file, or a warehouse with its working files."""
    return fresh(path)


def _copy(source: Path, target: Path) -> Path:
    """Warehouse `source` (its raw layer and dbt's target) copied as warehouse `target`."""
    return copy_warehouse(source, target)


def _dbt(args: list[str], db: Path, target: Path) -> list[str]:
    return [dbt_executable(), *args, "--target-path", str(target), "--log-path", str(target)]


def _dbt_env(db: Path) -> dict[str, str]:
    return {DB_ENV_VAR: str(db)}


def _measure(step: Step, command: list[str], db: Path | None = None) -> None:
    env = _dbt_env(db) if db else None
    step.samples.append(run_measured(command, env=env, cwd=PROJECT_ROOT))
    last = step.samples[-1]
    print(
        f"  {step.name:<28} {last.wall_s:8.2f} s wall {last.cpu_s:8.2f} s cpu "
        f"{last.peak_rss_mb:8.0f} MB  (load avg {last.load_avg:.1f})",
        flush=True,
    )


def bench_size(runs: int, repeats: int, fixed: Step | None) -> dict[str, object]:
    files = generate(runs)
    work = WORK_DIR / str(runs)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    steps: dict[str, Step] = {
        name: Step(name)
        for name in (
            "load",
            "read_json",
            "read_json_objects",
            "dbt_build",
            "dbt_discovery",
            "raw_compiled_sql",
            "load_1pct_changed",
            "dbt_rebuild_after_1pct",
            "dbt_full_build_after_1pct",
            "pandas_way",
        )
    }
    loaded = work / "loaded.duckdb"
    print(f"{runs} runs ({files.base.stat().st_size / 1e6:.0f} MB, {files.changed_runs} changed)")
    # 1. Loading, interleaved so that a noisy neighbour hurts both sides alike; at least
    # three times even at 1M runs (a ratio near its target is not judged on one sample).
    for _ in range(max(repeats, 3)):
        _measure(steps["load"], [CLI, "load", "--db", str(_fresh(loaded)), str(files.base)])
        raw = _fresh(work / "read_json.duckdb")
        _measure(
            steps["read_json"],
            python_module("bench.raw_sql", "read-json", str(files.base), str(raw)),
        )
        _fresh(raw)
        _measure(
            steps["read_json_objects"],
            python_module("bench.raw_sql", "read-json-objects", str(files.base), str(raw)),
        )
        _fresh(raw)
    # 2. dbt build vs the compiled SQL on the same loaded warehouse.
    manifest_dir = work / "compiled"
    manifest_dir.mkdir()
    # Compiled against a copy, so that `loaded` keeps no dbt target (every measured build
    # starts without one); the compiled SQL names models in dbt's target (catalog `build`,
    # as every warehouse's FILE.d/build.duckdb) and raw tables `raw.<table>`.
    subprocess.run(
        _dbt(["compile", "--full-refresh", "--quiet"], loaded, manifest_dir),
        env={**os.environ, **_dbt_env(_copy(loaded, manifest_dir / "raw_sql.duckdb"))},
        cwd=PROJECT_ROOT,
        check=True,
    )
    built = work / "built.duckdb"
    for _ in range(repeats):
        db = _copy(loaded, built)
        warm_parse(db, work / "target")
        _measure(steps["dbt_build"], _dbt(BUILD, db, work / "target"), db)
        # Key discovery alone on the built warehouse: its share of the full build.
        _measure(steps["dbt_discovery"], _dbt(DISCOVERY, db, work / "target"), db)
        other = _copy(loaded, work / "raw_sql.duckdb")
        # Seeds as dbt loads them (into raw_sql.duckdb.d/build.duckdb); the replay then runs
        # every model and data test there, with the raw layer attached as `raw`.
        subprocess.run(
            _dbt(["seed", "--quiet"], other, work / "seed_target"),
            env={**os.environ, **_dbt_env(other)},
            cwd=PROJECT_ROOT,
            check=True,
        )
        _measure(
            steps["raw_compiled_sql"],
            python_module(
                "bench.raw_sql", "models", str(other), str(manifest_dir / "manifest.json")
            ),
        )
        _fresh(other)
    _fresh(manifest_dir / "raw_sql.duckdb")
    # 4. A sync that changed 1% of the runs: incremental rebuild vs full build, at least
    # three times even at 1M runs, like loading (its ratio is judged against a target).
    for _ in range(max(repeats, 3)):
        db = _copy(built, work / "rebuild.duckdb")
        _measure(
            steps["load_1pct_changed"],
            [CLI, "load", "--partial", "--db", str(db), str(files.changed)],
        )
        full = _copy(db, work / "full.duckdb")
        warm_parse(db, work / "target")
        _measure(steps["dbt_rebuild_after_1pct"], _dbt(BUILD, db, work / "target"), db)
        warm_parse(full, work / "target")
        _measure(
            steps["dbt_full_build_after_1pct"],
            _dbt([*BUILD, "--full-refresh"], full, work / "target"),
            full,
        )
        _fresh(full)
    # 3. The pandas way, checked against the marts the warehouse built from the same files.
    if runs <= PANDAS_MAX_RUNS:
        pandas = python_module("bench.pandas_way", str(files.base), str(files.changed))
        for _ in range(repeats):
            _measure(steps["pandas_way"], pandas)
        # Not timed: the same computation again, then every mart compared with the last
        # build's (the rebuild after the 1% sync, in rebuild.duckdb.d/build.duckdb).
        run_measured([*pandas, "--check", str(work / "rebuild.duckdb")], cwd=PROJECT_ROOT)
        print("  pandas marts equal the warehouse's (all seven)", flush=True)
    result = {
        "runs": runs,
        "file_mb": round(files.base.stat().st_size / 1e6, 1),
        "changed_runs": files.changed_runs,
        "steps": {name: step.as_dict() for name, step in steps.items() if step.samples},
    }
    if fixed is not None:
        result["dbt_fixed_startup"] = fixed.as_dict()
    shutil.rmtree(work, ignore_errors=True)
    return result


def warm_parse(db: Path, target: Path) -> None:
    """Parse into `target` against `db`, as a user's earlier build would have: the measured
    build then uses dbt's partial parsing (its default), not a cold parse of the whole
    project. Run before every measured build of another file: the warehouse path is part
    of the profile, and dbt re-parses everything when the profile changes."""
    subprocess.run(
        _dbt(["parse", "--quiet"], db, target),
        env={**os.environ, **_dbt_env(db)},
        cwd=PROJECT_ROOT,
        check=True,
    )


def _empty_raw_layer(db: Path) -> None:
    """Warehouse `db` with a raw layer holding one finished load that stored nothing (a
    sync that found no run): dbt's check_raw_layer refuses a build of a raw layer without
    any load, and this is the emptiest one it builds."""
    con = open_raw(Warehouse(db))
    try:
        con.execute(
            """
            insert into raw.wandb_loads (load_id, invocation_id, entity, project, mode,
                started_at, finished_at, snapshot_at, status, listing_complete)
            values ('bench-empty', 'bench-empty', 'bench', 'empty', 'incremental',
                now(), now(), now(), 'ok', false)
            """
        )
    finally:
        con.close()


def measure_fixed_startup(repeats: int) -> Step:
    """The production `dbt build` on an empty raw layer (one load, no rows): start-up,
    seeds, per-node overhead."""
    step = Step("dbt_build_empty")
    work = WORK_DIR / "empty"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for index in range(repeats):
        db = _fresh(work / "empty.duckdb")
        _empty_raw_layer(db)
        if index == 0:
            warm_parse(db, work / "target")
        _measure(step, _dbt(BUILD, db, work / "target"), db)
    shutil.rmtree(work, ignore_errors=True)
    return step


def environment() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "threads": os.environ.get("WANDB_WAREHOUSE_THREADS", "default"),
        "memory_limit": os.environ.get(
            "WANDB_WAREHOUSE_MEMORY_LIMIT", f"{DEFAULT_MEMORY_LIMIT} (default)"
        ),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated run counts (1000000 is the full-scale run)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    env = environment()
    report: dict[str, object] = {"environment": env, "sizes": []}
    # Sizes measured before (e.g. the 1M run, done on its own) are kept unless re-measured.
    if args.output.exists():
        report["sizes"] = json.loads(args.output.read_text()).get("sizes", [])
    fixed = measure_fixed_startup(args.repeats)
    for runs in sizes:
        result = bench_size(runs, args.repeats if runs < 1_000_000 else 1, fixed)
        result["environment"] = env
        report["sizes"] = sorted(
            [s for s in report["sizes"] if s["runs"] != runs] + [result],
            key=lambda s: s["runs"],
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    from bench.report import markdown

    print()
    print(markdown(report))


if __name__ == "__main__":
    main()
