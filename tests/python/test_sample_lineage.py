"""The sample's sweeps and run artifacts: reproducible byte for byte, consistent with its
runs, and the marts equal what plain Python computes from the files."""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from extract.sample import generate_lineage, generate_runs
from extract.sample.files import SAMPLE_DIR

VARS = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())
RUN_STATES = VARS["vars"]["wandb_run_states"]


def _lines(name: str) -> list[dict[str, Any]]:
    with gzip.open(SAMPLE_DIR / name, "rt") as handle:
        return [json.loads(line) for line in handle]  # NaN/Infinity parse as floats


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    """The latest version of every run: the full refresh."""
    return {node["name"]: node for node in _lines(generate_runs.FULL_REFRESH_FILE)}


@pytest.fixture(scope="module")
def sweeps() -> list[dict[str, Any]]:
    return _lines(generate_lineage.SWEEPS_FILE)


@pytest.fixture(scope="module")
def fetches() -> list[dict[str, Any]]:
    return _lines(generate_lineage.ARTIFACTS_FILE)


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    for path in generate_lineage.write_lineage(tmp_path):
        committed = SAMPLE_DIR / path.name
        assert gzip.decompress(path.read_bytes()) == gzip.decompress(committed.read_bytes())
        assert path.read_bytes() == committed.read_bytes(), path.name


def test_sweeps_hold_their_runs(runs: dict, sweeps: list) -> None:
    assert len(sweeps) == 5
    names = {sweep["name"] for sweep in sweeps}
    linked = Counter(node["sweepName"] for node in runs.values() if node["sweepName"])
    assert set(linked) == names  # every sweepName names a sweep of the file
    assert sum(linked.values()) == 107
    for sweep in sweeps:
        members = [node for node in runs.values() if node["sweepName"] == sweep["name"]]
        assert sweep["runCount"] == len(members)
        assert len({node["group"] for node in members}) == 1  # one launch script per sweep
        assert all(node["createdAt"] > sweep["createdAt"] for node in members)
        config = yaml.safe_load(sweep["config"])  # W&B stores YAML text
        assert config["method"] == sweep["method"]
        for key, space in config["parameters"].items():
            for node in members:
                value = node["config"][key]["value"]
                if "values" in space:
                    assert value in space["values"], (sweep["displayName"], key, value)
                else:
                    assert space["min"] <= value <= space["max"]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def expected_sweeps(runs: dict, sweeps: list) -> dict[str, tuple]:
    """sweep id -> (runs by state..., runs with metric, best run id, best value)."""
    expected = {}
    for sweep in sweeps:
        config = yaml.safe_load(sweep["config"])
        members = [node for node in runs.values() if node["sweepName"] == sweep["name"]]
        states = Counter(node["state"] for node in members)
        metric = config.get("metric")
        scored = []
        if metric:
            sign = -1 if metric.get("goal") == "maximize" else 1
            for node in members:
                value = node["summaryMetrics"].get(metric["name"])
                if _finite(value):
                    scored.append((sign * value, node["createdAt"], node["name"], value))
        best = min(scored) if scored else (None, None, None, None)
        expected[sweep["name"]] = (
            len(members),
            *(states.get(state, 0) for state in RUN_STATES),
            len(scored),
            best[2],
            best[3],
        )
    return expected


def test_best_run_of_each_sweep_is_computed_independently(
    runs: dict, sweeps: list, sample_con: duckdb.DuckDBPyConnection
) -> None:
    expected = expected_sweeps(runs, sweeps)
    state_columns = ", ".join(f"{state}_runs" for state in RUN_STATES)
    built = {
        row[0]: row[1:]
        for row in sample_con.execute(
            f"select sweep_id, runs, {state_columns}, runs_with_metric, best_run_id, "
            "best_metric_value from marts.sweeps"
        ).fetchall()
    }
    assert built == expected
    # The goal matters: the maximize sweep's best is not its lowest value, and a sweep
    # whose runs hold an infinite metric value does not pick it.
    (dpo,) = (s for s in sweeps if "maximize" in s["config"])
    members = [n for n in runs.values() if n["sweepName"] == dpo["name"]]
    values = [
        n["summaryMetrics"]["eval/accuracy"]
        for n in members
        if "eval/accuracy" in n["summaryMetrics"]
    ]
    assert expected[dpo["name"]][-1] == max(values) != min(values)
    (perplexity,) = (s for s in sweeps if "eval/perplexity" in s["config"])
    perplexities = [
        n["summaryMetrics"].get("eval/perplexity")
        for n in runs.values()
        if n["sweepName"] == perplexity["name"]
    ]
    assert math.inf in perplexities and expected[perplexity["name"]][-1] < math.inf
    # No metric, no best run.
    (grid,) = (s for s in sweeps if s["method"] == "grid")
    assert expected[grid["name"]][-2:] == (None, None)


