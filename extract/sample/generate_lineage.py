"""Generate the bundled sample's sweeps and run artifacts:
`python -m extract.sample.generate_lineage [--out DIR]`.

Both files are observed at the full refresh (2025-09-10 18:00 UTC) and derived from the
same seeded runs as `generate_runs` (the runs are drawn again, identically):

- `04_sweeps_2025-09-10.jsonl.gz`: the five sweeps of `sweep_specs.py`, one sweep node per
  line as W&B's `GetSweeps` returns it (config as the YAML text W&B stores), with
  runCount the number of runs whose `sweepName` names the sweep;
- `05_artifacts_2025-09-10.jsonl.gz`: one line per run, the artifact versions it used and
  logged (W&B's `ArtifactFragment` nodes). Every run used the version of its fine-tuning
  dataset current when it started (datasets live in `datadecide-lab/sft-data`, logged by
  runs outside the sample); runs that start from a DataDecide checkpoint used the
  checkpoint version they actually loaded (`datadecide-lab/checkpoints`; for the two
  divergent test_match_60M runs that is the step their summary reports, not the one
  their config names); the 150M DPO runs used the model logged by the best finished
  150M fine-tuning run on their dataset that finished before they started; every run
  that finished normally logged its model (`model-<run id>:v0`). Aliases are as W&B
  sends them: one entry per (collection, alias), each version's own `v<index>`
  included, and the aliases of the registry collections it is linked into: the DPO
  parents (`wandb-registry-model/ft-150M-parents`, the newest `latest` and
  `production`) and the most used checkpoint that is not its collection's latest
  (`wandb-registry-model/datadecide-checkpoints`, `latest` and `production`).

No wall clock is read and gzip headers carry mtime 0, so a rerun writes byte-identical
files.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from extract.sample.generate_runs import (
    ENTITY,
    FULL_REFRESH_AT,
    OUT_DIR,
    PROJECT,
    SEED,
    SIZES,
    Run,
    build_nodes,
    build_runs,
)
from extract.sample.sweep_specs import SWEEP_SPECS, sweep_ids

SWEEPS_FILE = "04_sweeps_2025-09-10.jsonl.gz"
ARTIFACTS_FILE = "05_artifacts_2025-09-10.jsonl.gz"

DATA_PROJECT = "sft-data"
CHECKPOINT_PROJECT = "checkpoints"
# W&B's model registry: a project whose collections (portfolios) link versions of others.
REGISTRY_PROJECT = "wandb-registry-model"
# Project ids as W&B would serve them (internalId), one per project holding artifacts.
PROJECT_IDS = {
    PROJECT: "4213",
    DATA_PROJECT: "3977",
    CHECKPOINT_PROJECT: "3512",
    REGISTRY_PROJECT: "5120",
}

# Fine-tuning datasets: collection -> (creation time, size in bytes) of each version.
DATASETS = {
    "tulu-3-sft": (
        ("2025-07-28T16:02:11Z", 1_203_442_688),
        ("2025-09-02T09:40:27Z", 1_238_112_256),
    ),
    "dclm-dolma-sft": (
        ("2025-08-08T11:15:40Z", 2_415_919_104),
        ("2025-08-27T20:03:05Z", 2_468_347_904),
        ("2025-09-05T13:27:52Z", 2_471_493_632),
    ),
    "dolma-qc-sft": (
        ("2025-08-04T08:51:19Z", 1_879_048_192),
        ("2025-09-01T10:12:44Z", 1_902_116_864),
    ),
}
DATASET_OF = {
    "tulu-3-sft": ("tulu-3-sft",),
    "dclm-dolma": ("dclm-dolma-sft",),
    "dolma-qc": ("dolma-qc-sft",),
    "dclm-dolma+dolma-qc": ("dclm-dolma-sft", "dolma-qc-sft"),
}
CHECKPOINT_BASE = {"dclm-dolma": "dclm-baseline-50p-dolma1.7", "dolma-qc": "dolma1_7-qc"}
CHECKPOINTS_PUBLISHED_AT = datetime(2025, 4, 15, 12, tzinfo=UTC)
BYTES_PER_PARAM = 2  # bf16 weights


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _collection(typename: str, project: str, name: str) -> dict[str, Any]:
    """A collection as W&B's `CollectionInfoFragment` returns it."""
    owner = {
        "id": _b64(f"Project:v1:{project}:{ENTITY}"),
        "internalId": PROJECT_IDS[project],
        "name": project,
        "entity": {"name": ENTITY},
    }
    return {"__typename": typename, "name": name, "project": owner}


@dataclass
class Link:
    """A version linked into a registry collection: its index and aliases there."""

    name: str
    index: int
    aliases: list[str] = field(default_factory=list)


