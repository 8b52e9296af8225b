"""Run one benchmark step as a child process and measure it: wall, CPU and peak RSS.

Every step runs in its own process so its peak resident set size is its own (`wait4`
returns the rusage of exactly that child, including any processes it waited for). The
machine's load average is recorded next to each figure: on a shared box the wall time
of a step says as much about its neighbours as about itself, CPU seconds less so.
"""

from __future__ import annotations

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
    """Run `command` to completion; raise StepFailed (with its output) if it fails."""
    with tempfile.TemporaryFile() as output:
        load_avg = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-3000:]
            raise StepFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    # ru_maxrss is in kilobytes on Linux.
    return Sample(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        load_avg=load_avg,
    )


def python_module(module: str, *args: str) -> list[str]:
    """A command running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]
