"""`wandb-warehouse extract`: an incremental sync of a W&B project into the raw layer.

The runs (`runs.py`: decide with `plan.py`, shape with `records.py`, write with
`store.py`), then with `--history` the new history rows (`history.py`, `history_pull.py`).
"""
