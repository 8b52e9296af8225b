"""The `wandb-warehouse` command line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from extract.errors import UserError
from extract.warehouse import connect, db_path, ensure_raw_schema


def _cmd_load(args: argparse.Namespace) -> None:
    from extract.history_load import HistoryLoad
    from extract.load import load_file

    db = db_path(args.db)
    con = connect(db)
    try:
        ensure_raw_schema(con)
        for path in args.files:
            loads = load_file(con, Path(path), partial=args.partial, force=args.force)
            if not loads:
                print(f"{path}: already loaded (use --force to load it again)")
            for item in loads:
                if isinstance(item, HistoryLoad):
                    print(
                        f"{path}: {item.entity}/{item.project}: {item.rows} history rows "
                        f"of {item.runs} runs load_id={item.load_id}"
                    )
                    continue
                print(
                    f"{path}: {item.entity}/{item.project}: {item.runs} runs "
                    f"({item.new} new, {item.changed} changed) load_id={item.load_id}"
                )
    finally:
        con.close()


def _cmd_demo(args: argparse.Namespace) -> None:
    from extract.demo import run_demo

    run_demo(db_path(args.db))


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

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument(
            "--db", help="warehouse file (default: $WANDB_WAREHOUSE_DB or warehouse.duckdb)"
        )
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

    demo = add("demo", "Load the bundled sample, run dbt build, print the headline tables.")
    demo.set_defaults(func=_cmd_demo)

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
    except KeyboardInterrupt:
        print("wandb-warehouse: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
