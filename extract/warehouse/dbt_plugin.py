"""A dbt-duckdb plugin (profiles.yml `plugins:`) that readies the warehouse's working files
before dbt opens them:

- with no raw layer yet, dbt would stop with DuckDB's traceback about a file that does not
  exist: this says in one line what to run instead;
- a dbt run by hand takes the warehouse's writer lock for as long as it runs, so that it
  waits for a sync that is writing (and a sync waits for it) instead of failing on
  DuckDB's lock; a dbt that a `wandb-warehouse` writer runs finds its parent holding it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from extract.errors import UserError
from extract.warehouse.files import Warehouse
from extract.warehouse.locks import LOCK_HELD_ENV_VAR, acquire_writer_lock, lock_wait

DB_ENV_VAR = "WANDB_WAREHOUSE_DB"
# Writer locks this dbt process took: open until it exits (a second flock of the same file
# by the same process would wait for the first).
_HELD: dict[Path, TextIO] = {}


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        warehouse = Warehouse(Path(os.environ.get(DB_ENV_VAR) or "warehouse.duckdb"))
        if warehouse.raw_store.exists():
            self._hold_writer_lock(warehouse)
            return
        if warehouse.is_legacy():
            raise DbtRuntimeError(
                f"{warehouse.published} was made before publishing: run "
                "`wandb-warehouse build` once to move its raw layer to "
                f"{warehouse.raw_store.name} and publish (readers keep the old file until then)"
            )
        raise DbtRuntimeError(
            f"the warehouse {warehouse.published} holds no raw data yet: run "
            "`wandb-warehouse sync ENTITY/PROJECT` or `wandb-warehouse load FILE` first "
            "(or `make demo` for the sample)"
        )

    def _hold_writer_lock(self, warehouse: Warehouse) -> None:
        if os.environ.get(LOCK_HELD_ENV_VAR) or warehouse.lock in _HELD:
            return
        command = " ".join(["dbt", *sys.argv[1:]])
        try:
            _HELD[warehouse.lock] = acquire_writer_lock(warehouse.lock, command, lock_wait())
        except UserError as exc:
            raise DbtRuntimeError(str(exc)) from None
