"""`wandb-warehouse extract`: an incremental sync of a W&B project into the raw layer.

First the runs (`runs.py`): decide what to fetch (`plan.py`), turn nodes into records
(`records.py`), read and write the raw tables (`store.py`). Then, with `--history`, the
new history rows (`history.py`): decide whose to read (`history_plan.py`), pull and store
them (`history_pull.py`).
"""
