"""`python -m bench` entry for issue 6: load, dbt build, pandas and rebuild at scale.

Arguments after `python -m bench` (or `make bench BENCH_ARGS=...`) go to bench.run, e.g.
`--sizes 1000000 --repeats 1`.
"""

from __future__ import annotations

from bench.run import main

__all__ = ["main"]
