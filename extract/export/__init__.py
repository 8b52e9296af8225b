"""`wandb-warehouse export-raw`: the raw layer written out for other engines (Parquet)."""
