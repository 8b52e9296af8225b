"""The `wandb-warehouse` command line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from extract.errors import UserError, is_interrupt
from extract.warehouse.database import connect, db_path, open_raw
from extract.warehouse.files import Warehouse
from extract.warehouse.locks import lock_wait, writer_lock


def _command_line() -> str:
    return " ".join(["wandb-warehouse", *sys.argv[1:]])


@contextmanager
def _writing(
    args: argparse.Namespace, db: Path | None = None, *, own_projects: bool = False
) -> Iterator[Warehouse]:
    """The warehouse (`db`, else --db), with its writer lock held (waiting up to --wait s
    for it), and a warehouse file from before publishing adopted; for a sync of one's own
    projects, such a file that holds only the bundled sample is set aside first."""
    from extract.warehouse.sample_aside import set_sample_aside

    warehouse = Warehouse(db or db_path(args.db))
    with writer_lock(warehouse.lock, _command_line(), lock_wait(args.wait)):
        if warehouse.is_legacy():
            aside = set_sample_aside(warehouse.published) if own_projects else None
            if aside is not None:
                print(
                    f"{warehouse.published} held only the bundled sample (an older `make "
                    f"demo`): moved to {aside}; syncing into a new {warehouse.published}",
                    flush=True,
                )
            else:
                open_raw(warehouse, args.wait).close()
        yield warehouse


def _cmd_load(args: argparse.Namespace) -> None:
    from extract.load.catalog import CatalogLoad
    from extract.load.history import HistoryLoad
    from extract.load.runs import load_file, unloaded_note

    with _writing(args) as warehouse:
        con = open_raw(warehouse, args.wait)
        try:
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
                        print(
                            f"{path}: {item.entity}/{item.project}: {what} load_id={item.load_id}"
                        )
                        continue
                    print(
                        f"{path}: {item.entity}/{item.project}: {item.runs} runs "
                        f"({item.new} new, {item.changed} changed) load_id={item.load_id}"
                    )
        finally:
            con.close()


def _extractor(args: argparse.Namespace) -> Callable[[Warehouse], None]:
    """The sync of the command line's targets, checked (targets, credentials) before the
    warehouse is touched."""
    from extract.sync.entity import parse_target
    from extract.sync.targets import SyncOptions, sync_targets
    from extract.wandb_api.client import WandbClient
    from extract.wandb_api.config import ClientConfig

    targets = [parse_target(text) for text in args.projects]
    config = ClientConfig.from_env()
    options = SyncOptions(args.full_refresh, args.artifacts, args.history)

    def extract(warehouse: Warehouse) -> None:
        con = open_raw(warehouse, args.wait)
        client = WandbClient(config)
        try:
            client.connect()
            sync_targets(con, client, targets, options)
        finally:
            client.close()
            con.close()

    return extract


def _cmd_extract(args: argparse.Namespace) -> None:
    extract = _extractor(args)
    with _writing(args, own_projects=True) as warehouse:
        extract(warehouse)


def _cmd_sync(args: argparse.Namespace) -> None:
    from extract.warehouse.build import build_reason, run_build
    from extract.warehouse.publish import publish

    extract = _extractor(args)
    with _writing(args, own_projects=True) as warehouse:
        extract(warehouse)
        reason = build_reason(warehouse, args.wait)
        if reason is None:
            print("nothing changed upstream or in the dbt project: no dbt build", flush=True)
        else:
            print(f"dbt build: {reason}", flush=True)
            run_build(warehouse, quiet=args.quiet)
        print(publish(warehouse, args.wait).summary(warehouse), flush=True)


def _cmd_build(args: argparse.Namespace) -> None:
    from extract.warehouse.build import run_build
    from extract.warehouse.publish import publish

    with _writing(args) as warehouse:
        run_build(warehouse, ["--full-refresh"] if args.full_refresh else [], quiet=args.quiet)
        print(publish(warehouse, args.wait).summary(warehouse), flush=True)


def _cmd_publish(args: argparse.Namespace) -> None:
    from extract.warehouse.publish import publish

    with _writing(args) as warehouse:
        print(publish(warehouse, args.wait).summary(warehouse))


def _cmd_demo(args: argparse.Namespace) -> None:
    from extract.demo import run_demo
    from extract.warehouse.sample_aside import DEMO_DB

    # Never the user's warehouse ($WANDB_WAREHOUSE_DB, warehouse.duckdb): its own file.
    db = Path(args.db).expanduser() if args.db else DEMO_DB
    with _writing(args, db) as warehouse:
        run_demo(warehouse, Path(args.report), args.wait)


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
        *,
        writer: bool = False,
        db_help: str = "warehouse file (default: $WANDB_WAREHOUSE_DB or warehouse.duckdb)",
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--db", help=db_help)
        if writer:
            cmd.add_argument(
                "--wait",
                type=float,
                metavar="SECONDS",
                help="how long to wait for another writer of the warehouse (another sync, "
                "extract, load or build, or a dbt build) before giving up (default: "
                "$WANDB_WAREHOUSE_LOCK_WAIT or 300)",
            )
        return cmd

    def add_sync_options(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument(
            "projects",
            nargs="+",
            metavar="ENTITY[/PROJECT]",
            help="W&B project(s) to sync; an ENTITY alone syncs every project the key can "
            "see in it",
        )
        cmd.add_argument(
            "--full-refresh",
            action="store_true",
            help="fetch config and summary of every run, changed or not",
        )
        cmd.add_argument(
            "--artifacts",
            action="store_true",
            help="also read the artifact versions used and logged by runs fetched in full "
            "since their artifacts were last read (two requests per such run)",
        )
        cmd.add_argument(
            "--history",
            action="store_true",
            help="also pull the logged history of runs whose history grew (new steps only)",
        )

    load = add(
        "load", "Import W&B-shaped JSONL files (see README) into the raw layer.", writer=True
    )
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
        "Sync runs and sweeps of W&B projects into the raw layer, fetching only what changed "
        "(`sync` also builds and publishes).",
        writer=True,
    )
    add_sync_options(extract)
    extract.set_defaults(func=_cmd_extract)

    sync = add(
        "sync",
        "Extract, dbt build, audit and publish in one command (for cron): exit 0 means the "
        "warehouse file shows the new state (or nothing changed); otherwise it is unchanged.",
        writer=True,
    )
    add_sync_options(sync)
    sync.add_argument(
        "--quiet", action="store_true", help="print dbt's output only when the build fails"
    )
    sync.set_defaults(func=_cmd_sync)

    build = add(
        "build",
        "Run dbt build on the working file, then publish it if every model and test passed.",
        writer=True,
    )
    build.add_argument("--full-refresh", action="store_true", help="dbt build --full-refresh")
    build.add_argument(
        "--quiet", action="store_true", help="print dbt's output only when the build fails"
    )
    build.set_defaults(func=_cmd_build)

    publish = add(
        "publish",
        "Make the last dbt build what the warehouse file shows, if it built and passed "
        "everything (after a plain `dbt build`).",
        writer=True,
    )
    publish.set_defaults(func=_cmd_publish)

    demo = add(
        "demo",
        "Load the bundled sample, run dbt build, print the headline tables, write the report.",
        writer=True,
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
        "Print a built project's entry for project_settings in dbt_project.yml (tag catalog, "
        "column pairs, comparison split), as its data suggests; paste it, then dbt build.",
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
