"""wandb-warehouse: pull W&B runs into DuckDB and model them with dbt."""

__version__ = "0.1.0"
