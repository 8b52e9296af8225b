"""The DuckDB files of a warehouse: where they are, how to open them, and the raw layer's
schema.

Readers open the published file (`FILE`) read-only; writers open the working files in
`FILE.d/` (extract/warehouse/files.py) and publish (extract/warehouse/publish.py).

The raw layer lives in `FILE.d/raw.duckdb`, whose catalog is named `raw`. It is
append-only: `raw.wandb_runs`, `raw.wandb_listings`, `raw.wandb_history`,
`raw.wandb_sweeps`, `raw.wandb_artifact_fetches`, `raw.wandb_run_artifacts` and
`raw.wandb_projects` are views over tables of the same name in the schema `live`, where
writers append, and over the Parquet segments the rows move to once a build that read
them is published (extract/warehouse/segments.py); no row is ever updated.
`raw.wandb_loads` (and `raw.wandb_entity_listings` for entity-wide project listings) is a
ledger table whose row is written when a load starts (status 'running') and finalised when
it ends ('ok' / 'failed'). A load that was killed keeps 'running' until the next writer
marks it 'failed' (one writer at a time, so a 'running' row seen by a writer belongs to a
dead process). The same tables and views can be made on any connection (a schema `raw`
then holds the views), which is how the loaders are tested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from extract.errors import UserError
from extract.warehouse.files import Warehouse
from extract.warehouse.ledger import LEDGER_TABLES, SEALED_TABLES
from extract.warehouse.locks import holder_of, is_lock_error, lock_wait, waiting_for_duckdb
from extract.warehouse.segments import ensure_segments, refresh_views, views_point_elsewhere

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DB_ENV_VAR = "WANDB_WAREHOUSE_DB"
DEFAULT_DB = "warehouse.duckdb"
# The same knobs (and defaults) as profiles.yml, so `load` and `dbt build` share limits.
THREADS_ENV_VAR = "WANDB_WAREHOUSE_THREADS"
MEMORY_LIMIT_ENV_VAR = "WANDB_WAREHOUSE_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2.5GB"

RAW_DDL = """
create schema if not exists live;

create table if not exists raw.wandb_loads (
    load_id varchar not null,          -- one per project per load / sync
    invocation_id varchar not null,    -- one per command run (groups a multi-project sync)
    entity varchar not null,
    project varchar not null,
    mode varchar not null,             -- 'file' | 'incremental' | 'full_refresh'
    source varchar,                    -- file path or W&B base URL (never credentials)
    source_sha256 varchar,             -- content hash of a loaded file
    started_at timestamptz not null,
    finished_at timestamptz,
    snapshot_at timestamptz,           -- when W&B was observed (max fetched_at of the load)
    status varchar not null,           -- 'running' | 'ok' | 'failed'
    error varchar,
    listing_complete boolean not null default false,
    listed bigint default 0,
    new bigint default 0,
    changed bigint default 0,
    deleted bigint default 0,
    heavy_fetched bigint default 0,
    requests bigint default 0
);

create table if not exists live.wandb_runs (
    entity varchar not null,
    project varchar not null,
    run_id varchar not null,           -- W&B run id (GraphQL `name`), unique per project
    fetched_at timestamptz not null,
    load_id varchar not null,
    fetch_kind varchar not null,       -- 'full' (config + summary fetched) | 'light' (listing only)
    record json not null               -- the run node as received (interchange format)
);

create table if not exists live.wandb_listings (
    load_id varchar not null,
    entity varchar not null,
    project varchar not null,
    run_id varchar not null            -- listed by the server (or present in the file) at that load
);

create table if not exists live.wandb_history (
    entity varchar not null,
    project varchar not null,
    run_id varchar not null,
    step bigint not null,              -- the row's `_step`
    logged_at timestamptz,             -- the row's `_timestamp` (epoch seconds when logged)
    runtime double,                    -- the row's `_runtime` (seconds since the run started)
    metrics json not null,             -- every other logged key, as received (NaN kept)
    load_id varchar not null           -- the load / sync that stored the row
);

