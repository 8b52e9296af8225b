"""marts.run_progress and marts.timeout_progress on the bundled sample (runs + history)."""

from __future__ import annotations

import duckdb


def one(con: duckdb.DuckDBPyConnection, sql: str):  # type: ignore[no-untyped-def]
    (row,) = con.execute(sql).fetchall()
    return row if len(row) > 1 else row[0]


def test_one_progress_row_per_analysed_run(sample_con: duckdb.DuckDBPyConnection) -> None:
    assert one(sample_con, "select count(*) from marts.run_progress") == one(
        sample_con, "select count(*) from marts.runs"
    )
    # Every analysed run that logged anything has its history (one failed run logged none).
    assert one(sample_con, "select count(*) from marts.run_progress where history_rows = 0") == 1


def test_barely_progressed_finished_runs_are_flagged(sample_con: duckdb.DuckDBPyConnection) -> None:
    flagged, max_step = one(
        sample_con,
        """
        select count(*), max(last_step) from marts.run_progress
        where finished_without_progress
        """,
    )
    assert flagged == 5 and max_step <= 6


def test_every_running_run_is_stale_at_the_evening_load(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    # The 18:00 full refresh saw the same heartbeats as 09:00: none of the 54 "running"
    # runs (49 timed, 5 untimed) was alive; the least idle had been silent for hours.
    running, stale, least_idle = one(
        sample_con,
        """
        select count(*), count(*) filter (where stale_running), min(idle_seconds_at_snapshot)
        from marts.run_progress where state = 'running'
        """,
    )
    assert running == stale == 54
    assert least_idle > 9 * 3600


def test_timed_out_runs_stopped_at_their_limit(sample_con: duckdb.DuckDBPyConnection) -> None:
    timed_out, untimed, earliest = one(
        sample_con,
        """
        select
            count(*),
            count(*) filter (where not has_timeout),
            min(coalesce(runtime_seconds_history, runtime_seconds_summary))
        from marts.run_progress where likely_timed_out
        """,
    )
    assert timed_out > 0 and untimed == 0 and earliest >= 1800 - 120
    contradicting = one(
        sample_con,
        """
        select count(*) from marts.run_progress
        where state_contradicts_history and not (state = 'finished' and likely_timed_out)
        """,
    )
    assert contradicting == 0


def test_timeout_progress_adds_up(sample_con: duckdb.DuckDBPyConnection) -> None:
    rows = sample_con.execute(
        """
        select timeout_group, runs, progressed_runs, median_training_seconds
        from marts.timeout_progress order by timeout_group
        """
    ).fetchall()
    assert [(group, runs) for group, runs, _, _ in rows] == [("no_timeout", 135), ("timeout", 196)]
    no_timeout, timeout = rows
    # Timed runs train for at most their 30 minutes, untimed ones for hours.
    assert timeout[3] < 1800 < no_timeout[3]
    progressed = one(
        sample_con, "select count(*) from marts.run_progress where progressed_meaningfully"
    )
    assert no_timeout[2] + timeout[2] == progressed
