"""The bundled sample's W&B sweeps: which run groups a sweep agent launched, and how.

Five groups of `datadecide-lab/ft-small-lm` were launched by sweeps. Their runs carry the
sweep's id in `sweepName` (the run files; prod_150M_mix's run with an empty config was
started by hand, outside the sweep) and the sweeps themselves are in
`04_sweeps_2025-09-10.jsonl.gz` (`python -m extract.sample.generate_lineage`). The search
spaces hold the values `generate_runs` draws for those groups (learning rate, seed, DPO
beta), so every run's config lies in its sweep's space.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

# Seeded apart from the runs' generator, so the runs are drawn exactly as before.
SWEEP_SEED = 20250911

FINETUNE_LRS = [5e-6, 1e-5, 2e-5, 5e-5]
DPO_LRS = [5e-7, 1e-6]
SEEDS = [1, 2, 3, 42, 1234]


@dataclass(frozen=True)
class SweepSpec:
    """One sweep: the run group it launched and its configuration."""

    group: str
    display_name: str
    method: str  # grid | random | bayes
    state: str  # RUNNING | FINISHED | CANCELED (W&B's sweep states)
    parameters: dict[str, Any]
    metric: dict[str, str] | None = None  # {"name": summary key, "goal": minimize|maximize}
    run_count_expected: int | None = None

    def config(self, program: str = "finetune.py") -> dict[str, Any]:
        """The sweep configuration, as `wandb sweep` uploads it."""
        config: dict[str, Any] = {"program": program, "method": self.method}
        if self.metric is not None:
            config["metric"] = dict(self.metric)
        config["parameters"] = self.parameters
        return config


SWEEP_SPECS = (
    SweepSpec(
        "ft_4M_qc",
        "ft-4M-dolma-qc lr x seed",
        "random",
        "RUNNING",
        {"learning_rate": {"values": FINETUNE_LRS}, "seed": {"values": SEEDS}},
        {"name": "eval/loss", "goal": "minimize"},
    ),
    SweepSpec(
        "dpo_150M_dclm",
        "dpo-150M-dclm beta x lr",
        "random",
        "RUNNING",
        {
            "dpo_beta": {"values": [0.1, 0.05]},
            "learning_rate": {"values": DPO_LRS},
            "seed": {"values": SEEDS},
        },
        {"name": "eval/accuracy", "goal": "maximize"},
        run_count_expected=20,
    ),
    SweepSpec(
        "prod_150M_mix",
        "prod-150M-mix bayes",
        "bayes",
        "FINISHED",
        {
            "learning_rate": {
                "distribution": "log_uniform_values",
                "min": min(FINETUNE_LRS),
                "max": max(FINETUNE_LRS),
            },
            "seed": {"values": SEEDS},
        },
        {"name": "eval/loss", "goal": "minimize"},
        run_count_expected=50,
    ),
    SweepSpec(
        "dpo_150M_mix",
        "dpo-150M-mix perplexity",
        "random",
        "FINISHED",
        {
            "dpo_beta": {"values": [0.1, 0.05]},
            "learning_rate": {"values": DPO_LRS},
            "seed": {"values": SEEDS},
        },
        {"name": "eval/perplexity", "goal": "minimize"},
        run_count_expected=12,
    ),
    SweepSpec(
        "ft_4M_dclm",
        "ft-4M-dclm seed grid",
        "grid",
        "CANCELED",
        {"learning_rate": {"values": FINETUNE_LRS}, "seed": {"values": SEEDS}},
        None,  # a grid without a metric: it has no best run
        run_count_expected=len(FINETUNE_LRS) * len(SEEDS),
    ),
)


def sweep_ids(taken: frozenset[str] = frozenset()) -> dict[str, str]:
    """Group name -> sweep id (8 characters like a run id, none of `taken`)."""
    rng = random.Random(SWEEP_SEED)
    alphabet = string.ascii_lowercase + string.digits
    ids: dict[str, str] = {}
    for spec in SWEEP_SPECS:
        candidate = "".join(rng.choice(alphabet) for _ in range(8))
        while candidate in taken or candidate in ids.values():
            candidate = "".join(rng.choice(alphabet) for _ in range(8))
        ids[spec.group] = candidate
    return ids
