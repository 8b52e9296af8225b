"""The files behind a warehouse: what dbt says with no raw layer yet, and adopting a
warehouse file made before publishing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT
from dbt_builds import write_legacy_warehouse
from dbt_common.exceptions import DbtRuntimeError

from extract.load.runs import load_file
from extract.sample.files import load_order
from extract.warehouse import dbt_plugin, publish
from extract.warehouse.database import RAW_TABLES, open_raw
from extract.warehouse.files import Warehouse
from extract.warehouse.locks import LOCK_HELD_ENV_VAR
from extract.warehouse.segments import seal

DBT = str(Path(sys.executable).parent / "dbt")


def _dbt_build(db: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DBT, "build", "--target-path", str(target)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "WANDB_WAREHOUSE_DB": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_dbt_build_without_raw_data_says_what_to_run(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    for prepare in (lambda: None, lambda: open_raw(Warehouse(db)).close()):
        prepare()  # no warehouse at all, then a raw layer with no load in it
        result = _dbt_build(db, tmp_path / "target")
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert f"the warehouse {db} holds no raw data yet: run `wandb-warehouse sync" in output
        assert "START sql" not in output  # no model ran
    assert not Warehouse(db).build_db.exists() or "ERROR=" not in output


def test_a_warehouse_file_from_before_publishing_is_adopted(tmp_path: Path) -> None:
    # The layout before publishing: one file with the raw tables in a schema `raw`.
    db = tmp_path / "warehouse.duckdb"
    write_legacy_warehouse(db, load_order())
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in RAW_TABLES
        }
    assert counts["wandb_runs"] == 668
    reader = duckdb.connect(str(db), read_only=True)  # a reader of the old file
    try:
        result = subprocess.run(
            [sys.executable, "-m", "extract.cli", "build", "--quiet", "--db", str(db)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert f"adopted {db}" in result.stdout
        # The reader still reads the old file; the published one has every raw row.
        assert reader.execute("select count(*) from raw.wandb_runs").fetchone() == (668,)
    finally:
        reader.close()
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps({t: c.execute(f'select count(*) from raw.{t}').fetchone()[0] "
            "for t in json.loads(sys.argv[2])}))",
            str(db),
            __import__("json").dumps(sorted(counts)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __import__("json").loads(check.stdout) == counts


def test_sealing_moves_rows_to_segments_and_compaction_gives_space_back(
    tmp_path: Path, monkeypatch
) -> None:
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    con = open_raw(warehouse)
    for path in load_order():
        load_file(con, path)
    before = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    ids = {
        "load_id": {i for (i,) in con.execute("select load_id from raw.wandb_loads").fetchall()},
        "listing_id": set(),
    }
    con.close()
    size = warehouse.raw_store.stat().st_size

    with duckdb.connect() as session:
        session.execute(f"attach '{warehouse.raw_store}' as raw")
        seal(session, warehouse, ids)
        live = session.execute("select count(*) from raw.live.wandb_runs").fetchone()[0]
        after = {
            t: session.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES
        }
    assert live == 0 and after == before
    assert sorted(p.name for p in warehouse.segments.iterdir()) == ["00000001"]

    monkeypatch.setattr(publish, "COMPACT_FREE_BYTES", 0)
    assert publish.compact_raw_store(warehouse)
    assert warehouse.raw_store.stat().st_size < size / 2
    with duckdb.connect(str(warehouse.raw_store), read_only=True) as store:
        assert {
            t: store.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES
        } == before


def test_a_dbt_run_by_hand_takes_its_turn_with_the_writers(tmp_path: Path, monkeypatch) -> None:
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    open_raw(warehouse).close()
    monkeypatch.setenv("WANDB_WAREHOUSE_DB", str(warehouse.published))
    monkeypatch.setenv("WANDB_WAREHOUSE_LOCK_WAIT", "1")
    monkeypatch.delenv(LOCK_HELD_ENV_VAR, raising=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from extract.warehouse.locks import writer_lock; "
            "lock = writer_lock(Path(sys.argv[1]), 'wandb-warehouse sync lab/p', 10); "
            "lock.__enter__(); print('ready', flush=True); sys.stdin.readline()",
            str(warehouse.lock),
        ],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DbtRuntimeError, match=f"PID {holder.pid} .`wandb-warehouse sync"):
            dbt_plugin.Plugin("dbt_plugin", {})
    finally:
        holder.communicate("\n")
    plugin = dbt_plugin.Plugin("dbt_plugin", {})  # the sync is done: dbt takes the lock
    assert f'"pid": {os.getpid()}' in warehouse.lock.read_text()
    assert plugin is not None
    dbt_plugin._HELD.pop(warehouse.lock).close()
