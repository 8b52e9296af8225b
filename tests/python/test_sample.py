"""The bundled sample: reproducible byte for byte, and it holds the original analysis' figures.

The figures are asserted with plain SQL on the raw layer (latest version of each run), so
they hold before any dbt model exists and pin down what the marts must reproduce.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from extract.load.runs import load_file
from extract.sample import generate_runs
from extract.sample.files import sample_files
from extract.warehouse.database import connect, ensure_raw_schema

OLD_FILE, REFRESH_FILE = (
    generate_runs.OLD_DOWNLOADER_FILE,
    generate_runs.FULL_REFRESH_FILE,
)

# The latest version of each run, with the fields the figures need.
LATEST_RUNS = """
create temp view runs as
with latest as (
    select record
    from raw.wandb_runs
    qualify row_number() over (
        partition by entity, project, run_id order by fetched_at desc
    ) = 1
)
select
    record ->> 'name' as run_id,
    record ->> 'state' as state,
    record ->> 'group' as experiment_group,
    (record ->> 'createdAt')::timestamptz as created_at,
    (record ->> 'createdAt') >= '2025-08-21' as analysed,
    record -> '$.config.timeout.value' as timeout,
    (record ->> '$.config.pretrain_steps.value')::hugeint as pretrain_steps,
    (record ->> '$.summaryMetrics.model_pretrain_steps')::hugeint as model_pretrain_steps,
    (record ->> '$.config.pretrain_compute.value')::hugeint as pretrain_compute,
    (record ->> '$.summaryMetrics.model_pretrain_compute')::hugeint as model_pretrain_compute,
    json_type(record -> '$.summaryMetrics.model_pretrain_steps') as model_steps_type,
    (record ->> '$.summaryMetrics._runtime')::double as runtime,
    (record ->> '$.summaryMetrics._step')::bigint as last_step,
    (record ->> 'historyLineCount')::bigint as history_lines,
    (record ->> '$.config.max_train_steps.value')::bigint as max_train_steps,
    record
from latest
"""

# One row per run and tag, comma-joined tag strings split, duplicates removed.
RUN_TAGS = """
create temp view run_tags as
select distinct run_id, trim(part) as tag
from (
    select run_id, unnest(string_split(tag, ',')) as part
    from (
        select run_id, unnest(from_json(record -> 'tags', '["VARCHAR"]')) as tag
        from runs
    )
)
where trim(part) <> ''
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    db = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    connection = connect(db)
    ensure_raw_schema(connection)
    files = sample_files()
    assert [f.name for f in files] == [OLD_FILE, REFRESH_FILE]
    for path in files:
        (load,) = load_file(connection, path)
        assert load.runs == 334
    connection.execute(LATEST_RUNS)
    connection.execute(RUN_TAGS)
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _count(con: duckdb.DuckDBPyConnection, where: str) -> int:
    """How many runs (latest version) match `where`."""
    (row,) = con.execute(f"select count(*) from runs where {where}").fetchall()
    return row[0]


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    (row,) = con.execute(sql).fetchall()
    return row if len(row) > 1 else row[0]


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    written = generate_runs.write_sample(tmp_path)
    committed = {path.name: path for path in sample_files()}
    assert sorted(p.name for p in written) == sorted(committed)
    for path in written:
        fresh, kept = path.read_bytes(), committed[path.name].read_bytes()
        assert gzip.decompress(fresh) == gzip.decompress(kept), f"{path.name}: content differs"
        assert fresh == kept, f"{path.name}: same content, different gzip bytes"


def test_scope_runs_and_identity(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "select count(*), count(distinct run_id) from runs") == (334, 334)
    assert _one(con, "select count(*) filter (where not analysed) from runs") == 3
    assert _count(con, "not regexp_full_match(run_id, '[a-z0-9]{8}')") == 0
    # Display names carry the lab's local clock (UTC-7): 2025-09-05 04:59:42 UTC.
    first_divergent = (
        "(record ->> 'displayName') like '250904-215942_test_match_60M_f%' "
        "and (record ->> 'createdAt') = '2025-09-05T04:59:42Z'"
    )
    assert _count(con, first_divergent) == 1
    entities = _rows(con, "select distinct record ->> 'entity', record ->> 'project' from runs")
    assert entities == [("datadecide-lab", "ft-small-lm")]


