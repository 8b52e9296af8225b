"""`wandb-warehouse load FILE`: import a W&B-shaped JSONL export into the raw layer.

Parsing happens inside DuckDB (`read_json_objects`), so a million-run file loads without a
Python loop over rows; NaN/Infinity and integers past 2^63 survive because DuckDB's JSON
type keeps numbers as written. Each (entity, project) in the file becomes one load in the
ledger, and the file counts as a complete listing of those projects unless `partial`.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.load.catalog import CatalogLoad, catalog_kind, load_catalog_file
from extract.load.history import HistoryLoad, is_history_file, load_history_file
from extract.load.jsonl import first_object
from extract.warehouse.ledger import LoadCounts, finish_load, new_id, start_load

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


# Splices the parsed objects of a line whose config/summaryMetrics came as the JSON
# strings the wire carries back in as text: a JSON merge patch would drop every null
# member (`"desc": null`, `"timeout": {"value": null}`). Used by both load paths.
_WIRE_STRINGS_SPLICED = """
    json('{' || concat_ws(
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
"""
_OTHER_MEMBERS = """
    json_merge_patch(rec, '{"config": null, "summaryMetrics": null}')::varchar
"""


def _stage_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Parse the file into temp table `incoming`, normalising config/summary to objects."""
    con.execute("drop table if exists incoming")
    try:
        con.execute(
            f"""
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
                    case when has_wire_strings then {_OTHER_MEMBERS} end as others
                from flagged
            ),
            normalised as (
                select
                    case when has_wire_strings then {_WIRE_STRINGS_SPLICED} else rec end as record
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
) -> list[ProjectLoad] | list[HistoryLoad] | list[CatalogLoad]:
    """Load one JSONL file of runs, history rows, sweeps or run artifacts; one entry per
    project (empty if already loaded)."""
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    if is_history_file(path):
        sha = file_sha256(path)
        return [] if _already_loaded(con, sha, force) else load_history_file(con, path, sha)
    kind = catalog_kind(first_object(path))
    if kind is not None:
        sha = file_sha256(path)
        return [] if _already_loaded(con, sha, force) else load_catalog_file(con, path, sha, kind)
    # A path loaded before is most likely a re-run: hash first and skip it without parsing.
    # A new path is hashed on a second thread while DuckDB parses it (a 3.6 GB file takes
    # about 5 s to hash); a file whose content was loaded under another name is then
    # rolled back.
    known = file_sha256(path) if not force and _loaded_from(con, path) else None
    if known is not None and _already_loaded(con, known, force):
        return []
    invocation_id = new_id()
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(file_sha256, path) if known is None else None
        con.execute("begin transaction")
        try:
            projects = _insert_runs(con, path, invocation_id)
            if hashing is None:
                sha = known  # already checked above
            else:
                sha = hashing.result()
                if _already_loaded(con, sha, force):
                    con.execute("rollback")
                    return []
            for entity, project, load_id in projects:
                start_load(
                    con,
                    invocation_id=invocation_id,
                    entity=entity,
                    project=project,
                    mode="file",
                    source=str(path),
                    source_sha256=sha,
                    load_id=load_id,
                )
            results = _finish_projects(con, projects, partial)
            con.execute("commit")
        except duckdb.Error:
            con.execute("rollback")
            # A line broke a rule: the line-by-line checks name the problem. If they find
            # nothing, the error is not the file's and goes up as it is.
            _stage_file(con, path)
            _validate(con, path)
            raise
        except BaseException:
            con.execute("rollback")
            raise
    return results


def unloaded_note(paths: list[str], failed: int) -> str:
    """For the error of a `load` of several files whose file number `failed` broke: which
    files are committed and which are not ('' when the call named one file). Each file is
    its own transaction, so the ones before it stay loaded."""
    if len(paths) == 1:
        return ""
    committed = ", ".join(paths[:failed]) or "none"
    return (
        f" (committed: {committed}; not loaded: {', '.join(paths[failed:])}; each file "
        "commits on its own: once fixed, load the files not loaded)"
    )


def _already_loaded(con: duckdb.DuckDBPyConnection, sha: str, force: bool) -> bool:
    """True when a successful load already holds this content (never with force)."""
    if force:
        return False
    (seen,) = con.execute(
        "select count(*) from raw.wandb_loads where source_sha256 = ? and status = 'ok'",
        [sha],
    ).fetchone()
    return seen > 0


def _loaded_from(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    (loads,) = con.execute(
        "select count(*) from raw.wandb_loads where source = ? and status = 'ok'", [str(path)]
    ).fetchone()
    return loads > 0


def _insert_runs(
    con: duckdb.DuckDBPyConnection, path: Path, invocation_id: str
) -> list[tuple[str, str, str]]:
    """Parse the file straight into raw.wandb_runs, inside the caller's transaction.

    One pass and no staging copy, so a million runs stream through in bounded memory: each
    line is parsed by `read_json_objects`, its fields come out of one multi-path
    extraction, and a row's load_id is derived from (invocation, entity, project) so no
    second pass assigns rows to their project's ledger row. A line that breaks a rule
    fails the statement (`error()`); `load_file` then names the problem. Returns
    (entity, project, load_id) per project of the file, sorted.
    """
    (inserted,) = con.execute(
        f"""
        insert into live.wandb_runs
        with
        lines as (
            select
                json as rec,
                json_type(json, ['$', '$.config', '$.summaryMetrics']) as types,
                json_extract_string(
                    json, ['$.entity', '$.project', '$.name', '$.fetched_at']
                ) as fields
            from read_json_objects($path, format = 'newline_delimited')
        ),
        checked as (
            select
                rec,
                fields[1] as entity,
                fields[2] as project,
                fields[3] as run_id,
                try_cast(fields[4] as timestamptz) as fetched_at,
                types[2] = 'VARCHAR' or types[3] = 'VARCHAR' as has_wire_strings,
                types[2] is not null or types[3] is not null as is_full,
                case
                    when types[1] is distinct from 'OBJECT'
                        or coalesce(fields[1], '') = ''
                        or coalesce(fields[2], '') = ''
                        or coalesce(fields[3], '') = ''
                        or (fields[4] is not null and try_cast(fields[4] as timestamptz) is null)
                        then error('a line breaks the interchange format')
                    else true
                end as is_valid
            from lines
        ),
        rest as (
            select
                *,
                case when has_wire_strings then {_OTHER_MEMBERS} end as others
            from checked
        )
        select
            entity,
            project,
            run_id,
            coalesce(fetched_at, now()),
            md5($invocation || chr(0) || entity || chr(0) || project),
            case when is_full then 'full' else 'light' end,
            case when has_wire_strings then {_WIRE_STRINGS_SPLICED} else rec end
        from rest
        where is_valid
        """,
        {"path": str(path), "invocation": invocation_id},
    ).fetchone()
    if inserted == 0:
        raise UserError(f"{path}: no runs in file")
    # The rows of a load being written are live (only published loads are sealed into
    # segments): read them there, not through raw.wandb_runs over every segment.
    projects = con.execute(
        """
        select distinct entity, project, load_id
        from live.wandb_runs
        where load_id = md5(? || chr(0) || entity || chr(0) || project)
        order by entity, project
        """,
        [invocation_id],
    ).fetchall()
    duplicate = con.execute(
        """
        select entity || '/' || project || '/' || run_id
        from live.wandb_runs
        where load_id in (select unnest($load_ids))
        group by entity, project, run_id, fetched_at
        having count(*) > 1
        limit 1
        """,
        {"load_ids": [load_id for _, _, load_id in projects]},
    ).fetchone()
    if duplicate:
        raise UserError(f"{path}: run {duplicate[0]} appears twice with the same fetched_at")
    return [(entity, project, load_id) for entity, project, load_id in projects]


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
    """All compared fields of `record` in one extraction (one parse of the document)."""
    paths = ", ".join(f"'$.{field}'" for field in COMPARED_FIELDS)
    return f"json_extract({record}, [{paths}])"


def _finish_projects(
    con: duckdb.DuckDBPyConnection, projects: list[tuple[str, str, str]], partial: bool
) -> list[ProjectLoad]:
    """Listings, counts and ledger rows of every project of the file, set-based.

    Counts are relative to what the warehouse held before this load. Keys are worked out
    first; records are read back only for runs stored before (none on a first load), so
    a first load of a million runs never re-reads its JSON.
    """
    con.execute(
        "create or replace temp table loading (entity varchar, project varchar, load_id varchar)"
    )
    con.executemany("insert into loading values (?, ?, ?)", projects)
    con.execute(
        """
        insert into live.wandb_listings
        select distinct load_id, entity, project, run_id
        from live.wandb_runs
        semi join loading using (load_id)
        """
    )
    con.execute(
        """
        create or replace temp table loaded_runs as
        with
        incoming_runs as (
            select entity, project, run_id, load_id, fetched_at
            from live.wandb_runs
            semi join loading using (load_id)
            qualify row_number() over (
                partition by entity, project, run_id order by fetched_at desc
            ) = 1
        ),
        previous as (
            select entity, project, run_id, load_id, fetched_at
            from raw.wandb_runs
            semi join incoming_runs using (entity, project, run_id)
            anti join loading using (load_id)
            qualify row_number() over (
                partition by entity, project, run_id order by fetched_at desc
            ) = 1
        )
        select
            incoming_runs.*,
            previous.load_id as previous_load_id,
            previous.fetched_at as previous_fetched_at
        from incoming_runs
        left join previous using (entity, project, run_id)
        """
    )
    changed: dict[str, int] = {}
    (stored_before,) = con.execute(
        "select count(*) from loaded_runs where previous_load_id is not null"
    ).fetchone()
    if stored_before:
        changed = dict(
            con.execute(
                f"""
                with
                pairs as (
                    select * from loaded_runs where previous_load_id is not null
                ),
                current_fields as (
                    select pairs.entity, pairs.project, pairs.run_id, pairs.load_id,
                        {_compared_fields("stored.record")} as fields
                    from pairs
                    inner join raw.wandb_runs as stored
                        on stored.entity = pairs.entity
                        and stored.project = pairs.project
                        and stored.run_id = pairs.run_id
                        and stored.load_id = pairs.load_id
                        and stored.fetched_at = pairs.fetched_at
                ),
                previous_fields as (
                    select pairs.entity, pairs.project, pairs.run_id,
                        {_compared_fields("stored.record")} as fields
                    from pairs
                    inner join raw.wandb_runs as stored
                        on stored.entity = pairs.entity
                        and stored.project = pairs.project
                        and stored.run_id = pairs.run_id
                        and stored.load_id = pairs.previous_load_id
                        and stored.fetched_at = pairs.previous_fetched_at
                )
                select current_fields.load_id, count(*)
                from current_fields
                inner join previous_fields using (entity, project, run_id)
                where current_fields.fields is distinct from previous_fields.fields
                group by current_fields.load_id
                """
            ).fetchall()
        )
    counted = con.execute(
        """
        with
        counts as (
            select
                load_id,
                count(*) as runs,
                count(*) filter (where previous_load_id is null) as new
            from loaded_runs
            group by load_id
        ),
        -- Like `extract`: a run counts as deleted once, when it first goes missing from
        -- a complete listing (it was in the project's previous complete listing).
        previous_listing as (
            select loading.load_id, earlier.load_id as previous_load_id
            from loading
            inner join raw.wandb_loads as earlier
                on earlier.entity = loading.entity
                and earlier.project = loading.project
                and earlier.load_id not in (select load_id from loading)
                and earlier.status = 'ok'
                and earlier.listing_complete
            qualify row_number() over (
                partition by loading.load_id order by earlier.started_at desc
            ) = 1
        ),
        unlisted as (
            select previous_listing.load_id, count(*) as deleted
            from previous_listing
            inner join raw.wandb_listings as listed_before
                on listed_before.load_id = previous_listing.previous_load_id
            anti join raw.wandb_listings as listed
                on listed.load_id = previous_listing.load_id
                and listed.run_id = listed_before.run_id
            group by previous_listing.load_id
        )
        select counts.load_id, runs, new, coalesce(deleted, 0)
        from counts
        left join unlisted using (load_id)
        """
    ).fetchall()
    con.execute("drop table loaded_runs")
    con.execute("drop table loading")
    results: list[ProjectLoad] = []
    by_id = {row[0]: row[1:] for row in counted}
    for entity, project, load_id in projects:
        runs, new, deleted = by_id[load_id]
        counts = LoadCounts(
            listed=runs,
            new=new,
            changed=changed.get(load_id, 0),
            deleted=0 if partial else deleted,
        )
        finish_load(con, load_id, status="ok", counts=counts, listing_complete=not partial)
        results.append(ProjectLoad(entity, project, load_id, runs, new, counts.changed))
    return results
