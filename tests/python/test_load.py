"""`wandb-warehouse load`: exact values, idempotency, deletions, and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extract.errors import UserError
from extract.load.runs import load_file
from extract.warehouse.database import connect, ensure_raw_schema
from extract.warehouse.files import Warehouse

BIG = 123456789012345678901234  # past 2^63: must stay exact


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def run_line(run_id: str, project: str = "p", **fields: object) -> str:
    record = {
        "entity": "e",
        "project": project,
        "name": run_id,
        "fetched_at": fields.pop("fetched_at", "2025-09-10T09:00:00Z"),
        "state": "finished",
        "tags": ["4M"],
        **fields,
    }
    return json.dumps(record)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(connection)
    yield connection
    connection.close()


def test_wire_strings_keep_nan_big_ints_and_nulls(con, tmp_path):
    summary = '{"loss": NaN, "up": Infinity, "down": -Infinity, "flops": ' + str(BIG) + "}"
    config = '{"timeout": {"value": null, "desc": null}, "lr": {"value": 0.1}}'
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [run_line("r1", config=config, summaryMetrics=summary)],
    )
    load_file(con, path)
    row = con.execute(
        """
        select
            (record ->> '$.summaryMetrics.loss')::double,
            (record ->> '$.summaryMetrics.down')::double,
            (record ->> '$.summaryMetrics.flops')::hugeint,
            (record -> '$.config.timeout')::varchar,
            fetch_kind,
            record ->> 'state'
        from raw.wandb_runs
        """
    ).fetchone()
    assert row[0] != row[0]  # NaN
    assert row[1] == float("-inf")
    assert row[2] == BIG
    assert row[3] == '{"value":null,"desc":null}'
    assert row[4:] == ("full", "finished")


def test_same_file_twice_is_a_no_op_and_changes_are_counted(con, tmp_path):
    first = write_jsonl(tmp_path / "1.jsonl", [run_line("r1"), run_line("r2")])
    assert [p.new for p in load_file(con, first)] == [2]
    assert load_file(con, first) == []
    second = write_jsonl(
        tmp_path / "2.jsonl",
        [
            run_line("r1", fetched_at="2025-09-11T00:00:00Z"),
            run_line("r2", fetched_at="2025-09-11T00:00:00Z", tags=["4M", "hidden"]),
        ],
    )
    (result,) = load_file(con, second)
    assert (result.new, result.changed) == (0, 1)
    assert con.execute("select count(*) from raw.wandb_runs").fetchone()[0] == 4


def test_same_content_under_another_name_is_rolled_back(con, tmp_path):
    """A new path is hashed while DuckDB parses it; known content leaves nothing behind."""
    first = write_jsonl(tmp_path / "1.jsonl", [run_line("r1"), run_line("r2")])
    load_file(con, first)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(first.read_bytes())
    assert load_file(con, copy) == []
    assert con.execute("select count(*) from raw.wandb_runs").fetchone()[0] == 2
    assert con.execute("select count(*) from raw.wandb_loads").fetchone()[0] == 1
    (forced,) = load_file(con, copy, force=True)
    assert forced.runs == 2


def test_absent_run_counts_as_deleted_unless_partial(con, tmp_path):
    load_file(con, write_jsonl(tmp_path / "1.jsonl", [run_line("r1"), run_line("r2")]))
    later = [run_line("r1", fetched_at="2025-09-12T00:00:00Z")]
    load_file(con, write_jsonl(tmp_path / "2.jsonl", later), partial=True)
    load_file(con, write_jsonl(tmp_path / "3.jsonl", later), force=True)
    load_file(con, write_jsonl(tmp_path / "4.jsonl", later), force=True)
    rows = con.execute(
        "select listing_complete, deleted from raw.wandb_loads order by started_at"
    ).fetchall()
    # r2 is counted once, when it first goes missing from a complete listing.
    assert rows == [(True, 0), (False, 0), (True, 1), (True, 0)]


def test_same_run_id_in_two_projects_is_two_runs(con, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [run_line("r1", "p1"), run_line("r1", "p2")])
    assert sorted((p.project, p.runs) for p in load_file(con, path)) == [("p1", 1), ("p2", 1)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"entity": "e", "project": "p", "name": oops}'], "not a JSONL file"),
        (['{"entity": "e", "project": "p"}'], "have no `name`"),
        (["[1, 2]"], "not JSON objects"),
        ([run_line("r1", fetched_at="yesterday")], "not ISO-8601"),
        ([run_line("r1"), run_line("r1")], "appears twice"),
        ([run_line("r1", config='{"broken": ')], "not a JSONL file"),
    ],
)
def test_bad_input_is_one_line_and_loses_nothing(con, tmp_path, lines, message):
    load_file(con, write_jsonl(tmp_path / "good.jsonl", [run_line("r0")]))
    with pytest.raises(UserError, match=message) as caught:
        load_file(con, write_jsonl(tmp_path / "bad.jsonl", lines))
    assert "\n" not in str(caught.value)
    assert con.execute("select count(*) from raw.wandb_runs").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.wandb_loads").fetchone()[0] == 1


def test_load_waits_for_a_shell_holding_an_old_warehouse_then_names_it(tmp_path):
    # A warehouse file from before publishing, held read-write by a shell: `load` adopts
    # its raw layer, so it waits for the shell, then says who holds the file.
    db = tmp_path / "w.duckdb"
    path = write_jsonl(tmp_path / "a.jsonl", [run_line("r1")])
    lock_holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert lock_holder.stdout.readline().strip() == "ready"
        result = subprocess.run(
            [sys.executable, "-m", "extract.cli", "load", "--db", str(db), str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "WANDB_WAREHOUSE_LOCK_WAIT": "1"},
        )
    finally:
        lock_holder.kill()
        lock_holder.wait()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    waiting, error = result.stderr.strip().splitlines()
    assert waiting.startswith(f"waiting up to 1 s for w.duckdb: locked by PID {lock_holder.pid}")
    assert error.startswith("wandb-warehouse: error: ")
    assert f"locked by PID {lock_holder.pid}" in error


def sweep_line(name: str, state: str = "FINISHED", **fields: object) -> str:
    node = {
        "entity": "e", "project": "p", "fetched_at": "2025-09-10T18:00:00Z",
        "__typename": "Sweep", "name": name, "method": "bayes", "state": state,
        "config": "method: bayes\nmetric:\n  goal: maximize\n  name: eval/accuracy\n",
        "runCount": 3, **fields,
    }  # fmt: skip
    return json.dumps(node)


def test_a_sweeps_file_loads_with_its_yaml_config_parsed(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [sweep_line("s1"), sweep_line("s2", "RUNNING")])
    (load,) = load_file(con, path)
    assert (load.kind, load.entity, load.project, load.items) == ("sweeps", "e", "p", 2)
    rows = con.execute(
        "select sweep_id, config->>'$.metric.goal', record->>'config' like 'method: bayes%' "
        "from raw.wandb_sweeps order by 1"
    ).fetchall()
    assert rows == [("s1", "maximize", True), ("s2", "maximize", True)]
    ledger = con.execute(
        "select mode, listing_complete, listed, new, changed, snapshot_at::varchar "
        "from raw.wandb_loads"
    ).fetchall()
    assert ledger == [("file", False, 2, 2, 0, "2025-09-10 18:00:00+00")]
    assert load_file(con, path) == []  # the same file again: a no-op
    later = write_jsonl(
        tmp_path / "s2.jsonl",
        [sweep_line("s1", fetched_at="2025-09-11T00:00:00Z"),
         sweep_line("s2", "FINISHED", fetched_at="2025-09-11T00:00:00Z")],
    )  # fmt: skip
    (second,) = load_file(con, later)
    assert con.execute(
        "select new, changed from raw.wandb_loads where load_id = ?", [second.load_id]
    ).fetchall() == [(0, 1)]


def test_an_artifacts_file_loads_fetches_and_versions(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    node = {"id": "A1", "versionIndex": 0, "artifactType": {"name": "dataset"}}
    lines = [
        json.dumps({"entity": "e", "project": "p", "run_id": "r1", "usedArtifacts": [node],
                    "loggedArtifacts": [{**node, "id": "A2"}],
                    "fetched_at": "2025-09-10T18:00:00Z"}),
        json.dumps({"entity": "e", "project": "p", "name": "r2", "usedArtifacts": [],
                    "loggedArtifacts": [], "fetched_at": "2025-09-10T18:00:00Z"}),
    ]  # fmt: skip
    (load,) = load_file(con, write_jsonl(tmp_path / "a.jsonl", lines))
    assert (load.kind, load.items, load.versions) == ("artifacts", 2, 2)
    assert con.execute(
        "select run_id, used_count, logged_count from raw.wandb_artifact_fetches order by 1"
    ).fetchall() == [("r1", 1, 1), ("r2", 0, 0)]
    assert con.execute(
        "select direction, artifact_id from raw.wandb_run_artifacts order by 1"
    ).fetchall() == [("logged", "A2"), ("used", "A1")]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([sweep_line("s1"), run_line("r1")], ":2: not a sweeps line"),
        ([sweep_line("s1", project="")], ":1: a line needs `project`"),
        ([sweep_line("s1", fetched_at="yesterday")], ":1: `fetched_at` is not ISO-8601"),
        ([sweep_line("s1"), sweep_line("s1", "RUNNING")], "appears twice with the same fetched_at"),
        ([json.dumps({"entity": "e", "project": "p", "usedArtifacts": []})], "needs `run_id`"),
        (
            [json.dumps({"entity": "e", "project": "p", "run_id": "r", "usedArtifacts": {}})],
            "must be lists",
        ),
    ],
)
def test_bad_sweep_or_artifact_lines_are_one_line_errors(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        load_file(con, write_jsonl(tmp_path / "bad.jsonl", lines))
    assert con.execute("select count(*) from raw.wandb_loads").fetchone() == (0,)


def test_a_bad_later_file_says_which_files_are_committed(tmp_path: Path, capsys) -> None:
    from extract.cli import main

    db = tmp_path / "w.duckdb"
    good = write_jsonl(tmp_path / "a.jsonl", [run_line("r1")])
    bad = write_jsonl(tmp_path / "b.jsonl", ['{"entity": "e", "project": "q"}'])
    later = write_jsonl(tmp_path / "c.jsonl", [run_line("r2", project="q")])
    assert main(["load", "--db", str(db), str(good), str(bad), str(later)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{good}: e/p: 1 runs")
    assert err == (
        f"wandb-warehouse: error: {bad}: 1 run(s) have no `name` (committed: {good}; "
        f"not loaded: {bad}, {later}; each file commits on its own: once fixed, load the "
        "files not loaded)\n"
    )
    con = duckdb.connect(str(Warehouse(db).raw_store), read_only=True)
    try:
        assert con.execute(
            "select project, count(*) from raw.wandb_runs group by 1"
        ).fetchall() == [("p", 1)]
    finally:
        con.close()
    # One file: the error as it was.
    assert main(["load", "--db", str(db), str(bad)]) == 1
    assert capsys.readouterr().err == f"wandb-warehouse: error: {bad}: 1 run(s) have no `name`\n"
