"""The bundled sample workspace: two loads of one synthetic W&B project.

The run files are made by `python -m extract.sample.generate_runs` and their history by
`python -m extract.sample.generate_history` (both deterministic) and reproduce
the figures of the original analysis; see README "The bundled sample".
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent


def sample_files() -> list[Path]:
    """The sample's run files in load order (old downloader first, then full refresh)."""
    return sorted(p for p in SAMPLE_DIR.glob("*.jsonl.gz") if "_history_" not in p.name)


def load_order() -> list[Path]:
    """Every sample file in load order: the run files, then the history derived from them
    (`python -m extract.sample.generate_history`)."""
    return sorted(SAMPLE_DIR.glob("*.jsonl.gz"))
