"""Generate the bundled sample's run history: `python -m extract.sample.generate_history`.

Reads the committed full-refresh run file and writes `03_history_2025-09-10.jsonl.gz`, a
thinned history (at most ROWS_PER_RUN logged rows per run, always the first and the last
step) consistent with each run's node: the last row has the summary's `_step`,
`_runtime`, `_timestamp` and final metrics, so finished runs reach their last step,
running runs stop where their heartbeat stopped, crashed and failed runs stop early,
timed runs stop near their 1800 s timeout and the barely-progressed finished runs log a
handful of steps. Runs that logged nothing (historyLineCount 0) have no rows. Values are
derived from the run and a per-run seeded `random.Random`; gzip mtime is 0, so a rerun
writes byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.sample.generate_runs import FULL_REFRESH_FILE, OUT_DIR, SEED

HISTORY_FILE = "03_history_2025-09-10.jsonl.gz"
ROWS_PER_RUN = 24
# The metrics a training step logs; the summary holds each one's final value.
STEP_METRICS = (
    "train/loss",
    "train/learning_rate",
    "train/grad_norm",
    "train/rewards/accuracy",
    "train/rewards/margin",
)


def sampled_steps(last_step: int, rows: int = ROWS_PER_RUN) -> list[int]:
    """Evenly spaced steps from 0 to last_step inclusive, at most `rows` of them."""
    if last_step <= 0:
        return [0]
    count = min(rows, last_step + 1)
    return sorted({round(i * last_step / (count - 1)) for i in range(count)})


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _end_runtime(node: dict[str, Any], summary: dict[str, Any]) -> float:
    runtime = summary.get("_runtime")
    if isinstance(runtime, int | float):
        return float(runtime)
    # No `_runtime` in the summary: the last log came shortly before the last heartbeat.
    return max(1.0, _epoch(node["heartbeatAt"]) - _epoch(node["createdAt"]) - 20.0)


def history_rows(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The thinned history of one run node (nothing when it logged no history)."""
    summary = node.get("summaryMetrics") or {}
    if isinstance(summary, str):
        summary = json.loads(summary)
    if not node.get("historyLineCount") or "_step" not in summary:
        return
    rng = random.Random(f"{SEED}:{node['name']}")
    last_step = int(summary["_step"])
    end = _end_runtime(node, summary)
    startup = min(end * 0.5, rng.uniform(20.0, 90.0))
    created = _epoch(node["createdAt"])
    for step in sampled_steps(last_step):
        done = step / last_step if last_step else 1.0
        runtime = end if step == last_step else startup + (end - startup) * done
        row: dict[str, Any] = {
            "entity": node["entity"],
            "project": node["project"],
            "run_id": node["name"],
            "_step": step,
            "_timestamp": round(created + runtime, 6),
            "_runtime": round(runtime, 6),
            "train/global_step": step,
        }
        for key in STEP_METRICS:
            final = summary.get(key)
            if not isinstance(final, int | float) or isinstance(final, bool):
                continue
            if step == last_step or not math.isfinite(final):
                row[key] = final if step == last_step else round(rng.uniform(0.5, 4.0), 4)
            elif key == "train/loss":
                row[key] = round(final + 2.4 * (1 - done) ** 2 + rng.uniform(-0.03, 0.03), 4)
            elif key == "train/learning_rate":
                row[key] = final + (1 - done) * 2e-5
            else:
                row[key] = round(final * rng.uniform(0.6, 1.4), 4)
        yield row


def _run_nodes(run_file: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(run_file, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def write_history(out_dir: Path = OUT_DIR) -> Path:
    """Write the history file next to the run files it is derived from."""
    lines = [
        json.dumps(row, separators=(",", ":"))
        for node in _run_nodes(out_dir / FULL_REFRESH_FILE)
        for row in history_rows(node)
    ]
    path = out_dir / HISTORY_FILE
    data = ("\n".join(lines) + "\n").encode()
    with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as handle:
        handle.write(data)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m extract.sample.generate_history", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"default: {OUT_DIR}")
    args = parser.parse_args(argv)
    path = write_history(args.out)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
