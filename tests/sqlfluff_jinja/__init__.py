"""Stand-ins for dbt's Jinja context, used only by sqlfluff's jinja templater (.sqlfluff).

sqlfluff lints the SQL our models render to on DuckDB: `adapter.dispatch` renders the
`duckdb__` implementation of a macro, `var` reads dbt_project.yml, `modules` offers `re`,
`target` is the DuckDB target, and `builtins` holds sqlfluff's own dbt `ref`/`source`
stand-ins for the project's ref/source overrides (macros/relations/), and `dbt` the
dbt macros the project calls. macros/spark/ is not read: its materializations are
dbt-only Jinja.
No database and no dbt run is needed.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import yaml
from sqlfluff.core.templaters.builtins.dbt import DBT_BUILTINS

_ROOT = Path(__file__).resolve().parents[2]
_MACROS = _ROOT / "macros"

modules = SimpleNamespace(re=re)
# Parse time: no graph of the project's nodes (models/marts/data_rules.sql lists none).
execute = False
graph: dict[str, Any] = {"nodes": {}}
target = SimpleNamespace(type="duckdb", name="duckdb")
builtins = SimpleNamespace(ref=DBT_BUILTINS["ref"], source=DBT_BUILTINS["source"])
# dbt's own macros the project calls (cross-database types), as DuckDB renders them, and
# is_incremental() (which the project wraps) as sqlfluff's dbt builtins have it.
dbt = SimpleNamespace(
    type_string=lambda: "varchar",
    type_bigint=lambda: "bigint",
    hash=lambda expr: f"md5(cast({expr} as varchar))",
    escape_single_quotes=lambda text: text.replace("'", "''"),
    is_incremental=DBT_BUILTINS["is_incremental"],
)


def var(name: str, default: Any = None) -> Any:
    """dbt's `var()`: the project's vars from dbt_project.yml."""
    project = yaml.safe_load((_ROOT / "dbt_project.yml").read_text())
    return (project.get("vars") or {}).get(name, default)


class _Adapter:
    """dbt's `adapter`, reduced to `dispatch` onto the DuckDB implementations."""

    def __init__(self) -> None:
        self._module: Any = None

    def _macros(self) -> Any:
        if self._module is None:
            paths = sorted(p for p in _MACROS.rglob("*.sql") if p.parent.name != "spark")
            source = "\n".join(path.read_text() for path in paths)
            env = jinja2.Environment(extensions=["jinja2.ext.do"])
            env.globals.update(modules=modules, var=var, adapter=self)
            self._module = env.from_string(source).module
        return self._module

    def dispatch(self, name: str, package: str | None = None) -> Any:
        macros = self._macros()
        return getattr(macros, f"duckdb__{name}", None) or getattr(macros, f"default__{name}")


adapter = _Adapter()


class _Config:
    """dbt's `config`: a call renders nothing; `config.get` finds no setting (the
    macros that read a model's config then use their defaults)."""

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def get(self, name: str, default: Any = None) -> Any:
        return default


config = _Config()
