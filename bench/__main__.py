"""`python -m bench` is `python -m bench.run` (what `make bench` runs)."""

from bench.run import main

main()
