"""Building the working file with dbt, and deciding whether a sync needs a build at all.

A sync that found nothing new upstream, on a project whose models and settings did not
change, runs no dbt build: its loads hold only a ledger row and the run listing, which
change no mart's runs. Anything else (a run, sweep, artifact or history row not built
yet, a deleted run, a project appearing or going, a failed or partial last build, an
edited model, macro, seed, data test or dbt_project.yml) does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.warehouse.database import PROJECT_ROOT, connect
from extract.warehouse.dbt import run_dbt
from extract.warehouse.files import Warehouse, sql_path
from extract.warehouse.publish import last_build

FINGERPRINT_ENV_VAR = "WANDB_WAREHOUSE_PROJECT_FINGERPRINT"
# What a dbt build's result depends on besides the data (tests/python is pytest's).
PROJECT_FILES = ("dbt_project.yml", "models/**/*", "macros/**/*", "seeds/**/*", "tests/*")
# Raw tables whose rows are data the models read (the listing and the ledger are
# bookkeeping of every sync, changed or not).
DATA_TABLES = (
    "wandb_runs",
    "wandb_history",
    "wandb_sweeps",
    "wandb_artifact_fetches",
    "wandb_run_artifacts",
)


def project_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of every file of the dbt project a build's result depends on."""
    digest = hashlib.sha256()
    files = {p for pattern in PROJECT_FILES for p in root.glob(pattern) if p.is_file()}
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# dbt's unit tests check the models' SQL on fixed fixtures, not the warehouse's data:
# `make test` runs them; a build of the data skips them.
BUILD = ["build", "--exclude-resource-type", "unit_test"]


def run_build(warehouse: Warehouse, args: list[str] | None = None, *, quiet: bool = False) -> None:
    """`dbt build ARGS` (unit tests aside) on the warehouse's working file."""
    try:
        run_dbt(
            [*BUILD, *(args or [])],
            warehouse.published,
            quiet=quiet,
            env={FINGERPRINT_ENV_VAR: project_fingerprint()},
        )
    except UserError as exc:
        raise UserError(f"{exc}; {warehouse.published} is unchanged") from None


def build_reason(warehouse: Warehouse, wait: float | None = None) -> str | None:
    """Why the working file needs a dbt build now, or None when it is up to date."""
    if not warehouse.build_db.exists():
        return "first build"
    con = connect(warehouse.build_db, wait=wait)
    try:
        build = last_build(con)
        if build is None:
            return "first build"
        if build.status != "ok":
            return f"the last build is {build.status}"
        if not build.project_fingerprint:
            return "the last build ran outside wandb-warehouse (its project version is unknown)"
        if build.project_fingerprint != project_fingerprint():
            return "the dbt project (models, macros, seeds, tests or settings) changed"
        con.execute(f"attach '{sql_path(warehouse.raw_store)}' as raw (read_only)")
        return _unbuilt_data(con)
    finally:
        con.close()


def _unbuilt_data(con: duckdb.DuckDBPyConnection) -> str | None:
    con.execute(
        "create temp table pending as select load_id from raw.wandb_loads anti join"
        " (select id as load_id from meta.build_loads where ledger = 'load_id') using (load_id)"
    )
    # A load no build read is not sealed yet: its rows are in the live tables.
    counted = " + ".join(
        f"(select count(*) from raw.live.{table} semi join pending using (load_id))"
        for table in DATA_TABLES
    )
    (rows,) = con.execute(f"select {counted}").fetchone()
    if rows:
        return f"{rows} new raw row(s) since the last build"
    (deleted,) = con.execute(
        "select coalesce(sum(deleted), 0) from raw.wandb_loads semi join pending using (load_id)"
    ).fetchone()
    if deleted:
        return f"{deleted} run(s) deleted upstream since the last build"
    changed = con.execute(
        """
        with built as (
            select id as listing_id from meta.build_loads where ledger = 'listing_id'
        ),
        listings as (
            select
                listing_id,
                entity,
                listing_id in (select listing_id from built) as is_built,
                row_number() over (
                    partition by entity, listing_id in (select listing_id from built)
                    order by started_at desc
                ) as recency
            from raw.wandb_entity_listings
            where status = 'ok'
        ),
        latest as (
            select
                listings.entity,
                listings.is_built,
                list(projects.project order by projects.project) as projects
            from listings
            left join raw.wandb_projects as projects using (listing_id)
            where listings.recency = 1
            group by all
        )
        select pending.entity
        from latest as pending
        left join latest as built
            on pending.entity = built.entity and built.is_built
        where not pending.is_built
            and built.projects is distinct from pending.projects
        """
    ).fetchall()
    if changed:
        return "the projects of " + ", ".join(entity for (entity,) in changed) + " changed"
    return None