@dataclass
class Version:
    """One artifact version of the sample."""

    project: str
    name: str
    index: int
    type: str
    size: int
    created_at: str
    aliases: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{ENTITY}/{self.project}/{self.name}:v{self.index}"

    def node(self) -> dict[str, Any]:
        """The version as W&B's `ArtifactFragment` returns it."""
        collection = _collection("ArtifactSequence", self.project, self.name)
        held = [(collection, alias) for alias in [f"v{self.index}", *self.aliases]]
        for link in self.links:
            portfolio = _collection("ArtifactPortfolio", REGISTRY_PROJECT, link.name)
            held += [(portfolio, alias) for alias in [f"v{link.index}", *link.aliases]]
        artifact_id = _b64(f"Artifact:{self.path}")
        return {
            "__typename": "Artifact",
            "id": artifact_id,
            "artifactSequence": collection,
            "versionIndex": self.index,
            "artifactType": {"name": self.type},
            "description": None,
            "metadata": json.dumps(self.metadata, sort_keys=True),
            "ttlDurationSeconds": -1,
            "ttlIsInherited": True,
            "tags": [],
            "historyStep": None,
            "state": "COMMITTED",
            "size": self.size,
            "digest": hashlib.md5(self.path.encode()).hexdigest(),
            "digestAlgorithm": "MANIFEST_MD5",
            "commitHash": None,
            "fileCount": 3 if self.type == "model" else 1,
            "createdAt": self.created_at,
            "updatedAt": None,
            "aliases": [
                {
                    "artifactCollection": alias_collection,
                    "__typename": "ArtifactAlias",
                    "id": _b64(f"ArtifactAlias:{artifact_id}:{alias_collection['name']}:{alias}"),
                    "alias": alias,
                }
                for alias_collection, alias in held
            ],
        }


@dataclass
class Lineage:
    used: dict[str, list[Version]] = field(default_factory=dict)  # run id -> versions
    logged: dict[str, list[Version]] = field(default_factory=dict)


def _dataset_versions() -> dict[str, list[Version]]:
    versions = {}
    for name, specs in DATASETS.items():
        versions[name] = [
            Version(DATA_PROJECT, name, index, "dataset", size, created)
            for index, (created, size) in enumerate(specs)
        ]
        versions[name][-1].aliases.append("latest")
    return versions


def _loaded_step(run: Run) -> int | None:
    """The checkpoint step the run actually started from (its summary's, if it says)."""
    if not run.group.pretrain:
        return None
    return run.divergent_steps or run.pretrain_steps


def _checkpoint_versions(runs: list[Run]) -> dict[tuple[str, str, int], Version]:
    """One version per DataDecide checkpoint a run loaded, by (size, base, step)."""
    steps: dict[tuple[str, str], set[int]] = {}
    for run in runs:
        step = _loaded_step(run)
        if step is not None:
            base = CHECKPOINT_BASE.get(run.group.dataset.split("+")[0], "dolma1_7")
            steps.setdefault((run.group.size, base), set()).add(step)
    versions = {}
    for (size, base), found in sorted(steps.items()):
        name = f"DataDecide-{base}-{size}"
        ordered = sorted(found)
        for index, step in enumerate(ordered):
            version = Version(
                CHECKPOINT_PROJECT,
                name,
                index,
                "model",
                SIZES[size].params * BYTES_PER_PARAM,
                _iso(CHECKPOINTS_PUBLISHED_AT + timedelta(minutes=index)),
                aliases=[f"step{step}"] + (["latest"] if step == ordered[-1] else []),
                metadata={"params": SIZES[size].params, "step": step},
            )
            versions[(size, base, step)] = version
    return versions


def build_lineage(runs: list[Run], nodes: list[dict[str, Any]]) -> Lineage:
    """Which versions each run used and logged (run order: the runs' own)."""
    datasets = _dataset_versions()
    checkpoints = _checkpoint_versions(runs)
    lineage = Lineage()
    finished_models: list[tuple[Run, dict[str, Any], Version]] = []
    for run, node in zip(runs, nodes, strict=True):
        summary = node["summaryMetrics"]
        if run.state == "finished" and "eval/loss" in summary and "_runtime" in summary:
            model = Version(
                PROJECT,
                f"model-{run.run_id}",
                0,
                "model",
                SIZES[run.group.size].params * BYTES_PER_PARAM,
                node["heartbeatAt"],
                aliases=["latest"],
                metadata={"params": SIZES[run.group.size].params, "group": run.group.name},
            )
            lineage.logged[run.run_id] = [model]
            finished_models.append((run, node, model))
    for run, node in zip(runs, nodes, strict=True):
        started = _parse(node["createdAt"])
        used: list[Version] = []
        for name in DATASET_OF[run.group.dataset]:
            current = [v for v in datasets[name] if _parse(v.created_at) <= started]
            used.append(current[-1] if current else datasets[name][0])
        step = _loaded_step(run)
        if step is not None:
            base = CHECKPOINT_BASE.get(run.group.dataset.split("+")[0], "dolma1_7")
            used.append(checkpoints[(run.group.size, base, step)])
        if run.group.job == "dpo" and run.group.size == "150M":
            parent = _best_parent(run, started, finished_models)
            if parent is not None:
                used.append(parent)
        lineage.used[run.run_id] = used
    _link_into_registry(lineage)
    return lineage


