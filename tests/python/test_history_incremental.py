"""The long history model is incremental: a new load's rows are added, old rows are not
rebuilt (a marker written into an old row survives the next build). New history of an
analysed run reaches the incremental int_runs__history_progress, and so
marts.run_progress, as a full refresh would have it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
from dbt_builds import build_and_publish, build_warehouse, load_raw

from extract.sample.files import load_order
from extract.warehouse.build import run_build
from extract.warehouse.files import Warehouse

RUN_ID = "zz-incremental"


def history_file(path: Path, steps: range, run_id: str = RUN_ID) -> Path:
    with gzip.open(path, "wt") as handle:
        for step in steps:
            row = {
                "entity": "datadecide-lab",
                "project": "ft-small-lm",
                "run_id": run_id,
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
    # The built table in dbt's working file (the published file is a copy of it).
    working = Warehouse(db).build_db
    with duckdb.connect(str(working)) as con:
        (before,) = con.execute(
            "select count(*) from intermediate.int_history__metric_values"
        ).fetchone()
        # A marker in an old row: a rebuild would overwrite it, an increment leaves it.
        con.execute(
            "update intermediate.int_history__metric_values set value = -1 "
            "where run_id = ? and step = 0",
            [RUN_ID],
        )

    load_raw(db, [history_file(tmp_path / "h2.jsonl.gz", range(5, 8))])
    run_build(
        Warehouse(db),
        ["--select", "stg_wandb__history+", "--target-path", str(built.target)],
        quiet=True,
    )

    with duckdb.connect(str(working), read_only=True) as con:
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


def _progress(db: Path, run_id: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from marts.run_progress where run_id = ?", [run_id]).fetchall()


def test_new_history_of_an_analysed_run_reaches_run_progress(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    built = build_warehouse(db, load_order(), tmp_path / "target")
    with duckdb.connect(str(db), read_only=True) as con:
        run_id, last_step, rows = con.execute(
            "select run_id, last_step, history_rows from intermediate.int_runs__history_progress "
            "where history_rows > 0 order by run_id limit 1"
        ).fetchone()

    load_raw(db, [history_file(tmp_path / "more.jsonl.gz", range(10_000, 10_003), run_id)])
    build_and_publish(db, ["--target-path", str(built.target)])
    incremental = _progress(db, run_id)
    build_and_publish(db, ["--full-refresh", "--target-path", str(built.target)])

    with duckdb.connect(str(db), read_only=True) as con:
        now_last_step, now_rows = con.execute(
            "select last_step, history_rows from marts.run_progress where run_id = ?", [run_id]
        ).fetchone()
    assert (now_last_step, now_rows) == (10_002, rows + 3)
    assert last_step < 10_000
    assert incremental == _progress(db, run_id)
