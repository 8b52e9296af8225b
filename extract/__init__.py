"""wandb-warehouse: pull W&B runs into DuckDB and model them with dbt.

The extractor by stage, one sub-package each:

- `wandb_api/`  talking to W&B through the official SDK
- `sync/`       `wandb-warehouse extract`: an incremental sync of a project (runs, history)
- `load/`       `wandb-warehouse load`: JSONL files of runs or history rows
- `warehouse/`  the DuckDB file: connection and raw schema, load ledger, history writes, dbt
- `export/`     `wandb-warehouse export-raw`: the raw layer as Parquet
- `sample/`     the bundled sample and the generators that made it

`cli.py` is the command line, `demo.py` its `demo` command, `errors.py` the errors a user
can cause.
"""
