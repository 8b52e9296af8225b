"""Shared fixtures: one fake W&B server per session, an isolated W&B environment per test,
and warehouses built by the real `dbt build` on real DuckDB files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_builds import BuiltWarehouse, build_warehouse
from fake_wandb import DEFAULT_KEY, MAX_PAGE_SIZE, FakeWandb, default_handlers

from extract.sample.files import load_order

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# `make test` builds the sample warehouse once (dbt-build step) and points here.
TEST_DB_ENV = "WANDB_WAREHOUSE_TEST_DB"

# Small bounds so failure tests end fast; the defaults are in extract/wandb_api/config.py.
FAST_FAILURE_ENV = {
    "WANDB_WAREHOUSE_MAX_RETRIES": "1",
    "WANDB_WAREHOUSE_RETRY_WAIT": "1",
    "WANDB_WAREHOUSE_REQUEST_TIMEOUT": "10",
    "WANDB_WAREHOUSE_TIMEOUT": "30",
}


@pytest.fixture(scope="session", autouse=True)
def dbt_files_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every dbt the tests start writes its target/ and logs/ under the session's tmp dir
    (unless given --target-path), not into the checkout: there they replaced what
    `make dbt-build` and `make docs` left, and two test runs side by side wrote the same
    manifest, partial-parse file and log."""
    root = tmp_path_factory.mktemp("dbt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        yield


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeWandb]:
    with FakeWandb() as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeWandb) -> Iterator[FakeWandb]:
    """The session's fake server with an empty workspace, counters and no faults."""
    fake_server.release()
    with fake_server.lock:
        fake_server.projects.clear()
        fake_server.clear_faults()
        fake_server.latency = 0.0
        fake_server.max_concurrent = None
        fake_server.retry_after = 1.0
        fake_server.max_page_size = MAX_PAGE_SIZE
        fake_server.handlers = default_handlers()
        fake_server.api_keys = {DEFAULT_KEY}
    fake_server.reset_counters()
    yield fake_server
    fake_server.release()


def isolated_env(tmp_path: Path, fake: FakeWandb) -> dict[str, str]:
    """W&B variables that see only the fake: no real netrc, config or API key."""
    netrc = tmp_path / "netrc"
    netrc.touch()
    netrc.chmod(0o600)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        **fake.env(),
        "NETRC": str(netrc),
        "WANDB_CONFIG_DIR": str(home / ".config" / "wandb"),
        "WANDB_DIR": str(home),
        **FAST_FAILURE_ENV,
    }


@pytest.fixture
def wandb_env(tmp_path: Path, fake: FakeWandb, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = isolated_env(tmp_path, fake)
    for name in ("WANDB_API_KEY", "WANDB_ENTITY", "WANDB_PROJECT", "WANDB_WAREHOUSE_PAGE_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def cli_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without its W&B settings, then `env` (isolated_env's),
    with HOME in the test's W&B folder."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WANDB_") and key not in ("NETRC", "HOME")
    }
    full_env.update(env)
    full_env["HOME"] = str(Path(env["WANDB_DIR"]))
    return full_env


def run_cli(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`wandb-warehouse ARGS` in a fresh process (for exit codes, tracebacks, kills)."""
    return subprocess.run(
        [sys.executable, "-m", "extract.cli", *args],
        cwd=PROJECT_ROOT,
        env=cli_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The bundled sample, built: `make dbt-build`'s file if given, else our own."""
    given = os.environ.get(TEST_DB_ENV)
    if given and Path(given).exists():
        return BuiltWarehouse(Path(given), None)
    root = tmp_path_factory.mktemp("sample_build")
    return build_warehouse(root / "warehouse.duckdb", load_order(), root / "target")


@pytest.fixture(scope="session")
def sample_con(sample_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sample_warehouse.db), read_only=True)
    yield con
    con.close()
