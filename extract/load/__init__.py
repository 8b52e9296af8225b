"""`wandb-warehouse load`: JSONL files into the raw layer.

`runs.py` loads a file of runs and hands a file of history rows to `history.py`, and a
file of sweeps or run artifacts to `catalog.py`.
"""
