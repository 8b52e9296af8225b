"""The marts built on Spark equal the marts built on DuckDB, row for row.

`make test-spark` builds the bundled sample twice (DuckDB; Spark from the exported raw
layer) and runs this with WANDB_WAREHOUSE_TEST_DB (the DuckDB build) and
WANDB_WAREHOUSE_SPARK_DIR (the Spark build: its tables are Parquet folders under
`warehouse/<schema>.db/<table>`). Values are compared exactly (big integers, timestamps,
lists, booleans, text); only floating-point numbers may differ by rounding.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

REL_TOL = 1e-9
ABS_TOL = 1e-12
SCHEMA = "marts"


def _required_path(variable: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.fail(f"set {variable} (run this through `make test-spark`)", pytrace=False)
    return Path(value)


def normalise(value: Any) -> Any:
    """One comparable form per value, whichever engine produced it."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return tuple(normalise(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, normalise(item)) for key, item in value.items()))
    return value


def sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Order rows the same way on both sides: nulls first, floats to 9 significant digits."""

    def key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (0, 0)
        if isinstance(value, float) and math.isnan(value):
            return (2, 0)
        if isinstance(value, float):
            return (1, float(f"{value:.9g}"))
        if isinstance(value, tuple):
            return (1, tuple(key(item) for item in value))
        return (1, value)

    return tuple(key(value) for value in row)


def values_equal(left: Any, right: Any) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        left, right = float(left), float(right)
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(values_equal, left, right))
    if isinstance(left, str) and isinstance(right, str) and left != right:
        # A number shown as text (key_profile's example_value): DuckDB keeps the JSON's
        # digits, Spark's VARIANT prints its own form (0.000001 vs 1.0E-6).
        return _as_number(left) is not None and _as_number(left) == _as_number(right)
    return (type(left) is type(right) and left == right) or (left is None and right is None)


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def row_differences(
    columns: list[str], expected: list[tuple[Any, ...]], actual: list[tuple[Any, ...]]
) -> list[str]:
    """Human-readable differences between two row sets (empty when they match)."""
    expected = sorted((tuple(map(normalise, row)) for row in expected), key=sort_key)
    actual = sorted((tuple(map(normalise, row)) for row in actual), key=sort_key)
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{len(expected)} rows on DuckDB, {len(actual)} on Spark")
    for number, (want, got) in enumerate(zip(expected, actual, strict=False)):
        for column, left, right in zip(columns, want, got, strict=True):
            if not values_equal(left, right):
                problems.append(f"row {number} `{column}`: DuckDB {left!r} != Spark {right!r}")
        if len(problems) >= 10:
            break
    return problems


def _duckdb_marts(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables "
            # run_progress is a view on DuckDB (a table on Spark).
            "where table_schema = ? and table_type in ('BASE TABLE', 'VIEW') order by 1",
            [SCHEMA],
        ).fetchall()
    return [name for (name,) in rows]


def _marts_or_fail() -> list[str]:
    db = os.environ.get("WANDB_WAREHOUSE_TEST_DB")
    return _duckdb_marts(Path(db)) if db and Path(db).exists() else ["<no DuckDB build>"]


def test_the_duckdb_build_has_marts() -> None:
    assert _duckdb_marts(_required_path("WANDB_WAREHOUSE_TEST_DB")), "no marts on DuckDB"


@pytest.mark.parametrize("mart", _marts_or_fail())
def test_mart_equals_duckdb(mart: str) -> None:
    db = _required_path("WANDB_WAREHOUSE_TEST_DB")
    spark_dir = _required_path("WANDB_WAREHOUSE_SPARK_DIR")
    folder = spark_dir / "warehouse" / f"{SCHEMA}.db" / mart
    assert list(folder.glob("*.parquet")), f"Spark built no table {SCHEMA}.{mart} ({folder})"

    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set timezone = 'UTC'")
        expected_rel = con.sql(f"select * from {SCHEMA}.{mart}")
        columns = expected_rel.columns
        expected = expected_rel.fetchall()
        spark_rel = con.read_parquet(str(folder / "*.parquet"))
        assert spark_rel.columns == columns, "columns differ (name or order)"
        actual = spark_rel.fetchall()
    assert expected or actual, f"{SCHEMA}.{mart} is empty on both engines: nothing compared"
    assert row_differences(columns, expected, actual) == []


def test_the_comparison_catches_differences() -> None:
    columns = ["id", "big", "share", "tags", "at"]
    at = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    duck = [(1, 2**64 + 1, 1 / 3, ["a", "b"], at), (2, None, float("nan"), [], at)]
    spark = [
        (2, None, float("nan"), [], at),
        (1, Decimal(2**64 + 1), 0.333333333333333, ["a", "b"], at),
    ]
    assert row_differences(columns, duck, spark) == []
    off_by_one = [spark[0], (1, Decimal(2**64), 1 / 3, ["a", "b"], at)]
    assert row_differences(columns, duck, off_by_one)
    assert row_differences(columns, duck, [spark[0], (1, 2**64 + 1, 0.3334, ["a", "b"], at)])
    assert row_differences(columns, duck, [spark[0], (1, 2**64 + 1, 1 / 3, ["b", "a"], at)])
    assert row_differences(columns, duck, [spark[0], (1, 2**64 + 1, 1 / 3, ["a", "b"], None)])
    assert row_differences(columns, duck, spark[:1])
    assert row_differences(["flag"], [(True,)], [(1,)])
    # Numbers shown as text compare as numbers; other text exactly.
    assert row_differences(["example"], [("0.000001",)], [("1.0E-6",)]) == []
    assert row_differences(["example"], [("0.000001",)], [("1.0E-5",)])
    assert row_differences(["example"], [("adam",)], [("Adam",)])
