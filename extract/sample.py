"""The bundled sample workspace: two loads of one synthetic W&B project.

The files are made by `python -m extract.sample_generator` (deterministic) and reproduce
the figures of the original analysis; see README "The bundled sample".
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


def sample_files() -> list[Path]:
    """The sample's run files in load order (old downloader first, then full refresh)."""
    return sorted(SAMPLE_DIR.glob("*.jsonl.gz"))
