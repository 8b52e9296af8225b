"""Malformed analysis settings stop dbt while it parses the project, before any model
runs, with one line naming the var, the project and the entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dbt_builds import BuiltWarehouse, open_working

from extract.warehouse.database import PROJECT_ROOT
from extract.warehouse.dbt import dbt_executable

PAIR = {"name": "steps", "config": "a", "summary": "b", "compare": "integer"}
SPLIT = {"name": "timeout", "source": "config", "path": "timeout", "groups": "presence"}

# (vars, the line dbt must print)
MALFORMED: list[tuple[dict[str, Any], str]] = [
    (
        {"column_pairs": [{"name": "steps", "config": "a"}]},
        "var column_pairs entry 1 (steps): missing key 'summary'",
    ),
    (
        {"column_pairs": [{**PAIR, "compare": "fuzzy"}]},
        "var column_pairs entry 1 (steps): compare must be integer, number or text, not 'fuzzy'",
    ),
    (
        {"column_pairs": [PAIR, {**PAIR, "config": "c"}]},
        "var column_pairs entry 2 (steps): a second pair named steps; pair names must differ",
    ),
    (
        {"column_pairs": [{**PAIR, "role": "steps"}]},
        "var column_pairs entry 1 (steps): role must be pretrain_steps or pretrain_compute, "
        "not 'steps'",
    ),
    (
        {"tag_catalog": [{"tag": "ResNet-50", "category": "arch"}, {"tag": "resnet.50"}]},
        "var tag_catalog entry 2 (resnet.50): missing key 'category'",
    ),
    (
        {
            "project_settings": {
                "acme/vision": {
                    "tag_catalog": [
                        {"tag": "ResNet-50", "category": "arch"},
                        {"tag": "resnet-50", "category": "arch"},
                    ]
                }
            }
        },
        "var project_settings, project acme/vision, tag_catalog entry 2 (resnet-50): maps to "
        "column tag_resnet_50 like tag 'ResNet-50'; keep one of them",
    ),
    (
        {"project_settings": {"acme/vision": {"comparison_split": {**SPLIT, "groups": "bins"}}}},
        "var project_settings, project acme/vision, comparison_split: groups must be presence "
        "or value, not 'bins'",
    ),
    (
        {"project_settings": {"acme/vision": {"column_pairs": [{"name": "lr", "summary": "x"}]}}},
        "var project_settings, project acme/vision, column_pairs entry 1 (lr): missing key "
        "'config'",
    ),
    (
        {"project_settings": {"acme": {"column_pairs": []}}},
        "var project_settings: 'acme' is not a project: write entity/project",
    ),
    (
        {"project_settings": {"acme/vision": {"column_pair": []}}},
        "var project_settings, project acme/vision: unknown key 'column_pair' (allowed: "
        "tag_catalog, column_pairs, comparison_split)",
    ),
]

# dbt's runner in one process, parsing once per case: a subprocess per case would cost a
# second each of start-up.
PARSE_EACH = """
import json, sys
from dbt.cli.main import dbtRunner
runner = dbtRunner()
for line in sys.stdin:
    result = runner.invoke(
        ["parse", "--quiet", "--no-partial-parse", "--vars", line, "--target-path", sys.argv[1]]
    )
    print("outcome", json.dumps([result.success, str(result.exception)]), flush=True)
"""


def test_each_malformed_entry_names_itself(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PARSE_EACH, str(tmp_path / "target")],
        input="".join(json.dumps(settings) + "\n" for settings, _ in MALFORMED),
        cwd=PROJECT_ROOT,
        env={**os.environ, "WANDB_WAREHOUSE_DB": str(tmp_path / "warehouse.duckdb")},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    outcomes = [
        json.loads(line.removeprefix("outcome "))
        for line in result.stdout.splitlines()
        if line.startswith("outcome ")
    ]
    assert len(outcomes) == len(MALFORMED)
    for (settings, line), (success, error) in zip(MALFORMED, outcomes, strict=True):
        assert not success, settings
        # dbt's own first line names the model it was parsing; the next is ours, whole.
        assert error.splitlines()[1].strip() == line, settings


@pytest.mark.parametrize("settings, line", [MALFORMED[6]])
def test_a_build_with_a_malformed_entry_runs_nothing(
    settings: dict[str, Any], line: str, sample_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    def builds() -> int:
        with open_working(sample_warehouse.db) as con:
            return con.sql("select count(*) from meta.builds").fetchone()[0]

    before = builds()
    result = subprocess.run(
        [dbt_executable(), "build", "--vars", json.dumps(settings)],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "WANDB_WAREHOUSE_DB": str(sample_warehouse.db),
            "DBT_TARGET_PATH": str(tmp_path / "target"),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert line in result.stdout
    assert " START " not in result.stdout
    assert builds() == before