def _link_into_registry(lineage: Lineage) -> None:
    """Link the DPO parents (in creation order, the newest `latest` and `production`) and
    the most used checkpoint that is not its collection's latest into the registry."""
    used = [version for versions in lineage.used.values() for version in versions]
    parents = {id(v): v for v in used if v.project == PROJECT}
    for index, parent in enumerate(sorted(parents.values(), key=lambda v: v.created_at)):
        newest = index == len(parents) - 1
        parent.links.append(
            Link("ft-150M-parents", index, ["latest", "production"] if newest else [])
        )
    uses: dict[int, int] = {}
    for version in used:
        uses[id(version)] = uses.get(id(version), 0) + 1
    checkpoints = {
        id(v): v for v in used if v.project == CHECKPOINT_PROJECT and "latest" not in v.aliases
    }
    if checkpoints:
        most_used = max(checkpoints.values(), key=lambda v: (uses[id(v)], v.path))
        most_used.links.append(Link("datadecide-checkpoints", 0, ["latest", "production"]))


def _best_parent(
    run: Run, started: datetime, models: list[tuple[Run, dict[str, Any], Version]]
) -> Version | None:
    """The best (lowest eval/loss) finished 150M fine-tuning model on the run's dataset
    that was logged before the run started."""
    candidates = [
        (node["summaryMetrics"]["eval/loss"], parent.run_id, model)
        for parent, node, model in models
        if parent.group.job == "finetune"
        and parent.group.size == "150M"
        and parent.group.dataset == run.group.dataset
        and _parse(model.created_at) < started
    ]
    return min(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def sweep_lines(runs: list[Run], nodes: list[dict[str, Any]]) -> list[str]:
    ids = sweep_ids(frozenset(run.run_id for run in runs))
    lines = []
    for number, spec in enumerate(SWEEP_SPECS):
        members = [node for node in nodes if node["sweepName"] == ids[spec.group]]
        created = min(_parse(node["createdAt"]) for node in members) - timedelta(minutes=7)
        updated = max(_parse(node["heartbeatAt"]) for node in members)
        program = "dpo_tune.py" if spec.group.startswith("dpo") else "finetune.py"
        record = {
            "entity": ENTITY,
            "project": PROJECT,
            "fetched_at": _iso(FULL_REFRESH_AT),
            "__typename": "Sweep",
            "id": _b64(f"Sweep:{71_300 + number}"),
            "name": ids[spec.group],
            "displayName": spec.display_name,
            "method": spec.method,
            "state": spec.state,
            "description": None,
            "bestLoss": None,
            "config": yaml.dump(spec.config(program)),
            "createdAt": _iso(created),
            "updatedAt": _iso(updated),
            "runCount": len(members),
            "runCountExpected": spec.run_count_expected,
        }
        lines.append(json.dumps(record, separators=(",", ":")))
    return lines


def artifact_lines(runs: list[Run], lineage: Lineage) -> list[str]:
    lines = []
    for run in runs:
        record = {
            "entity": ENTITY,
            "project": PROJECT,
            "run_id": run.run_id,
            "fetched_at": _iso(FULL_REFRESH_AT),
            "usedArtifacts": [v.node() for v in lineage.used.get(run.run_id, [])],
            "loggedArtifacts": [v.node() for v in lineage.logged.get(run.run_id, [])],
        }
        lines.append(json.dumps(record, separators=(",", ":")))
    return lines


def lineage_files(seed: int = SEED) -> Iterator[tuple[str, list[str]]]:
    """(file name, lines) of the sweeps and the artifacts files."""
    rng = random.Random(seed)
    runs = build_runs(rng)
    nodes = build_nodes(rng, runs)
    yield SWEEPS_FILE, sweep_lines(runs, nodes)
    yield ARTIFACTS_FILE, artifact_lines(runs, build_lineage(runs, nodes))


def write_lineage(out_dir: Path = OUT_DIR, seed: int = SEED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, lines in lineage_files(seed):
        path = out_dir / name
        data = ("\n".join(lines) + "\n").encode()
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as handle:
            handle.write(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m extract.sample.generate_lineage", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"default: {OUT_DIR}")
    args = parser.parse_args(argv)
    for path in write_lineage(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
