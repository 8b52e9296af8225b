"""`wandb-warehouse extract`: an incremental sync of W&B projects into the raw layer.

For `extract ENTITY`, first the entity's projects (`entity.py`). Then, per project, the
runs (`runs.py`): decide what to fetch (`plan.py`), turn nodes into records
(`records.py`), read and write the raw tables (`store.py`); the project's sweeps
(`sweeps.py`); with `--artifacts`, the artifact versions used and logged by runs fetched
in full since their artifacts were read (`artifacts.py`); with `--history`, the new
history rows (`history.py`): decide whose to read (`history_plan.py`), pull and store
them (`history_pull.py`).
"""
