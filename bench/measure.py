"""Run one benchmark step as a child process and measure it: wall, CPU and peak RSS.

Every step runs in its own process, started through bench.launch, so its peak resident
set size is its own (see bench/launch.py; `wait4` returns the rusage of exactly that
child, including any processes it waited for). The
machine's load average is recorded next to each figure: on a shared box the wall time
of a step says as much about its neighbours as about itself, CPU seconds less so.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


class StepFailed(RuntimeError):
    """A measured command exited non-zero (its output tail is in the message)."""


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    load_avg: float


@dataclass
class Step:
    """Repeated samples of one command; the figures reported are medians."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def cpu_s(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_mb for s in self.samples)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "samples": [asdict(s) for s in self.samples],
        }


def run_measured(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Sample:
    """Run `command` to completion through bench.launch (so its peak RSS is its own);
    raise StepFailed (with its output) if it fails."""
    with tempfile.TemporaryFile() as output, tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage.json"
        load_avg = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.run(
            python_module("bench.launch", str(report), "--", *command),
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            check=False,
        )
        wall = time.perf_counter() - started
        if process.returncode != 0:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-3000:]
            raise StepFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
        usage = json.loads(report.read_text())
    return Sample(
        wall_s=wall,
        cpu_s=usage["cpu_s"],
        peak_rss_mb=usage["peak_rss_mb"],
        load_avg=load_avg,
    )


def python_module(module: str, *args: str) -> list[str]:
    """A command running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]
