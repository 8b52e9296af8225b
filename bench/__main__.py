"""Run every benchmark module (bench/*_bench.py) in name order."""

from __future__ import annotations

import importlib
from pathlib import Path


def main() -> None:
    for path in sorted(Path(__file__).resolve().parent.glob("*_bench.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        print(f"== {path.stem}")
        module.main()


if __name__ == "__main__":
    main()
