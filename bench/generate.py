"""Deterministic W&B-shaped JSONL (the README's interchange format) for the benchmark.

`python -m bench.generate --runs 100000` writes, under bench/data/:
- `runs_<N>.jsonl`: N runs over several projects of one entity, about 50 config keys
  ({key: {"value": .., "desc": null}}), 30 summary keys (NaN/Infinity included, the
  model_pretrain_* values as numeric strings, some compute values past 2^63), 5 tags from
  the 18-tag catalog (sometimes as one comma-joined string, as the old downloader wrote);
- `runs_<N>_changed.jsonl`: the same run ids for 1% of the runs, with a later heartbeat,
  new tags and state and a later fetched_at: the next sync of a live workspace, loaded
  with `--partial` (the other 99% did not change, so a sync does not fetch them again).

The lines are built by DuckDB SQL (vectorised, multi-threaded) from a hash of
(seed, run number, field), so the same arguments give byte-identical files; Python never
loops over runs. A million runs (about 3 GB) takes well under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

DATA_DIR = Path(__file__).resolve().parent / "data"
# Bump when the shape of the generated data changes (the file names carry it).
GENERATOR_VERSION = 1

ENTITY = "bench-lab"
PROJECTS = tuple(f"scale-{n:02d}" for n in range(8))
FIRST_DAY = "2025-08-21"  # the sample project's analysis scope starts here
SPAN_DAYS = 90
FETCHED_AT = "2025-11-20T00:00:00Z"
CHANGED_FETCHED_AT = "2025-11-21T06:00:00Z"
CHANGED_PERCENT = 1

TAGS = (
    "4M",
    "10M",
    "60M",
    "150M",
    "1mtx1",
    "1mtx10",
    "1mtx100",
    "10mtx1",
    "10mtx10",
    "100mt",
    "dclm-dolma",
    "dolma-qc",
    "finetune",
    "dpo_tune_cache",
    "hidden",
    "match_10M",
    "match_60M",
    "match_150M",
)
GROUPS = ("test_match_60M", "dclm_sweep", "dolma_qc_ablation", "dpo_cache", "finetune_base")
STATES = ("finished", "running", "crashed", "failed")
# FLOPs per pretraining step: 15000 steps -> 2887188480000000000 as in the original notes;
# above ~48k steps the compute passes 2^63.
FLOPS_PER_STEP = 192_479_232_000_000

CONFIG_KEYS = 50
SUMMARY_KEYS = 30


@dataclass(frozen=True)
class GeneratedFiles:
    base: Path
    changed: Path
    runs: int
    changed_runs: int


def _u(field: int) -> str:
    """A uniform number in [0, 1) for this run and field (deterministic)."""
    return f"(hash($seed, i, {field}) % 1000003) / 1000003.0"


def _pick(field: int, options: tuple[str, ...]) -> str:
    values = ", ".join(f"'{option}'" for option in options)
    return f"[{values}][1 + (hash($seed, i, {field}) % {len(options)})::int]"


def _config_entries() -> list[str]:
    """SQL expressions, each rendering one `"key": {"value": .., "desc": null}` pair."""

    def entry(key: str, value_sql: str, desc: str = "null") -> str:
        return f"""'"{key}": {{"value": ' || ({value_sql}) || ', "desc": {desc}}}'"""

    entries = [
        entry("learning_rate", f"round(0.0001 + {_u(101)} * 0.003, 6)::varchar"),
        entry("batch_size", "(16 * (1 + hash($seed, i, 102) % 16))::varchar"),
        entry("seed", "(hash($seed, i, 103) % 100000)::varchar"),
        entry("model_size", f"'\"' || {_pick(104, ('4M', '10M', '60M', '150M'))} || '\"'"),
        entry("dataset", f"'\"' || {_pick(105, ('dclm-dolma', 'dolma-qc', 'c4'))} || '\"'"),
        entry("warmup_steps", "(100 * (hash($seed, i, 106) % 50))::varchar"),
        entry("weight_decay", f"round({_u(107)} * 0.1, 4)::varchar"),
        entry("use_flash_attn", f"case when {_u(108)} < 0.7 then 'true' else 'false' end"),
        entry(
            "optimizer",
            """'{"name": "adamw", "betas": [0.9, 0.95], "eps": 1e-08}'""",
        ),
        entry("output_dir", "'\"/checkpoints/' || run_id || '\"'", desc='"where weights go"'),
    ]
    # Present in most runs: pretrain_steps (and its compute, a big integer past 2^63 for
    # long runs) and the 1800 s timeout (absent = no timeout).
    optional = [
        ("pretrain_steps", "has_pretrain", "pretrain_steps::varchar"),
        ("pretrain_compute", "has_pretrain", "(pretrain_steps::hugeint * $flops)::varchar"),
        ("timeout", "has_timeout", "'1800'"),
    ]
    for n in range(len(entries), CONFIG_KEYS - len(optional)):
        kind = n % 4
        if kind == 0:
            value = f"round({_u(200 + n)} * 10, 5)::varchar"
        elif kind == 1:
            value = f"(hash($seed, i, {200 + n}) % 5000)::varchar"
        elif kind == 2:
            value = f"'\"' || {_pick(200 + n, ('cosine', 'linear', 'constant', 'none'))} || '\"'"
        else:
            value = f"case when {_u(200 + n)} < 0.5 then 'true' else 'false' end"
        entries.append(entry(f"hparam_{n:02d}", value))
    parts = [
        f"case when {flag} then {entry(key, value)} || ', ' else '' end"
        for key, flag, value in optional
    ]
    return [*parts, " || ', ' || ".join(entries)]


def _summary_entries() -> list[str]:
    def entry(key: str, value_sql: str) -> str:
        return f"""'"{key}": ' || ({value_sql})"""

    entries = [
        entry("_runtime", "case when runtime_zero then '0' else round(runtime, 3)::varchar end"),
        entry("_step", "history_lines::varchar"),
        entry("_timestamp", "round(epoch(heartbeat_at), 3)::varchar"),
        entry("_wandb", """'{"runtime": ' || floor(runtime)::bigint::varchar || '}'"""),
        entry(
            "loss",
            f"case when {_u(301)} < 0.02 then 'NaN' else round(2 + {_u(302)} * 3, 6)::varchar end",
        ),
        entry(
            "grad_norm",
            f"case when {_u(303)} < 0.01 then 'Infinity' "
            f"when {_u(303)} < 0.015 then '-Infinity' else round({_u(304)} * 5, 6)::varchar end",
        ),
        entry("eval/perplexity", f"round(5 + {_u(305)} * 40, 4)::varchar"),
        entry("train/tokens", "(pretrain_steps::hugeint * 1048576)::varchar"),
    ]
    optional = [
        ("model_pretrain_steps", "has_model_pretrain", "'\"' || model_steps::varchar || '\"'"),
        (
            "model_pretrain_compute",
            "has_model_pretrain",
            "'\"' || (model_steps::hugeint * $flops)::varchar || '\"'",
        ),
    ]
    for n in range(len(entries), SUMMARY_KEYS - len(optional)):
        if n % 3 == 0:
            value = f"(hash($seed, i, {400 + n}) % 100000)::varchar"
        else:
            value = f"round({_u(400 + n)}, 6)::varchar"
        entries.append(entry(f"eval/task_{n:02d}/acc", value))
    parts = [
        f"case when {flag} then {entry(key, value)} || ', ' else '' end"
        for key, flag, value in optional
    ]
    return [*parts, " || ', ' || ".join(entries)]


def _tags_sql() -> str:
    """Five distinct catalogued tags; 3% of runs carry them as one comma-joined string."""
    picks = ", ".join(
        f"""'"' || tag_catalog[1 + ((tag_start + {k} * tag_step) % 18)::int] || '"'"""
        for k in range(5)
    )
    joined = ", ".join(
        f"""tag_catalog[1 + ((tag_start + {k} * tag_step) % 18)::int]""" for k in range(5)
    )
    return f"""
        case
            when not has_tags then '[]'
            when {_u(503)} < 0.03 then '["' || concat_ws(',', {joined}) || '"]'
            else '[' || concat_ws(', ', {picks}) || ']'
        end"""


def _query() -> str:
    tag_catalog = ", ".join(f"'{tag}'" for tag in TAGS)
    projects = ", ".join(f"'{project}'" for project in PROJECTS)
    config_sql = " || ".join(_config_entries())
    summary_sql = " || ".join(_summary_entries())
    return f"""