def test_pretrain_overlap(con: duckdb.DuckDBPyConnection) -> None:
    overlap = """
        select
            count(*) filter (where pretrain_steps is not null and model_pretrain_steps is not null),
            count(*) filter (where pretrain_steps = model_pretrain_steps),
            count(*) filter (
                where pretrain_compute is not null and model_pretrain_compute is not null),
            count(*) filter (where pretrain_compute = model_pretrain_compute)
        from runs where {scope}
    """
    assert _one(con, overlap.format(scope="analysed")) == (21, 19, 21, 19)
    # Forgetting the scope rule changes the figures.
    assert _one(con, overlap.format(scope="true")) == (24, 21, 24, 21)
    assert _count(con, "model_pretrain_steps is not null and model_steps_type <> 'VARCHAR'") == 0
    divergent = _rows(
        con,
        """
        select state, experiment_group, created_at::date::varchar, pretrain_steps,
               model_pretrain_steps, pretrain_compute, model_pretrain_compute
        from runs
        where analysed and (pretrain_steps <> model_pretrain_steps
            or pretrain_compute <> model_pretrain_compute)
        order by pretrain_steps desc
        """,
    )
    assert len(divergent) == 2
    assert divergent[0] == (
        "running",
        "test_match_60M",
        "2025-09-05",
        15000,
        29901,
        2887188480000000000,
        5755321516032000000,
    )
    state, group, created, steps, model_steps, _, _ = divergent[1]
    assert (state, group, created) == ("running", "test_match_60M", "2025-09-05")
    assert 1.8 < model_steps / steps < 2.2
    # Runs with only the config pair exist too.
    config_only = "analysed and pretrain_steps is not null and model_pretrain_steps is null"
    assert _count(con, config_only) > 0


def test_timeout_by_state(con: duckdb.DuckDBPyConnection) -> None:
    assert _rows(con, "select distinct timeout::varchar from runs order by 1 nulls first") == [
        (None,),
        ("1800",),
        ("null",),
    ]
    counts = _rows(
        con,
        """
        select coalesce(timeout::varchar = '1800', false) as timed, state, count(*)
        from runs where analysed group by all order by timed desc, state
        """,
    )
    assert counts == [
        (True, "crashed", 8),
        (True, "failed", 6),
        (True, "finished", 133),
        (True, "running", 49),
        (False, "crashed", 13),
        (False, "failed", 1),
        (False, "finished", 116),
        (False, "running", 5),
    ]
    assert _count(con, "(record -> 'config') = '{}'::json") == 1


def test_tag_prevalence(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        """
        select
            tag,
            count(*) filter (where timeout::varchar = '1800') as timed,
            count(*) filter (where timeout is null or timeout::varchar = 'null') as untimed
        from run_tags join runs using (run_id)
        where analysed
        group by tag
        """,
    )
    prevalence = {tag: (timed, untimed) for tag, timed, untimed in rows}
    expected = {
        "dclm-dolma": (84, 121),
        "dolma-qc": (70, 93),
        "60M": (28, 0),
        "10M": (24, 0),
        **{m: (16, 0) for m in ("1mtx1", "1mtx10", "1mtx100", "10mtx1", "10mtx10", "100mt")},
    }
    for tag, figures in expected.items():
        assert prevalence[tag] == figures, tag
    catalog = {
        *("4M", "10M", "60M", "150M"),
        *("1mtx1", "1mtx10", "1mtx100", "10mtx1", "10mtx10", "100mt"),
        *("dclm-dolma", "dolma-qc", "finetune", "dpo_tune_cache", "hidden"),
        *("match_10M", "match_60M", "match_150M"),
    }
    all_tags = {tag for (tag,) in _rows(con, "select distinct tag from run_tags")}
    assert all_tags == catalog
    assert _one(con, "select count(distinct run_id) from run_tags") == 334
    comma_joined = _one(
        con,
        "select count(*) from runs where json_array_length(record -> 'tags') > 0 "
        "and list_contains(list_transform(from_json(record -> 'tags', '[\"VARCHAR\"]'), "
        "t -> t like '%,%'), true)",
    )
    assert comma_joined == 5


