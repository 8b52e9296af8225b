"""The baselines: plain DuckDB doing the same work without our loader or dbt.

    python -m bench.raw_sql read-json FILE DB           # DuckDB's own read_json -> table
    python -m bench.raw_sql read-json-objects FILE DB   # one JSON column per line -> table
    python -m bench.raw_sql models WAREHOUSE MANIFEST   # dbt's compiled SQL, DAG order

`models` replays what `dbt build` runs, in one DuckDB connection to the warehouse's dbt
target (WAREHOUSE.d/build.duckdb) with its raw layer (WAREHOUSE.d/raw.duckdb) attached
read-only as `raw`, as profiles.yml attaches it for dbt: every model's compiled SQL (from
a `dbt compile --full-refresh` manifest) materialised as dbt would (view, or table for
tables and incrementals on a full build), then every data test as `select count(*) from
(test)`. Seeds are left as dbt loaded them (a few rows each) and unit tests are not
replayed: they run on fixtures, so they are part of dbt's fixed cost.
Connection settings are the warehouse's (WANDB_WAREHOUSE_THREADS / _MEMORY_LIMIT).
"""

from __future__ import annotations

import argparse
import json
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from extract.warehouse.database import connect
from extract.warehouse.files import Warehouse, sql_path


def read_json(file: Path, db: Path) -> None:
    con = connect(db)
    con.execute("create table runs as select * from read_json(?)", [str(file)])
    con.close()


def read_json_objects(file: Path, db: Path) -> None:
    con = connect(db)
    con.execute(
        "create table runs as select json as record "
        "from read_json_objects(?, format = 'newline_delimited')",
        [str(file)],
    )
    con.close()


def dag_order(manifest: dict) -> list[dict]:
    """Models and data tests of the project in dependency order."""
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "test")
        and node["config"].get("materialized") != "ephemeral"
        and node["config"].get("enabled", True)
    }
    graph = {
        unique_id: [dep for dep in node["depends_on"]["nodes"] if dep in nodes]
        for unique_id, node in nodes.items()
    }
    return [nodes[unique_id] for unique_id in TopologicalSorter(graph).static_order()]


def run_models(db: Path, manifest_path: Path) -> dict[str, int]:
    """Replay the manifest's models and data tests on warehouse `db`'s working files;
    each data test's failing row count."""
    manifest = json.loads(manifest_path.read_text())
    warehouse = Warehouse(db)
    con = connect(warehouse.build_db)
    con.execute(f"attach '{sql_path(warehouse.raw_store)}' as raw (read_only)")
    failures: dict[str, int] = {}
    for node in dag_order(manifest):
        sql = node["compiled_code"]
        if node["resource_type"] == "test":
            (count,) = con.execute(f"select count(*) from ({sql}) as dbt_internal_test").fetchone()
            failures[node["name"]] = count
            continue
        relation = node["relation_name"]
        con.execute(f"create schema if not exists {node['schema']}")
        if node["config"]["materialized"] == "view":
            con.execute(f"drop table if exists {relation}")
            con.execute(f"create or replace view {relation} as (\n{sql}\n)")
        else:
            con.execute(f"drop view if exists {relation}")
            con.execute(f"create or replace table {relation} as (\n{sql}\n)")
    con.close()
    return failures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("read-json", "read-json-objects"):
        cmd = sub.add_parser(name)
        cmd.add_argument("file", type=Path)
        cmd.add_argument("db", type=Path)
    models = sub.add_parser("models")
    models.add_argument("db", type=Path, help="the warehouse file (its working files are used)")
    models.add_argument("manifest", type=Path)
    args = parser.parse_args(argv)
    if args.command == "read-json":
        read_json(args.file, args.db)
    elif args.command == "read-json-objects":
        read_json_objects(args.file, args.db)
    else:
        failures = run_models(args.db, args.manifest)
        print(
            json.dumps({"tests": len(failures), "failing": sum(1 for v in failures.values() if v)})
        )


if __name__ == "__main__":
    try:
        main()
    except duckdb.Error as exc:
        raise SystemExit(f"raw_sql: {exc}") from None
