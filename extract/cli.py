"""The `wandb-warehouse` command line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb

from extract.errors import UserError, is_interrupt
from extract.warehouse.database import connect, db_path, ensure_raw_schema


def _cmd_load(args: argparse.Namespace) -> None:
    from extract.load.catalog import CatalogLoad
    from extract.load.history import HistoryLoad
    from extract.load.runs import load_file, unloaded_note

    db = db_path(args.db)
    con = connect(db)
    try:
        ensure_raw_schema(con)
        for number, path in enumerate(args.files):
            try:
                loads = load_file(con, Path(path), partial=args.partial, force=args.force)
            except UserError as exc:
                raise UserError(f"{exc}{unloaded_note(args.files, number)}") from None
            if not loads:
                print(f"{path}: already loaded (use --force to load it again)")
            for item in loads:
                if isinstance(item, HistoryLoad):
                    print(
                        f"{path}: {item.entity}/{item.project}: {item.rows} history rows "
                        f"of {item.runs} runs load_id={item.load_id}"
                    )
                    continue
                if isinstance(item, CatalogLoad):
                    what = (
                        f"{item.items} sweeps"
                        if item.kind == "sweeps"
                        else f"{item.versions} artifact versions of {item.items} runs"
                    )
                    print(f"{path}: {item.entity}/{item.project}: {what} load_id={item.load_id}")
                    continue
                print(
                    f"{path}: {item.entity}/{item.project}: {item.runs} runs "
                    f"({item.new} new, {item.changed} changed) load_id={item.load_id}"
                )
    finally:
        con.close()


def _cmd_extract(args: argparse.Namespace) -> None:
    import time

    from extract.sync.artifacts import sync_artifacts
    from extract.sync.entity import list_entity, parse_target
    from extract.sync.history import sync_history
    from extract.sync.runs import sync_project
    from extract.sync.sweeps import sync_sweeps
    from extract.wandb_api.client import WandbClient
    from extract.wandb_api.config import ClientConfig
    from extract.warehouse.ledger import new_id
    from extract.warehouse.sample_aside import set_sample_aside

    targets = [parse_target(text) for text in args.projects]
    config = ClientConfig.from_env()
    started = time.monotonic()
    db = db_path(args.db)
    aside = set_sample_aside(db)
    if aside is not None:
        print(
            f"{db} held only the bundled sample (an older `make demo`): moved to {aside}; "
            f"syncing into a new {db}",
            flush=True,
        )
    con = connect(db)
    client = WandbClient(config)
    mode = "full_refresh" if args.full_refresh else "incremental"
    try:
        ensure_raw_schema(con)
        client.connect()
        invocation_id = new_id()
        results = []
        synced: set[tuple[str, str]] = set()
        for entity, only in dict.fromkeys(targets):
            if only is None:
                listing = list_entity(con, client, entity, invocation_id=invocation_id)
                print(listing.summary(), flush=True)
                projects = listing.projects
            else:
                projects = [only]
            for project in projects:
                if (entity, project) in synced:
                    continue
                synced.add((entity, project))
                result = sync_project(
                    con,
                    client,
                    entity,
                    project,
                    invocation_id=invocation_id,
                    full_refresh=args.full_refresh,
                )
                results.append(result)
                print(result.summary(), flush=True)
                sweeps = sync_sweeps(
                    con, client, entity, project, invocation_id=invocation_id, mode=mode
                )
                print(sweeps.summary(), flush=True)
                if args.artifacts:
                    artifacts = sync_artifacts(
                        con,
                        client,
                        entity,
                        project,
                        invocation_id=invocation_id,
                        mode=mode,
                        listing_load_id=result.load_id,
                    )
                    print(artifacts.summary(), flush=True)
                if args.history:
                    history = sync_history(
                        con,
                        client,
                        entity,
                        project,
                        invocation_id=invocation_id,
                        mode=mode,
                        listing_load_id=result.load_id,
                    )
                    print(history.summary(), flush=True)
        if len(results) > 1:
            total = {
                name: sum(getattr(r.counts, name) for r in results)
                for name in ("listed", "new", "changed", "deleted", "heavy_fetched")
            }
            print(
                f"total: listed {total['listed']}, new {total['new']}, "
                f"changed {total['changed']}, deleted {total['deleted']}, "
                f"heavy-fetched {total['heavy_fetched']}, requests {client.requests}, "
                f"{time.monotonic() - started:.1f} s"
            )
    finally:
        client.close()
        con.close()


def _cmd_demo(args: argparse.Namespace) -> None:
    from extract.demo import run_demo
    from extract.warehouse.sample_aside import DEMO_DB

    # Never the user's warehouse ($WANDB_WAREHOUSE_DB, warehouse.duckdb): its own file.
    run_demo(Path(args.db).expanduser() if args.db else DEMO_DB, Path(args.report))


def _cmd_report(args: argparse.Namespace) -> None:
    from extract.report.build import write_report

    report = write_report(db_path(args.db), Path(args.out))
    print(
        f"report: {report.path.resolve()} ({report.size_bytes / 1e6:.1f} MB, "
        f"{report.projects} project(s)); open it in a browser"
    )


def _cmd_export_raw(args: argparse.Namespace) -> None:
    from extract.export.parquet import export_raw

    out_dir = Path(args.dir).expanduser()
    con = connect(db_path(args.db), read_only=True)
    try:
        result = export_raw(con, out_dir)
    finally:
        con.close()
    skipped = f"; {result.still_running} still running, skipped" if result.still_running else ""
    listings = f", {result.entity_listings} entity listing(s)" if result.entity_listings else ""
    print(
        f"{out_dir}: exported {len(result.exported)} load(s) ({result.runs} run rows, "
        f"{result.listings} listing rows, {result.history} history rows, {result.sweeps} "
        f"sweep rows, {result.artifacts} run artifact rows){listings}; "
        f"{result.already_exported} already there{skipped}"
    )


def _cmd_suggest(args: argparse.Namespace) -> None:
    from extract.suggest import suggest

    print(suggest(db_path(args.db), args.project), end="")


def _cmd_shell(args: argparse.Namespace) -> None:
    db = db_path(args.db)
    if not db.exists():
        raise UserError(f"no warehouse at {db}: run `wandb-warehouse demo` or `load` first")
    local = Path(sys.executable).parent / "duckdb"
    cli = str(local) if local.exists() else shutil.which("duckdb")
    if cli is None:
        raise UserError("the duckdb CLI is not installed: run `make setup`")
    os.execv(cli, [cli, "-readonly", str(db)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wandb-warehouse",
        description="A DuckDB + dbt warehouse of Weights & Biases runs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str,
        help_text: str,
        db_help: str = "warehouse file (default: $WANDB_WAREHOUSE_DB or warehouse.duckdb)",
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--db", help=db_help)
        return cmd

    load = add("load", "Import W&B-shaped JSONL files (see README) into the raw layer.")
    load.add_argument("files", nargs="+", metavar="FILE", help="JSONL file, optionally .gz")
    load.add_argument(
        "--partial",
        action="store_true",
        help="the file holds only some runs: do not mark absent runs as deleted",
    )
    load.add_argument("--force", action="store_true", help="load a file loaded before again")
    load.set_defaults(func=_cmd_load)

    extract = add(
        "extract",
        "Sync runs and sweeps of W&B projects into the raw layer, fetching only what changed.",
    )
    extract.add_argument(
        "projects",
        nargs="+",
        metavar="ENTITY[/PROJECT]",
        help="W&B project(s) to sync; an ENTITY alone syncs every project the key can see in it",
    )
    extract.add_argument(
        "--full-refresh",
        action="store_true",
        help="fetch config and summary of every run, changed or not",
    )
    extract.add_argument(
        "--artifacts",
        action="store_true",
        help="also read the artifact versions used and logged by runs fetched in full "
        "since their artifacts were last read (two requests per such run)",
    )
    extract.add_argument(
        "--history",
        action="store_true",
        help="also pull the logged history of runs whose history grew (new steps only)",
    )
    extract.set_defaults(func=_cmd_extract)

    demo = add(
        "demo",
        "Load the bundled sample, run dbt build, print the headline tables, write the report.",
        db_help="the sample's warehouse file (default: demo.duckdb; never $WANDB_WAREHOUSE_DB)",
    )
    demo.add_argument(
        "--report", default="report.html", help="where to write the report (default: report.html)"
    )
    demo.set_defaults(func=_cmd_demo)

    report = add(
        "report",
        "Write the marts as charts and tables to one self-contained HTML file.",
    )
    report.add_argument(
        "--out", default="report.html", help="the HTML file to write (default: report.html)"
    )
    report.set_defaults(func=_cmd_report)

    export = add(
        "export-raw",
        "Write the raw layer as Parquet partitioned by load (for Spark); only new loads.",
    )
    export.add_argument("dir", metavar="DIR", help="output folder (created if missing)")
    export.set_defaults(func=_cmd_export_raw)

    suggest = add(
        "suggest",
        "Print the analysis configuration (tags, column pairs, split) a built project suggests.",
    )
    suggest.add_argument(
        "project", nargs="?", metavar="ENTITY/PROJECT", help="the project (optional if only one)"
    )
    suggest.set_defaults(func=_cmd_suggest)

    shell = add("shell", "Open the DuckDB shell on the warehouse, read-only.")
    shell.set_defaults(func=_cmd_shell)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except UserError as exc:
        print(f"wandb-warehouse: error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, duckdb.Error) as exc:
        if not is_interrupt(exc):
            raise
        print("wandb-warehouse: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
