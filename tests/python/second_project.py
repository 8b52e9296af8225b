"""A second synthetic W&B project, unlike the bundled sample in everything the analysis
configuration names: its own tags, nested config and summary keys, a text pair and a
split by a config value with three groups. Deterministic (one seeded Random).

`CONFIG` is the analysis configuration a user of this project would write (the vars of
dbt_project.yml); `runs()` the run records in the interchange format.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ENTITY = "vision-lab"
PROJECT = "resnet-ablations"
RUNS = 150
OPTIMIZERS = ("adam", "sgd", "lion")
ARCHITECTURES = ("resnet18", "resnet50", "vit-s")
DATASETS = ("imagenet-100", "cifar-100")

CONFIG: dict[str, Any] = {
    "tag_catalog": [
        {"tag": "resnet18", "category": "architecture"},
        {"tag": "resnet50", "category": "architecture"},
        {"tag": "vit-s", "category": "architecture"},
        {"tag": "augmix", "category": "augmentation"},
        {"tag": "baseline", "category": "experiment"},
    ],
    "column_pairs": [
        {
            "name": "train_steps",
            "config": "trainer.max_steps",
            "summary": "trainer.global_step",
            "compare": "integer",
        },
        {"name": "dataset", "config": "data.name", "summary": "dataset.name", "compare": "text"},
    ],
    "comparison_split": {
        "name": "optimizer",
        "source": "config",
        "path": "optimizer.name",
        "groups": "value",
    },
}


def runs() -> list[dict[str, Any]]:
    rng = random.Random(20251001)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    records = []
    for index in range(RUNS):
        created = start + timedelta(hours=3 * index)
        state = rng.choices(["finished", "crashed", "failed", "running"], weights=[6, 2, 1, 1])[0]
        max_steps = rng.choice([1000, 2000, 5000])
        dataset = rng.choice(DATASETS)
        tags = [rng.choice(ARCHITECTURES)]
        if rng.random() < 0.4:
            tags.append("augmix")
        if rng.random() < 0.2:
            tags.append("baseline")
        summary: dict[str, Any] = {
            "_runtime": round(rng.uniform(600, 20_000), 1),
            "eval": {"top1": round(rng.uniform(0.3, 0.8), 4)},
            "train/loss": round(rng.uniform(0.5, 3.0), 4),
        }
        if state == "finished":
            # Most finished runs reach max_steps; a few stop at a round 100 before.
            reached = max_steps if rng.random() < 0.85 else max_steps - 100 * rng.randint(1, 9)
            summary["trainer"] = {"global_step": reached}
        elif rng.random() < 0.7:
            summary["trainer"] = {"global_step": rng.randint(1, max_steps - 1)}
        if rng.random() < 0.9:
            # The logged dataset name is the config's, except a few spelled another way.
            logged = dataset if rng.random() < 0.9 else dataset.replace("-", "")
            summary["dataset"] = {"name": logged}
        records.append(
            {
                "entity": ENTITY,
                "project": PROJECT,
                "fetched_at": "2025-11-01T00:00:00Z",
                "name": f"v{index:04d}",
                "displayName": f"ablation-{index:04d}",
                "state": state,
                "tags": tags,
                "group": tags[0],
                "jobType": "train",
                "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S"),
                "heartbeatAt": (created + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
                "historyLineCount": 100,
                "config": {
                    "optimizer": {
                        "value": {"name": rng.choice(OPTIMIZERS), "lr": 0.001},
                        "desc": None,
                    },
                    "trainer": {"value": {"max_steps": max_steps}, "desc": None},
                    "data": {"value": {"name": dataset}, "desc": None},
                    "seed": {"value": index % 5, "desc": None},
                },
                "summaryMetrics": summary,
            }
        )
    return records


def write(path: Path) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in runs()))
    return path


def nested(record: dict[str, Any], source: str, path: str) -> Any:
    """The value at a dotted path of a record's config (inside W&B's wrapper) or summary."""
    node: Any
    keys = path.split(".")
    if source == "config":
        node = record["config"].get(keys[0], {}).get("value")
        keys = keys[1:]
    else:
        node = record["summaryMetrics"]
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node