create table if not exists live.wandb_sweeps (
    entity varchar not null,
    project varchar not null,
    sweep_id varchar not null,         -- the sweep's GraphQL `name`: what a run's sweepName holds
    fetched_at timestamptz not null,
    load_id varchar not null,
    record json not null,              -- the sweep node as received (config: W&B's YAML text)
    config json                        -- that config text parsed (null when it does not parse)
);

create table if not exists live.wandb_artifact_fetches (
    entity varchar not null,
    project varchar not null,
    run_id varchar not null,
    fetched_at timestamptz not null,   -- when the run's used and logged artifacts were read
    load_id varchar not null,
    used_count bigint not null,        -- artifact versions the run used (rows below)
    logged_count bigint not null       -- artifact versions the run logged (rows below)
);

create table if not exists live.wandb_run_artifacts (
    entity varchar not null,
    project varchar not null,
    run_id varchar not null,
    fetched_at timestamptz not null,   -- the artifact fetch of the run (raw.wandb_artifact_fetches)
    load_id varchar not null,
    direction varchar not null,        -- 'used' (an input of the run) | 'logged' (an output)
    artifact_id varchar not null,      -- the artifact version's GraphQL id
    record json not null               -- the artifact node as received
);

create table if not exists raw.wandb_entity_listings (
    listing_id varchar not null,       -- one per entity per `extract ENTITY`
    invocation_id varchar not null,
    entity varchar not null,
    source varchar,                    -- W&B base URL (never credentials)
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,           -- 'running' | 'ok' | 'failed'
    error varchar,
    projects_listed bigint default 0,
    requests bigint default 0
);

create table if not exists live.wandb_projects (
    listing_id varchar not null,       -- the entity listing that saw the project
    entity varchar not null,
    project varchar not null,
    listed_at timestamptz not null,
    record json not null               -- the project node as received, without its owner
);
"""


RAW_TABLES = LEDGER_TABLES + SEALED_TABLES


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: --db, else $WANDB_WAREHOUSE_DB, else warehouse.duckdb in cwd."""
    value = explicit or os.environ.get(DB_ENV_VAR) or DEFAULT_DB
    return Path(value).expanduser()


def connect(
    path: Path, read_only: bool = False, wait: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file of the warehouse. A reader (`read_only`) opens the published file;
    a writer opens a working file and waits up to `wait` s (default: lock_wait()) while
    another process holds it."""
    if read_only and not path.exists():
        raise UserError(_missing(path))
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)

    def open_file() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(path), read_only=read_only, config=_settings())

    try:
        if read_only:
            return open_file()
        return waiting_for_duckdb(path, lock_wait(wait), open_file)
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            raise UserError(
                f"{path} is opened read-write by {holder_of(exc)}: readers open it "
                "read-only (`duckdb -readonly`)"
            ) from None
        raise UserError(f"cannot open {path}: {str(exc).splitlines()[0]}") from None


def _missing(path: Path) -> str:
    if Warehouse(path).workdir.is_dir():
        return (
            f"{path} has not been published yet: run `wandb-warehouse build` (or `sync`) "
            "to build and publish it"
        )
    return f"no warehouse at {path}: run `wandb-warehouse sync`, `load` or `demo` first"


def open_raw(warehouse: Warehouse, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The raw store, for a writer holding the writer lock: adopted from a warehouse file
    made before publishing if that is what there is, with every raw table present."""
    legacy = warehouse.is_legacy()
    con = connect(warehouse.raw_store, wait=wait)
    try:
        create_raw_tables(con)
        ensure_segments(con)
        if views_point_elsewhere(con, warehouse):
            refresh_views(con, warehouse)
        if legacy:
            adopt_legacy(con, warehouse.published, wait)
        ensure_raw_schema(con)
    except BaseException:
        con.close()
        if legacy:
            warehouse.raw_store.unlink(missing_ok=True)
        raise
    return con


def adopt_legacy(con: duckdb.DuckDBPyConnection, legacy: Path, wait: float | None) -> None:
    """Copy every raw row of a pre-publishing warehouse file (raw tables beside the models)
    into the raw store, by column name; the file itself stays until the first publish
    replaces it, so its readers go on reading it."""
    path = str(legacy.resolve()).replace("'", "''")
    waiting_for_duckdb(
        legacy,
        lock_wait(wait),
        lambda: con.execute(f"attach '{path}' as legacy (read_only)"),
    )
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'legacy' and table_schema = 'raw'"
            ).fetchall()
        ]
        con.execute("begin")
        for name in tables:
            if name in RAW_TABLES:
                schema = "live" if name in SEALED_TABLES else "raw"
                con.execute(f"insert into {schema}.{name} by name select * from legacy.raw.{name}")
        con.execute("commit")
    finally:
        con.execute("detach legacy")
    print(f"adopted {legacy}: its raw layer moved to {legacy.name}.d/raw.duckdb", flush=True)


def _settings() -> dict[str, str]:
    settings = {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV_VAR) or DEFAULT_MEMORY_LIMIT}
    threads = os.environ.get(THREADS_ENV_VAR)
    if threads:
        settings["threads"] = threads
    return settings


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw tables, if missing: in the raw store (whose catalog is `raw`) as its own
    tables, on any other connection in a schema `raw` (the loaders work on either)."""
    (catalog,) = con.execute("select current_database()").fetchone()
    if catalog != "raw":
        con.execute("create schema if not exists raw")
    con.execute(RAW_DDL)
    for table in SEALED_TABLES:
        con.execute(f"create view if not exists raw.{table} as select * from live.{table}")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables if missing and fail loads left 'running' by a dead process."""
    create_raw_tables(con)
    for ledger in ("wandb_loads", "wandb_entity_listings"):
        con.execute(
            f"update raw.{ledger} set status = 'failed', "
            "error = coalesce(error, 'interrupted (process ended before the load finished)') "
            "where status = 'running'"
        )


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """`frame` readable as the view `name` on `con` while the block runs (appends from
    Python go through a registered frame: one INSERT ... SELECT, not a row per call)."""
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)
