"""The long history model is incremental: a new load's rows are added, old rows are not
rebuilt (a marker written into an old row survives the next build)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
from dbt_builds import build_warehouse

from extract.dbt import run_dbt
from extract.load import load_file
from extract.sample import load_order
from extract.warehouse import connect

RUN_ID = "zz-incremental"


def history_file(path: Path, steps: range) -> Path:
    with gzip.open(path, "wt") as handle:
        for step in steps:
            row = {
                "entity": "datadecide-lab",
                "project": "ft-small-lm",
                "run_id": RUN_ID,
                "_step": step,
                "_timestamp": 1_757_000_000 + step,
                "_runtime": float(step),
                "train/loss": 1.0 / (step + 1),
            }
            handle.write(json.dumps(row) + "\n")
    return path


def test_new_history_rows_are_added_without_rebuilding(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = history_file(tmp_path / "h1.jsonl.gz", range(0, 5))
    built = build_warehouse(db, [*load_order(), first], tmp_path / "target")
    with duckdb.connect(str(db)) as con:
        (before,) = con.execute(
            "select count(*) from intermediate.int_history__metric_values"
        ).fetchone()
        # A marker in an old row: a rebuild would overwrite it, an increment leaves it.
        con.execute(
            "update intermediate.int_history__metric_values set value = -1 "
            "where run_id = ? and step = 0",
            [RUN_ID],
        )

    con = connect(db)
    load_file(con, history_file(tmp_path / "h2.jsonl.gz", range(5, 8)))
    con.close()
    run_dbt(
        ["build", "--select", "stg_wandb__history+", "--target-path", str(built.target)],
        db,
        quiet=True,
    )

    with duckdb.connect(str(db), read_only=True) as con:
        (after,) = con.execute(
            "select count(*) from intermediate.int_history__metric_values"
        ).fetchone()
        marker = con.execute(
            "select value from intermediate.int_history__metric_values "
            "where run_id = ? and step = 0",
            [RUN_ID],
        ).fetchone()
        steps = con.execute(
            "select list(step order by step) from intermediate.int_history__metric_values "
            "where run_id = ?",
            [RUN_ID],
        ).fetchone()
    assert after == before + 3
    assert marker == (-1.0,)
    assert steps == (list(range(8)),)