def test_old_downloader_lost_late_tags(con: duckdb.DuckDBPyConnection) -> None:
    coverage = _rows(
        con,
        """
        select
            (record ->> 'createdAt') >= '2025-09-01' as recent,
            count(*) as runs,
            count(*) filter (where json_array_length(record -> 'tags') > 0) as tagged
        from raw.wandb_runs
        where fetched_at = (select min(fetched_at) from raw.wandb_runs)
        group by recent order by recent
        """,
    )
    assert coverage == [(False, 126, 126), (True, 208, 73)]
    # Every running run kept its tags: the old downloader refreshed unfinished runs.
    untagged_running = _one(
        con,
        """
        select count(*) from raw.wandb_runs
        where fetched_at = (select min(fetched_at) from raw.wandb_runs)
            and (record ->> 'state') = 'running' and json_array_length(record -> 'tags') = 0
        """,
    )
    assert untagged_running == 0


def test_loads_differ_only_in_tags() -> None:
    loads = []
    for path in sample_files():
        with gzip.open(path, "rt") as handle:
            loads.append([json.loads(line) for line in handle])
    old, refresh = loads
    assert [r["name"] for r in old] == [r["name"] for r in refresh]
    assert all(isinstance(r["config"], str) for r in old)
    assert all(isinstance(r["config"], dict) for r in refresh)
    for before, after in zip(old, refresh, strict=True):
        before = {
            **before,
            "config": json.loads(before["config"]),
            "summaryMetrics": json.loads(before["summaryMetrics"]),
        }
        for record in (before, after):
            del record["tags"], record["fetched_at"]
        assert json.dumps(before) == json.dumps(after)


def test_summary_oddities_survive(con: duckdb.DuckDBPyConnection) -> None:
    odd = _one(
        con,
        """
        select count(distinct run_id) from (
            select run_id, unnest(json_keys(record -> 'summaryMetrics')) as key, record
            from runs
        )
        where record ->> ('$.summaryMetrics."' || key || '"')
            in ('NaN', 'Infinity', '-Infinity')
        """,
    )
    assert odd == 4
    huge = _rows(
        con,
        """
        select (record ->> '$.summaryMetrics.total_flops')::hugeint
        from runs
        where (record ->> '$.summaryMetrics.total_flops')::hugeint > 9223372036854775807
        order by 1
        """,
    )
    assert huge == [(98765432109876543210,), (123456789012345678901234,)]
    assert _count(con, "runtime is null") == 3


def test_runtime_and_progress_are_consistent(con: duckdb.DuckDBPyConnection) -> None:
    timed = "timeout::varchar = '1800'"
    assert _one(con, f"select max(runtime) from runs where {timed}") <= 1860
    finished_timed, near_timeout = _one(
        con,
        f"""
        select count(*), count(*) filter (where runtime between 1740 and 1860)
        from runs where {timed} and state = 'finished'
        """,
    )
    assert near_timeout > finished_timed / 4
    assert _one(con, f"select max(runtime) from runs where not ({timed})") > 4 * 3600
    # heartbeatAt is createdAt plus the runtime, give or take a heartbeat.
    heartbeat_gap = "epoch((record ->> 'heartbeatAt')::timestamptz) - epoch(created_at) - runtime"
    assert _count(con, f"abs({heartbeat_gap}) > 60") == 0
    assert _count(con, "history_lines <> coalesce(last_step + 1, 0)") == 0
    finished = _rows(
        con,
        """
        select last_step::double / max_train_steps as progress
        from runs where state = 'finished' and max_train_steps is not null
        """,
    )
    barely = [p for (p,) in finished if p < 0.05]
    assert 1 <= len(barely) <= 10
    assert _count(con, "state in ('crashed', 'failed') and last_step >= max_train_steps") == 0