def test_runs_name_their_sweep(runs: dict, sample_con: duckdb.DuckDBPyConnection) -> None:
    built = dict(sample_con.execute("select run_id, sweep_id from marts.runs").fetchall())
    assert built == {run_id: runs[run_id]["sweepName"] for run_id in built}
    assert len(built) == 331 and sum(1 for v in built.values() if v) == 107


def test_lineage_equals_the_file(fetches: list, sample_con: duckdb.DuckDBPyConnection) -> None:
    expected = {
        (fetch["run_id"], direction, node["id"])
        for fetch in fetches
        for direction, key in (("used", "usedArtifacts"), ("logged", "loggedArtifacts"))
        for node in fetch[key]
    }
    built = set(
        sample_con.execute(
            "select run_id, direction, artifact_id from marts.artifact_lineage"
        ).fetchall()
    )
    assert built == expected
    assert len(fetches) == 334 and len(expected) == 822


def sdk_aliases(node: dict[str, Any]) -> list[str]:
    """The version's aliases as the wandb SDK reads them from the node (`Artifact.aliases`,
    built as `Run.used_artifacts()` builds each version)."""
    from wandb.sdk.artifacts._generated import ArtifactFragment
    from wandb.sdk.artifacts._validators import FullArtifactPath
    from wandb.sdk.artifacts.artifact import Artifact

    fragment = ArtifactFragment.model_validate(node)
    sequence = fragment.artifact_sequence
    assert sequence.project is not None
    path = FullArtifactPath(
        prefix=sequence.project.entity.name,
        project=sequence.project.name,
        name=f"{sequence.name}:v{fragment.version_index}",
    )
    return sorted(Artifact._from_attrs(path, fragment, service_api=None).aliases)


def test_artifact_versions_name_their_logger_and_users(
    fetches: list, sample_con: duckdb.DuckDBPyConnection
) -> None:
    logged_by: dict[str, str] = {}
    used_by: dict[str, set[str]] = defaultdict(set)
    versions: dict[str, dict] = {}
    for fetch in fetches:
        path = f"{fetch['entity']}/{fetch['project']}/{fetch['run_id']}"
        for node in fetch["loggedArtifacts"]:
            logged_by[node["id"]] = fetch["run_id"]
            versions[node["id"]] = node
        for node in fetch["usedArtifacts"]:
            used_by[node["id"]].add(path)
            versions[node["id"]] = node
    built = {
        row[0]: row[1:]
        for row in sample_con.execute(
            "select artifact_id, artifact_version, artifact_type, aliases, size_bytes, "
            "logged_by_run_id, used_by_runs, used_by_run_paths from marts.artifact_versions"
        ).fetchall()
    }
    assert set(built) == set(versions)
    for artifact_id, node in versions.items():
        version = f"{node['artifactSequence']['name']}:v{node['versionIndex']}"
        aliases = sdk_aliases(node)
        assert built[artifact_id] == (
            version,
            node["artifactType"]["name"],
            aliases,
            node["size"],
            logged_by.get(artifact_id),
            len(used_by[artifact_id]),
            sorted(used_by[artifact_id]),
        )
    # Cross-run lineage: a model a fine-tuning run logged was used by DPO runs.
    handed_on = [a for a in logged_by if used_by[a]]
    assert handed_on
    # Linked into the registry, where they hold `latest` and `production`: the aliases
    # are those of their own collection (one `latest` per collection).
    linked = {
        row[0]: row[1]
        for row in sample_con.execute(
            "select artifact_version, aliases from marts.artifact_versions where "
            "artifact_version in ('model-6mvmwfjd:v0', "
            "'DataDecide-dclm-baseline-50p-dolma1.7-4M:v0')"
        ).fetchall()
    }
    assert linked == {
        "model-6mvmwfjd:v0": ["latest"],
        "DataDecide-dclm-baseline-50p-dolma1.7-4M:v0": ["step2500"],
    }
    latest_twice = sample_con.execute(
        "select artifact_entity, artifact_project, artifact_name from marts.artifact_versions "
        "where list_contains(aliases, 'latest') group by all having count(*) > 1"
    ).fetchall()
    assert latest_twice == []


def test_artifacts_are_consistent_with_their_runs(runs: dict, fetches: list) -> None:
    for fetch in fetches:
        node = runs[fetch["run_id"]]
        datasets = [a for a in fetch["usedArtifacts"] if a["artifactType"]["name"] == "dataset"]
        assert datasets, fetch["run_id"]
        assert all(a["createdAt"] <= node["createdAt"] for a in datasets)
        if fetch["loggedArtifacts"]:
            assert node["state"] == "finished"
        checkpoints = [
            a
            for a in fetch["usedArtifacts"]
            if a["artifactSequence"]["name"].startswith("DataDecide")
        ]
        loaded = node["summaryMetrics"].get("model_pretrain_steps")
        if checkpoints and loaded is not None:
            # The checkpoint a run loaded is the step its summary reports (the two
            # divergent test_match_60M runs: not the step their config names).
            steps = {alias["alias"] for a in checkpoints for alias in a["aliases"]}
            assert f"step{loaded}" in steps
