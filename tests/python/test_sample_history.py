"""The bundled sample's history: deterministic, and consistent with the runs it follows."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from extract.errors import UserError
from extract.load.history import HistoryLoad
from extract.load.runs import load_file
from extract.sample import generate_history
from extract.sample.files import load_order, sample_files
from extract.warehouse.database import connect, ensure_raw_schema

PROGRESS = """
create temp table progress as
with runs as (
    select
        run_id,
        record ->> 'state' as state,
        (record ->> 'historyLineCount')::bigint as line_count,
        (record -> 'summaryMetrics' ->> '_step')::bigint as summary_step,
        try_cast(record -> 'summaryMetrics' ->> '_runtime' as double) as summary_runtime,
        try_cast(record -> 'config' -> 'timeout' ->> 'value' as double) as timeout,
        (record -> 'config' -> 'max_train_steps' ->> 'value')::bigint as target_steps
    from raw.wandb_runs
    qualify row_number() over (partition by run_id order by fetched_at desc) = 1
),
history as (
    select run_id, count(*) as rows, max(step) as last_step, max(runtime) as last_runtime,
        max(logged_at) as last_logged_at
    from raw.wandb_history
    group by run_id
)
select * from runs left join history using (run_id)
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path_factory.mktemp("sample_history") / "w.duckdb")
    ensure_raw_schema(connection)
    for path in load_order():
        load_file(connection, path)
    connection.execute(PROGRESS)
    yield connection
    connection.close()


def history_file() -> Path:
    (path,) = (p for p in load_order() if p.name == generate_history.HISTORY_FILE)
    return path


def test_history_file_loads_after_the_runs_and_is_not_a_run_file() -> None:
    names = [path.name for path in load_order()]
    assert names.index(generate_history.HISTORY_FILE) == len(sample_files())
    assert generate_history.HISTORY_FILE not in [path.name for path in sample_files()]


def test_regenerating_gives_byte_identical_history(tmp_path: Path) -> None:
    committed = history_file()
    (tmp_path / generate_history.FULL_REFRESH_FILE).write_bytes(
        (committed.parent / generate_history.FULL_REFRESH_FILE).read_bytes()
    )
    fresh = generate_history.write_history(tmp_path)
    assert fresh.read_bytes() == committed.read_bytes()
    assert fresh.stat().st_size < 2_000_000


def test_history_load_reports_rows(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(con)
    (load,) = load_file(con, history_file())
    assert isinstance(load, HistoryLoad)
    with gzip.open(history_file(), "rt") as handle:
        assert load.rows == sum(1 for _ in handle)
    (snapshot,) = con.execute(
        "select snapshot_at from raw.wandb_loads where load_id = ?", [load.load_id]
    ).fetchone()
    assert snapshot.isoformat() < "2025-09-10T09:00"
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str):  # type: ignore[no-untyped-def]
    (row,) = con.execute(sql).fetchall()
    return row if len(row) > 1 else row[0]


def test_every_run_with_history_ends_at_its_summary_step(con) -> None:  # type: ignore[no-untyped-def]
    assert _one(con, "select count(*) from progress where line_count > 0 and rows is null") == 0
    assert _one(con, "select count(*) from progress where line_count = 0 and rows > 0") == 0
    assert _one(con, "select count(*) from progress where last_step <> summary_step") == 0
    assert _one(con, "select count(*) from progress where last_step <> line_count - 1") == 0
    assert _one(con, "select max(rows) from progress") <= generate_history.ROWS_PER_RUN


def test_finished_runs_reach_their_target_but_a_few_barely_progressed(con) -> None:  # type: ignore[no-untyped-def]
    reached, barely = _one(
        con,
        """
        select
            count(*) filter (where last_step = target_steps),
            count(*) filter (where last_step <= 6)
        from progress where state = 'finished'
        """,
    )
    assert reached > 150
    assert 3 <= barely <= 10


def test_crashed_and_failed_runs_stop_early(con) -> None:  # type: ignore[no-untyped-def]
    assert (
        _one(
            con,
            """
            select count(*) from progress
            where state in ('crashed', 'failed') and last_step >= target_steps
            """,
        )
        == 0
    )


def test_timed_runs_stop_near_their_timeout(con) -> None:  # type: ignore[no-untyped-def]
    near, over = _one(
        con,
        """
        select
            count(*) filter (where last_runtime between timeout - 60 and timeout + 60),
            count(*) filter (where last_runtime > timeout + 60)
        from progress where timeout is not null
        """,
    )
    assert near >= 10
    assert over == 0


def test_running_runs_log_before_the_snapshot(con) -> None:  # type: ignore[no-untyped-def]
    latest = _one(con, "select max(last_logged_at) from progress where state = 'running'")
    assert latest.isoformat() < "2025-09-10T09:00"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"entity": "e", "project": "p", "_step": 1}', "needs entity, project, run_id"),
        ('{"entity": "e", "project": "p", "run_id": "r", "_step": "x"}', "integer `_step`"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not JSON"),
    ],
)
def test_bad_history_lines_are_one_line_errors_and_load_nothing(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "h.jsonl"
    good = '{"entity": "e", "project": "p", "run_id": "r", "_step": 0}'
    path.write_text(f"{good}\n{line}\n")
    con = connect(tmp_path / "w.duckdb")
    ensure_raw_schema(con)
    with pytest.raises(UserError) as error:
        load_file(con, path)
    assert str(error.value).startswith(f"{path}:2: ") and message in str(error.value)
    assert con.execute("select count(*) from raw.wandb_history").fetchone() == (0,)
    assert con.execute("select count(*) from raw.wandb_loads").fetchone() == (0,)
    con.close()
