"""The bundled sample workspace: two loads of one synthetic W&B project.

The run files are made by `python -m extract.sample.generate_runs`, their history by
`python -m extract.sample.generate_history` and the project's sweeps and run artifacts by
`python -m extract.sample.generate_lineage` (all deterministic); they reproduce the
figures of the original analysis; see README "The bundled sample".
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent


# Files derived from the run files: run history, sweeps, run artifacts.
DERIVED_KINDS = ("_history_", "_sweeps_", "_artifacts_")


def sample_files() -> list[Path]:
    """The sample's run files in load order (old downloader first, then full refresh)."""
    return sorted(
        p for p in SAMPLE_DIR.glob("*.jsonl.gz") if not any(k in p.name for k in DERIVED_KINDS)
    )


def load_order() -> list[Path]:
    """Every sample file in load order (as `extract/sample/*.jsonl.gz` sorts): the run
    files, the history derived from them, then the sweeps and run artifacts observed with
    the full refresh."""
    return sorted(SAMPLE_DIR.glob("*.jsonl.gz"))
