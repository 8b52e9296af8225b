"""Running the project's dbt (the one installed next to this Python) on a warehouse file."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from extract.errors import UserError
from extract.warehouse.database import DB_ENV_VAR, PROJECT_ROOT, db_path


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def build_command(db: Path, *flags: str) -> str:
    """The command that builds `db` and publishes it, for a message: `--db` is named unless
    it is the file the command uses anyway ($WANDB_WAREHOUSE_DB, else warehouse.duckdb)."""
    command = [".venv/bin/wandb-warehouse", "build", *flags]
    if db.resolve() != db_path().resolve():
        command += ["--db", shlex.quote(str(db))]
    return " ".join(command)


def run_dbt(
    args: list[str], db: Path, *, quiet: bool = False, env: dict[str, str] | None = None
) -> None:
    """Run `dbt ARGS` from the project root against the warehouse `db` (its working file,
    profiles.yml); raise UserError on failure."""
    env = {**os.environ, **(env or {}), DB_ENV_VAR: str(db.resolve())}
    command = [dbt_executable(), *args]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        check=False,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        text=True,
    )
    if result.returncode != 0:
        if quiet and result.stdout:
            sys.stderr.write(result.stdout)
        raise UserError(f"`dbt {' '.join(args)}` failed (exit {result.returncode}); see above")