with
base as (
    select
        i,
        [{tag_catalog}] as tag_catalog,
        [{projects}][1 + (i % {len(PROJECTS)})::int] as project,
        lower(printf('%08x', (i * 2654435761) % 4294967296)) as run_id,
        timestamptz '{FIRST_DAY} 00:00:00+00'
            + to_seconds((hash($seed, i, 1) % ({SPAN_DAYS} * 86400))::bigint) as created_at,
        {_u(2)} < 0.6 as has_timeout,
        {_u(3)} < 0.7 as has_pretrain,
        {_u(4)} < 0.6 as has_model_pretrain,
        {_u(5)} < 0.9 as has_tags,
        {_u(6)} < 0.05 as runtime_zero,
        (1000 * (5 + hash($seed, i, 7) % 95))::bigint as pretrain_steps,
        {_u(8)} < 0.9 as steps_agree,
        {_u(9)} < $changed_fraction as is_changed,
        {_pick(10, GROUPS)} as experiment_group,
        hash($seed, i, 501) % 18 as tag_start,
        -- steps coprime to 18 make the five picks distinct
        [1, 5, 7, 11, 13, 17][1 + (hash($seed, i, 502) % 6)::int] as tag_step,
        {_u(11)} as state_draw
    from range($runs) as r(i)
),
versioned as (
    select
        *,
        $version = 2 and is_changed as bumped,
        case when steps_agree then pretrain_steps else pretrain_steps * 2 - 99 end
            as model_steps,
        case
            when $version = 2 and is_changed then 'finished'
            when has_timeout then case
                when state_draw < 0.68 then 'finished' when state_draw < 0.93 then 'running'
                when state_draw < 0.97 then 'crashed' else 'failed' end
            else case
                when state_draw < 0.86 then 'finished' when state_draw < 0.90 then 'running'
                when state_draw < 0.99 then 'crashed' else 'failed' end
        end as state,
        60 + (hash($seed, i, 12) % 7200000) / 1000.0 + case when $version = 2 and is_changed
            then 3600 else 0 end as runtime
    from base
),
shaped as (
    select
        *,
        created_at + to_seconds(floor(runtime)::bigint) as heartbeat_at,
        (runtime // 2)::bigint as history_lines,
        case when bumped then '"{CHANGED_FETCHED_AT}"' else '"{FETCHED_AT}"' end as fetched_at
    from versioned
    where $version = 1 or is_changed
),
lines as (
    select
        i,
        '{{"entity": "{ENTITY}", "project": "' || project || '", "fetched_at": '
        || fetched_at
        || ', "name": "' || run_id
        || '", "displayName": "' || strftime(created_at, '%y%m%d-%H%M%S') || '_'
        || experiment_group || '_' || substr(run_id, 1, 1)
        || '", "state": "' || state
        || '", "tags": ' || case
            when bumped and has_tags then replace({_tags_sql()}, '[', '["hidden", ')
            when bumped then '["hidden"]'
            else {_tags_sql()} end
        || ', "group": "' || experiment_group
        || '", "jobType": "train", "createdAt": "'
        || strftime(created_at, '%Y-%m-%dT%H:%M:%SZ')
        || '", "heartbeatAt": "' || strftime(heartbeat_at, '%Y-%m-%dT%H:%M:%SZ')
        || '", "historyLineCount": ' || history_lines::varchar
        || ', "config": {{' || {config_sql} || '}}'
        || ', "summaryMetrics": {{' || {summary_sql} || '}}}}' as line
    from shaped
)
select line from lines
"""


def file_names(runs: int, seed: int) -> tuple[Path, Path]:
    stem = f"runs_{runs}_s{seed}_v{GENERATOR_VERSION}"
    return DATA_DIR / f"{stem}.jsonl", DATA_DIR / f"{stem}_changed.jsonl"


def _write(con: duckdb.DuckDBPyConnection, path: Path, params: dict[str, object]) -> None:
    tmp = path.with_suffix(".jsonl.tmp")
    query = _query()
    for name, value in params.items():
        query = query.replace(f"${name}", str(value))
    # CSV without quoting, escaping or a delimiter that occurs: one JSON document a line.
    con.execute(
        f"copy ({query}) to '{tmp}' "
        "(format csv, header false, quote '', escape '', delimiter '\x01')"
    )
    tmp.rename(path)


def generate(runs: int, seed: int = 42, *, force: bool = False) -> GeneratedFiles:
    """Write (or reuse) the base and the 1%-changed files for `runs` runs."""
    base, changed = file_names(runs, seed)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    params: dict[str, object] = {
        "seed": seed,
        "runs": runs,
        "flops": FLOPS_PER_STEP,
        "changed_fraction": CHANGED_PERCENT / 100,
    }
    if force or not base.exists():
        _write(con, base, {**params, "version": 1})
    if force or not changed.exists():
        _write(con, changed, {**params, "version": 2})
    (changed_runs,) = con.execute(
        "select count(*) from read_json_objects(?, format = 'newline_delimited')",
        [str(changed)],
    ).fetchone()
    con.close()
    return GeneratedFiles(base, changed, runs, changed_runs)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            sha.update(block)
    return sha.hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    args = parser.parse_args(argv)
    for runs in args.runs:
        started = time.perf_counter()
        files = generate(runs, args.seed, force=args.force)
        elapsed = time.perf_counter() - started
        size_mb = files.base.stat().st_size / 1e6
        print(
            json.dumps(
                {
                    "runs": runs,
                    "file": str(files.base),
                    "megabytes": round(size_mb, 1),
                    "changed_runs": files.changed_runs,
                    "seconds": round(elapsed, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
