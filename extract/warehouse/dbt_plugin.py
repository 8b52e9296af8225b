"""A dbt-duckdb plugin (profiles.yml `plugins:`) that checks the warehouse's working files
before dbt opens them: with no raw layer yet, dbt would stop with DuckDB's traceback about
a file that does not exist; this says in one line what to run instead."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from extract.warehouse.files import Warehouse

DB_ENV_VAR = "WANDB_WAREHOUSE_DB"


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        warehouse = Warehouse(Path(os.environ.get(DB_ENV_VAR) or "warehouse.duckdb"))
        if warehouse.raw_store.exists():
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
