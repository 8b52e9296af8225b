"""`wandb-warehouse load FILE`: import a W&B-shaped JSONL export into the raw layer.

Parsing happens inside DuckDB (`read_json_objects`), so a million-run file loads without a
Python loop over rows; NaN/Infinity and integers past 2^63 survive because DuckDB's JSON
type keeps numbers as written. Each (entity, project) in the file becomes one load in the
ledger, and the file counts as a complete listing of those projects unless `partial`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.ledger import LoadCounts, finish_load, new_id, start_load

REQUIRED_FIELDS = ("entity", "project", "name")


@dataclass
class ProjectLoad:
    entity: str
    project: str
    load_id: str
    runs: int
    new: int
    changed: int


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stage_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Parse the file into temp table `incoming`, normalising config/summary to objects."""
    con.execute("drop table if exists incoming")
    try:
        con.execute(
            """
            create temp table incoming as
            with lines as (
                select json as rec from read_json_objects(?, format = 'newline_delimited')
            ),
            flagged as (
                select
                    rec,
                    json_type(rec -> 'config') = 'VARCHAR'
                    or json_type(rec -> 'summaryMetrics') = 'VARCHAR' as has_wire_strings
                from lines
            ),
            rest as (
                select
                    rec,
                    has_wire_strings,
                    case when has_wire_strings then json_merge_patch(
                        rec, '{"config": null, "summaryMetrics": null}'
                    )::varchar end as others
                from flagged
            ),
            normalised as (
                -- Splice the parsed objects in as text: a JSON merge patch would drop
                -- every null member (`"desc": null`, `"timeout": {"value": null}`).
                select
                    case
                        when has_wire_strings then json('{' || concat_ws(
                            ',',
                            '"config":' || case json_type(rec -> 'config')
                                when 'VARCHAR' then json(rec ->> 'config')::varchar
                                else (rec -> 'config')::varchar
                            end,
                            '"summaryMetrics":' || case json_type(rec -> 'summaryMetrics')
                                when 'VARCHAR' then json(rec ->> 'summaryMetrics')::varchar
                                else (rec -> 'summaryMetrics')::varchar
                            end,
                            nullif(substr(others, 2, length(others) - 2), '')
                        ) || '}')
                        else rec
                    end as record
                from rest
            )
            select
                record ->> 'entity' as entity,
                record ->> 'project' as project,
                record ->> 'name' as run_id,
                try_cast(record ->> 'fetched_at' as timestamptz) as fetched_at,
                record ->> 'fetched_at' as fetched_at_text,
                case
                    when json_exists(record, '$.config')
                        or json_exists(record, '$.summaryMetrics') then 'full'
                    else 'light'
                end as fetch_kind,
                json_type(record) as record_type,
                record
            from normalised
            """,
            [str(path)],
        )
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0].replace("Invalid Input Error: ", "")
        raise UserError(f"{path}: not a JSONL file of W&B runs ({first})") from None


