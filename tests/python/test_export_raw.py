"""`export-raw`: the raw layer as Parquet partitioned by load, append-only and exact."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from extract.cli import main
from extract.export.parquet import export_raw, exported_loads, pending_loads
from extract.load.runs import load_file
from extract.warehouse.database import connect, ensure_raw_schema
from extract.warehouse.projects import finish_listing, start_listing

BIG = 18446744073709551617  # 2^64 + 1: past BIGINT and UBIGINT


def _write_jsonl(path: Path, fetched_at: str, runs: list[dict]) -> Path:
    lines = []
    for run in runs:
        base = {"entity": "lab", "project": "p1", "fetched_at": fetched_at}
        lines.append(json.dumps({**base, **run}).replace('"@NaN@"', "NaN"))
    path.write_text("\n".join(lines) + "\n")
    return path


def _runs(extra: str) -> list[dict]:
    return [
        {
            "name": "r1",
            "state": "finished",
            "tags": ["60M"],
            "config": {"pretrain_compute": {"value": BIG}},
            "summaryMetrics": {"loss": "@NaN@", "_runtime": 12.5},
        },
        {"name": "r2", "state": extra, "tags": []},
    ]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "wh.duckdb"
    con = connect(db)
    ensure_raw_schema(con)
    load_file(con, _write_jsonl(tmp_path / "a.jsonl", "2025-09-01T00:00:00Z", _runs("running")))
    con.close()
    return db


def _read(out: Path, table: str) -> duckdb.DuckDBPyRelation:
    pattern = str(out / table / "*" / "*.parquet")
    return duckdb.sql(f"select * from read_parquet('{pattern}', hive_partitioning = true)")


def test_export_writes_every_table_partitioned_by_load(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert main(["export-raw", str(out), "--db", str(warehouse)]) == 0

    con = connect(warehouse, read_only=True)
    (load_id,) = con.execute("select load_id from raw.wandb_loads").fetchone()
    con.close()
    for table in ("wandb_runs", "wandb_listings", "wandb_loads"):
        assert [p.name for p in (out / table).iterdir()] == [f"load_id={load_id}"]
    assert exported_loads(out) == {load_id}

    runs = _read(out, "wandb_runs").order("run_id")
    assert runs.columns == [
        "entity", "project", "run_id", "fetched_at", "fetch_kind", "record", "load_id",
    ]  # fmt: skip
    assert dict(zip(runs.columns, runs.types, strict=True))["record"] == "VARCHAR"
    rows = runs.fetchall()
    assert [(r[2], r[4], r[6]) for r in rows] == [("r1", "full", load_id), ("r2", "light", load_id)]
    record = rows[0][5]
    # The text keeps what JSON parsers drop: a NaN token and an integer past 2^64.
    assert '"loss":NaN' in record.replace(" ", "")
    assert str(BIG) in record
    (exact,) = duckdb.execute(
        "select (json(?) -> '$.config.pretrain_compute.value')::hugeint::varchar", [record]
    ).fetchone()
    assert exact == str(BIG)

    assert _read(out, "wandb_listings").count("*").fetchone() == (2,)
    ledger = _read(out, "wandb_loads").fetchall()
    assert len(ledger) == 1


def test_history_rows_are_exported_with_their_metrics_text(warehouse: Path, tmp_path: Path) -> None:
    rows = [
        {
            "entity": "lab",
            "project": "p1",
            "run_id": "r1",
            "_step": step,
            "_timestamp": 1757483373.5 + step,
            "_runtime": 30.0 + step,
            "train/loss": "@NaN@" if step else 5.25,
            "big": BIG,
        }
        for step in (0, 1)
    ]
    con = connect(warehouse)
    lines = (json.dumps(row).replace('"@NaN@"', "NaN") for row in rows)
    (tmp_path / "h.jsonl").write_text("\n".join(lines) + "\n")
    (history_load,) = load_file(con, tmp_path / "h.jsonl")
    con.close()
    out = tmp_path / "export"
    con = connect(warehouse, read_only=True)
    result = export_raw(con, out)
    con.close()
    assert result.history == 2 and len(result.exported) == 2
    partitions = [p.name for p in (out / "wandb_history").iterdir()]
    assert partitions == [f"load_id={history_load.load_id}"]

    history = _read(out, "wandb_history").order("step")
    assert history.columns == [
        "entity", "project", "run_id", "step", "logged_at", "runtime", "metrics", "load_id",
    ]  # fmt: skip
    assert dict(zip(history.columns, history.types, strict=True))["metrics"] == "VARCHAR"
    (first, second) = history.fetchall()
    assert (first[2], first[3], first[5], second[3]) == ("r1", 0, 30.0, 1)
    assert '"train/loss":NaN' in second[6].replace(" ", "")
    assert str(BIG) in first[6] and "_step" not in first[6]


def test_reexport_is_idempotent_and_appends_new_loads(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    con = connect(warehouse, read_only=True)
    first = export_raw(con, out)
    con.close()
    assert len(first.exported) == 1 and first.runs == 2 and first.listings == 2
    files_before = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}

    con = connect(warehouse, read_only=True)
    again = export_raw(con, out)
    con.close()
    assert again.exported == [] and again.already_exported == 1
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")} == mtimes

    con = connect(warehouse)
    second = tmp_path / "b.jsonl"
    load_file(con, _write_jsonl(second, "2025-09-02T00:00:00Z", _runs("finished")))
    con.close()
    con = connect(warehouse, read_only=True)
    third = export_raw(con, out)
    con.close()
    assert len(third.exported) == 1 and third.already_exported == 1
    assert len(list((out / "wandb_loads").iterdir())) == 2
    assert set(files_before) <= {p.relative_to(out) for p in out.rglob("*.parquet")}
    assert _read(out, "wandb_runs").count("*").fetchone() == (4,)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_crashed_export_is_redone(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    con = connect(warehouse, read_only=True)
    (load_id,) = con.execute("select load_id from raw.wandb_loads").fetchone()
    # A run that died after moving the runs partition but before the ledger one.
    leftover = out / "wandb_runs" / f"load_id={load_id}"
    leftover.mkdir(parents=True)
    (leftover / "partial.parquet").write_bytes(b"not parquet")
    result = export_raw(con, out)
    con.close()
    assert result.exported == [load_id]
    assert not (leftover / "partial.parquet").exists()
    assert _read(out, "wandb_runs").count("*").fetchone() == (2,)


def test_running_loads_wait_until_finished() -> None:
    assert pending_loads(["a", "b", "c"], {"b"}) == ["a", "c"]


def test_empty_warehouse_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert main(["export-raw", str(tmp_path / "out"), "--db", str(db)]) == 1
    assert "no raw layer" in capsys.readouterr().err


def test_sweeps_artifacts_and_entity_listings_are_exported(warehouse: Path, tmp_path: Path) -> None:
    sweep = {
        "entity": "lab", "project": "p1", "fetched_at": "2025-09-02T00:00:00Z",
        "__typename": "Sweep", "name": "sw1", "method": "grid", "state": "FINISHED",
        "config": "method: grid\nmetric:\n  name: loss\n  goal: minimize\n", "runCount": 1,
    }  # fmt: skip
    artifact = {"id": "QXJ0", "versionIndex": 2, "size": BIG, "artifactType": {"name": "model"}}
    fetch = {
        "entity": "lab", "project": "p1", "run_id": "r1", "fetched_at": "2025-09-02T00:00:00Z",
        "usedArtifacts": [artifact], "loggedArtifacts": [],
    }  # fmt: skip
    (tmp_path / "s.jsonl").write_text(json.dumps(sweep) + "\n")
    (tmp_path / "a.jsonl").write_text(json.dumps(fetch) + "\n")
    con = connect(warehouse)
    (sweep_load,) = load_file(con, tmp_path / "s.jsonl")
    (artifact_load,) = load_file(con, tmp_path / "a.jsonl")
    start_listing(con, listing_id="L1", invocation_id="I1", entity="lab", source="http://x")
    finish_listing(
        con, "L1", "lab", nodes=[{"name": "p1"}], listed_at=["2025-09-02T00:00:00Z"], requests=1
    )
    con.close()
    out = tmp_path / "export"
    con = connect(warehouse, read_only=True)
    result = export_raw(con, out)
    con.close()
    assert (result.sweeps, result.artifacts, result.entity_listings) == (1, 1, 1)
    assert [p.name for p in (out / "wandb_sweeps").iterdir()] == [f"load_id={sweep_load.load_id}"]
    sweeps = _read(out, "wandb_sweeps")
    assert sweeps.columns == [
        "entity", "project", "sweep_id", "fetched_at", "record", "config", "load_id",
    ]  # fmt: skip
    (row,) = sweeps.fetchall()
    assert row[2] == "sw1" and json.loads(row[5])["metric"] == {"name": "loss", "goal": "minimize"}
    fetches = _read(out, "wandb_artifact_fetches").fetchall()
    assert [(r[2], r[4], r[5], r[6]) for r in fetches] == [("r1", 1, 0, artifact_load.load_id)]
    (artifact_row,) = _read(out, "wandb_run_artifacts").fetchall()
    assert artifact_row[4:6] == ("used", "QXJ0") and str(BIG) in artifact_row[6]
    projects = _read(out, "wandb_projects").fetchall()
    assert [(r[0], r[1], r[4]) for r in projects] == [("lab", "p1", "L1")]
    assert [p.name for p in (out / "wandb_entity_listings").iterdir()] == ["listing_id=L1"]
    con = connect(warehouse, read_only=True)
    again = export_raw(con, out)
    con.close()
    assert again.exported == [] and again.entity_listings == 0
