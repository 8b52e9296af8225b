"""`python -m bench.compare_commits --base COMMIT`: the full build of one loaded warehouse
by the models of COMMIT and by the working tree, interleaved.

For a change that must not slow the build down: both sides build copies of the same raw
layer (loaded once, by this checkout's loader: the raw layout must be the same at both
commits), alternately, so that a noisy neighbour hurts both alike; the base's models come
from a git worktree of COMMIT. Each build is a production `dbt build` after a warm parse,
measured in its own process (wall and CPU seconds, peak RSS). Prints a markdown table and
the after/before ratios of the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
from pathlib import Path

from bench.generate import generate
from bench.measure import Sample, run_measured
from bench.run import BUILD, CLI, WORK_DIR, _copy, _dbt, _dbt_env, _fresh
from extract.warehouse.database import PROJECT_ROOT


def _worktree(commit: str, path: Path) -> Path:
    if path.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=PROJECT_ROOT)
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), commit], cwd=PROJECT_ROOT, check=True
    )
    return path


def _build(project: Path, loaded: Path, work: Path) -> Sample:
    db = _copy(loaded, work / "built.duckdb")
    target = work / f"target-{project.name}"
    subprocess.run(
        _dbt(["parse", "--quiet"], db, target),
        env={**os.environ, **_dbt_env(db)},
        cwd=project,
        check=True,
    )
    sample = run_measured(_dbt(BUILD, db, target), env=_dbt_env(db), cwd=project)
    _fresh(db)
    return sample


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    work = WORK_DIR / f"compare-{args.runs}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = _worktree(args.base, work / "base")
    files = generate(args.runs)
    loaded = work / "loaded.duckdb"
    subprocess.run([CLI, "load", "--db", str(loaded), str(files.base)], check=True)
    samples: dict[str, list[Sample]] = {"base": [], "head": []}
    for _ in range(args.repeats):
        for side, project in (("base", base), ("head", PROJECT_ROOT)):
            samples[side].append(_build(project, loaded, work))
            last = samples[side][-1]
            print(
                f"  {side:<5} {last.wall_s:8.2f} s wall {last.cpu_s:8.2f} s cpu "
                f"{last.peak_rss_mb:8.0f} MB  (load avg {last.load_avg:.1f})",
                flush=True,
            )
    medians = {
        side: {
            field: statistics.median(getattr(sample, field) for sample in found)
            for field in ("wall_s", "cpu_s", "peak_rss_mb")
        }
        for side, found in samples.items()
    }
    print(f"\nfull build of {args.runs} runs, median of {args.repeats}")
    print(f"| | {args.base} | working tree | ratio |")
    print("|---|---|---|---|")
    for field, label in (("wall_s", "wall s"), ("cpu_s", "CPU s"), ("peak_rss_mb", "peak MB")):
        before, after = medians["base"][field], medians["head"][field]
        print(f"| {label} | {before:.1f} | {after:.1f} | {after / before:.3f} |")
    subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=PROJECT_ROOT)


if __name__ == "__main__":
    main()
