"""Every model is documented: grain first, and every column it builds described in yml."""

from __future__ import annotations

import re

import duckdb
import yaml

from extract.warehouse.database import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"
LAYER_SCHEMAS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


def documented_models() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in MODELS.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models") or []:
            found[model["name"]] = model
    return found


def test_every_model_has_a_grain_description() -> None:
    docs = documented_models()
    model_files = {path.stem for path in MODELS.rglob("*.sql")}
    assert model_files == set(docs)
    for name, model in docs.items():
        assert model.get("description", "").lstrip().startswith("One row per"), name


def test_every_built_column_is_described(sample_con: duckdb.DuckDBPyConnection) -> None:
    docs = documented_models()
    for path in MODELS.rglob("*.sql"):
        schema = LAYER_SCHEMAS[path.relative_to(MODELS).parts[0]]
        built = [
            name
            for (name,) in sample_con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, path.stem],
            ).fetchall()
        ]
        assert built, path.stem
        described = {
            column["name"]: column.get("description", "")
            for column in docs[path.stem].get("columns") or []
        }
        assert set(built) == set(described), path.stem
        assert all(text.strip() for text in described.values()), path.stem


def test_descriptions_reach_the_shell(sample_con: duckdb.DuckDBPyConnection) -> None:
    # persist_docs writes descriptions as comments the DuckDB shell shows.
    comment = sample_con.execute(
        "select comment from duckdb_columns()"
        " where schema_name = 'marts' and table_name = 'runs' and column_name = 'has_timeout'"
    ).fetchone()
    assert comment and "time limit" in comment[0]


def test_comments_read_on_one_line(sample_con: duckdb.DuckDBPyConnection) -> None:
    # The shell prints a newline inside a comment as a literal `\n`.
    comments = sample_con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns()"
        " where comment is not null"
        " union all select schema_name, table_name, null, comment from duckdb_tables()"
        " where comment is not null"
        " union all select schema_name, view_name, null, comment from duckdb_views()"
        " where comment is not null"
    ).fetchall()
    assert len(comments) > 500
    multiline = [row[:3] for row in comments if row[3] != " ".join(row[3].split())]
    assert multiline == []


def test_the_readme_says_how_to_open_the_docs_site() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL))
    commands = [line.split("#")[0].split() for line in blocks.splitlines()]
    generate = next(c for c in commands if c[-3:] == [".venv/bin/dbt", "docs", "generate"])
    assert generate[0] == "WANDB_WAREHOUSE_DB=demo.duckdb"  # the sample's own file
    assert any(c[:3] == [".venv/bin/dbt", "docs", "serve"] for c in commands)


def _tests_of(entries: list) -> set[str]:
    """The generic test names in a yml `data_tests` list (strings or one-key mappings)."""
    return {entry if isinstance(entry, str) else next(iter(entry)) for entry in entries or []}


def test_every_model_tests_its_grain() -> None:
    """A duplicate row in a mart is the bug users find last: every model tests its grain
    (`unique` + `not_null` on its key, or `unique_combination_of_columns`), or, where a
    data test would scan too much, a unit test named for the grain (`*_one_row_per_*`)."""
    grain_units: set[str] = set()
    for path in MODELS.rglob("*.yml"):
        for unit in yaml.safe_load(path.read_text()).get("unit_tests") or []:
            if "_one_row_per_" in unit["name"]:
                grain_units.add(unit["model"])
    untested = []
    for name, model in documented_models().items():
        if "unique_combination_of_columns" in _tests_of(model.get("data_tests")):
            continue
        keys = [
            column
            for column in model.get("columns") or []
            if {"unique", "not_null"} <= _tests_of(column.get("data_tests"))
        ]
        if not keys and name not in grain_units:
            untested.append(name)
    assert untested == []