def _validate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    (total,) = con.execute("select count(*) from incoming").fetchone()
    if total == 0:
        raise UserError(f"{path}: no runs in file")
    (not_objects,) = con.execute(
        "select count(*) from incoming where record_type <> 'OBJECT'"
    ).fetchone()
    if not_objects:
        raise UserError(f"{path}: {not_objects} line(s) are not JSON objects")
    for field in REQUIRED_FIELDS:
        column = "run_id" if field == "name" else field
        (missing,) = con.execute(
            f"select count(*) from incoming where coalesce({column}, '') = ''"
        ).fetchone()
        if missing:
            raise UserError(f"{path}: {missing} run(s) have no `{field}`")
    (bad_time,) = con.execute(
        "select count(*) from incoming where fetched_at is null and fetched_at_text is not null"
    ).fetchone()
    if bad_time:
        raise UserError(f"{path}: {bad_time} run(s) have a `fetched_at` that is not ISO-8601")
    duplicate = con.execute(
        """
        select entity || '/' || project || '/' || run_id
        from incoming
        group by entity, project, run_id, fetched_at
        having count(*) > 1
        limit 1
        """
    ).fetchone()
    if duplicate:
        raise UserError(f"{path}: run {duplicate[0]} appears twice with the same fetched_at")


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    partial: bool = False,
    force: bool = False,
) -> list[ProjectLoad]:
    """Load one JSONL file; returns one entry per project (empty if already loaded)."""
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    sha = file_sha256(path)
    if not force:
        (seen,) = con.execute(
            "select count(*) from raw.wandb_loads where source_sha256 = ? and status = 'ok'",
            [sha],
        ).fetchone()
        if seen:
            return []
    _stage_file(con, path)
    _validate(con, path)

    invocation_id = new_id()
    projects = con.execute(
        "select distinct entity, project from incoming order by entity, project"
    ).fetchall()
    results: list[ProjectLoad] = []
    con.execute("begin transaction")
    try:
        for entity, project in projects:
            load_id = start_load(
                con,
                invocation_id=invocation_id,
                entity=entity,
                project=project,
                mode="file",
                source=str(path),
                source_sha256=sha,
            )
            results.append(_insert_project(con, load_id, entity, project, partial))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return results


# What makes a stored version differ from the previous one (not fetched_at / key order).
COMPARED_FIELDS = (
    "displayName",
    "state",
    "tags",
    "group",
    "jobType",
    "heartbeatAt",
    "historyLineCount",
    "config",
    "summaryMetrics",
)


def _compared_fields(record: str) -> str:
    return ", ".join(f"{record} -> '{field}'" for field in COMPARED_FIELDS)


def _insert_project(
    con: duckdb.DuckDBPyConnection, load_id: str, entity: str, project: str, partial: bool
) -> ProjectLoad:
    # Counts are relative to what the warehouse held before this load.
    (new, changed) = con.execute(
        """
        with previous as (
            select run_id, record
            from raw.wandb_runs
            where entity = $entity and project = $project
            qualify row_number() over (partition by run_id order by fetched_at desc) = 1
        ),
        incoming_runs as (
            select run_id, record
            from incoming
            where entity = $entity and project = $project
            qualify row_number() over (partition by run_id order by fetched_at desc) = 1
        )
        select
            count(*) filter (where previous.run_id is null),
            count(*) filter (
                where previous.run_id is not null
                and ({compared}) is distinct from ({compared_new})
            )
        from incoming_runs
        left join previous using (run_id)
        """.format(
            compared=_compared_fields("previous.record"),
            compared_new=_compared_fields("incoming_runs.record"),
        ),
        {"entity": entity, "project": project},
    ).fetchone()
    con.execute(
        """
        insert into raw.wandb_runs
        select
            entity,
            project,
            run_id,
            coalesce(fetched_at, now()),
            $load_id,
            fetch_kind,
            record
        from incoming
        where entity = $entity and project = $project
        """,
        {"load_id": load_id, "entity": entity, "project": project},
    )
    con.execute(
        """
        insert into raw.wandb_listings
        select distinct $load_id, entity, project, run_id
        from incoming
        where entity = $entity and project = $project
        """,
        {"load_id": load_id, "entity": entity, "project": project},
    )
    (runs,) = con.execute(
        "select count(distinct run_id) from incoming where entity = ? and project = ?",
        [entity, project],
    ).fetchone()
    deleted = 0
    if not partial:
        (deleted,) = con.execute(
            """
            select count(distinct run_id) from raw.wandb_runs
            where entity = $entity and project = $project
            and run_id not in (select run_id from raw.wandb_listings where load_id = $load_id)
            """,
            {"entity": entity, "project": project, "load_id": load_id},
        ).fetchone()
    counts = LoadCounts(listed=runs, new=new, changed=changed, deleted=deleted)
    finish_load(con, load_id, status="ok", counts=counts, listing_complete=not partial)
    return ProjectLoad(entity, project, load_id, runs, new, changed)
