"""Generate the bundled sample workspace: `python -m extract.sample.generate_runs [--out DIR]`.

A synthetic W&B project (`datadecide-lab/ft-small-lm`, 334 fine-tuning runs) seen twice on
2025-09-10: once by the original analysis' downloader, which refreshed only unfinished runs
and so missed tags added after a run finished, and once after a full refresh. Loaded and
built, it reproduces the figures of the original analysis exactly (README "The bundled
sample"). Everything is drawn from one seeded `random.Random`, no wall clock is read, and
gzip headers carry mtime 0, so a rerun writes byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from extract.sample.sweep_specs import sweep_ids

SEED = 20250910
ENTITY = "datadecide-lab"
PROJECT = "ft-small-lm"
OUT_DIR = Path(__file__).resolve().parent
OLD_DOWNLOADER_FILE = "01_old_downloader_2025-09-10.jsonl.gz"
FULL_REFRESH_FILE = "02_full_refresh_2025-09-10.jsonl.gz"
OLD_DOWNLOADER_AT = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)
FULL_REFRESH_AT = datetime(2025, 9, 10, 18, 0, tzinfo=UTC)

TAG_BUG_CUTOFF = datetime(2025, 9, 1, tzinfo=UTC)  # runs from here on lost late tags
# Creation windows keep half a day clear of the cut-offs (the analysis scope starts
# 2025-08-21), so reading createdAt in any time zone puts each run on the same side.
EARLY_WINDOW = (datetime(2025, 8, 12, 14, tzinfo=UTC), datetime(2025, 8, 20, 10, tzinfo=UTC))
OLD_WINDOW = (datetime(2025, 8, 21, 14, tzinfo=UTC), datetime(2025, 8, 31, 10, tzinfo=UTC))
RECENT_WINDOW = (datetime(2025, 9, 1, 14, tzinfo=UTC), datetime(2025, 9, 10, 7, tzinfo=UTC))
MODEL_PRETRAIN_LOGGED_FROM = datetime(2025, 9, 3, tzinfo=UTC)
LAB_UTC_OFFSET = timedelta(hours=-7)  # display names carry the lab's local clock (PDT)

TIMEOUT_SECONDS = 1800
HEARTBEAT_SECONDS = 60
PRETRAIN_TOKENS_PER_STEP = 524_288  # DataDecide pretraining: 512 sequences x 1024 tokens
FINETUNE_TOKENS_PER_STEP = 16_384  # 8 sequences x 2048 tokens

MULTIPLIERS = ("1mtx1", "1mtx10", "1mtx100", "10mtx1", "10mtx10", "100mt")
MULTIPLIER_TOKENS = {
    "1mtx1": 1_000_000,
    "1mtx10": 10_000_000,
    "1mtx100": 100_000_000,
    "10mtx1": 10_000_000,
    "10mtx10": 100_000_000,
    "100mt": 100_000_000,
}


@dataclass(frozen=True)
class ModelSize:
    params: int
    steps_per_second: float  # fine-tuning throughput on the lab's GPUs
    final_loss: float
    checkpoints: tuple[int, ...]  # DataDecide pretraining checkpoints (steps)


SIZES = {
    "4M": ModelSize(3_744_768, 4.2, 2.9, (2_500, 5_000, 5_725)),
    "10M": ModelSize(9_953_280, 2.6, 2.6, (5_000, 7_500, 9_182)),
    "60M": ModelSize(61_187_500, 1.1, 2.2, (15_000, 25_000, 29_901)),
    "150M": ModelSize(151_879_680, 0.45, 1.9, (20_000, 30_000, 38_157)),
}


@dataclass(frozen=True)
class Group:
    """A W&B run group: runs launched by one script with the same tags."""

    name: str
    runs: int
    timed: bool
    tags: tuple[str, ...]
    size: str
    dataset: str
    job: str = "finetune"  # or "dpo"
    multiplier: str | None = None
    pretrain: bool = False  # config names the DataDecide checkpoint it starts from


@dataclass(frozen=True)
class Progress:
    steps: int
    target: int
    runtime: float


@dataclass
class Run:
    group: Group
    run_id: str = ""
    state: str = ""
    created_at: datetime | None = None
    progress: Progress | None = None
    tags: list[str] = field(default_factory=list)
    tagged_at_launch: bool = False  # tags known to the old downloader
    model_pretrain: bool = False  # summary logs the checkpoint's own metadata
    divergent_steps: int | None = None  # checkpoint metadata disagreeing with config
    pretrain_steps: int | None = None
    barely_progressed: bool = False
    summary_kind: str = "normal"  # normal | no_runtime (no _runtime) | empty (nothing logged)
    odd_metric: str | None = None  # nan_loss | inf_loss | inf_perplexity | ninf_grad
    huge_flops: int | None = None
    timeout_form: str = "absent"  # value | null | absent | empty_config

    @property
    def timed(self) -> bool:
        return self.timeout_form == "value"


def _timed_groups() -> list[Group]:
    groups = []
    for multiplier in MULTIPLIERS:
        for dataset, short in (("dclm-dolma", "dclm"), ("dolma-qc", "qc")):
            for size, runs in (("4M", 4), ("10M", 2), ("60M", 2)):
                groups.append(
                    Group(
                        f"{short}_{size}_{multiplier}",
                        runs,
                        True,
                        (dataset, size, multiplier),
                        size,
                        dataset,
                        multiplier=multiplier,
                        pretrain=True,
                    )
                )
    return [
        *groups,
        Group("test_match_60M", 4, True, ("60M", "match_60M", "finetune"), "60M", "tulu-3-sft",
              pretrain=True),
        Group("test_match_10M", 6, True, ("match_10M", "finetune", "dclm-dolma"), "10M",
              "dclm-dolma", pretrain=True),
        Group("test_match_150M", 6, True, ("150M", "match_150M", "finetune", "dolma-qc"),
              "150M", "dolma-qc", pretrain=True),
        Group("dpo_150M_dclm", 20, True, ("dpo_tune_cache", "dclm-dolma"), "150M", "dclm-dolma",
              job="dpo"),
        Group("ft_4M_dclm", 10, True, ("finetune", "dclm-dolma"), "4M", "dclm-dolma"),
        Group("ft_4M_qc", 16, True, ("finetune", "dolma-qc"), "4M", "dolma-qc"),
        Group("ft_4M_tulu", 14, True, ("finetune", "4M"), "4M", "tulu-3-sft"),
        Group("ft_10M_hidden", 12, True, ("hidden", "finetune"), "10M", "tulu-3-sft"),
        Group("ft_150M_tulu", 12, True, ("finetune", "150M"), "150M", "tulu-3-sft"),
    ]  # fmt: skip


def _untimed_groups() -> list[Group]:
    mix = "dclm-dolma+dolma-qc"
    return [
        Group("prod_150M_mix", 50, False, ("dclm-dolma", "dolma-qc", "150M", "finetune"),
              "150M", mix),
        Group("prod_4M_mix", 25, False, ("dclm-dolma", "dolma-qc", "4M", "finetune"), "4M", mix),
        Group("dpo_150M_mix", 12, False, ("dclm-dolma", "dolma-qc", "dpo_tune_cache", "150M"),
              "150M", mix, job="dpo"),
        Group("prod_150M_dclm", 20, False, ("dclm-dolma", "150M", "finetune"), "150M",
              "dclm-dolma"),
        Group("match_150M_dclm", 8, False, ("dclm-dolma", "match_150M", "150M"), "150M",
              "dclm-dolma", pretrain=True),
        Group("dpo_60M_dclm", 6, False, ("dclm-dolma", "dpo_tune_cache"), "60M", "dclm-dolma",
              job="dpo"),
        Group("prod_4M_qc", 6, False, ("dolma-qc", "4M", "finetune"), "4M", "dolma-qc"),
        Group("ft_10M_hidden_long", 4, False, ("hidden", "finetune"), "10M", "tulu-3-sft"),
        Group("ft_4M_long", 3, False, ("finetune", "4M"), "4M", "tulu-3-sft"),
        Group("scratch", 1, False, ("hidden",), "4M", "tulu-3-sft"),
    ]  # fmt: skip


EARLY_GROUP = Group("early_test", 3, False, (), "60M", "tulu-3-sft", pretrain=True)
EARLY_TAGS = (["finetune", "4M"], ["hidden", "finetune"], ["dclm-dolma", "60M", "match_60M"])

# State counts of the analysed runs (original analysis, 2025-09-10).
TIMED_STATES = {"finished": 133, "running": 49, "crashed": 8, "failed": 6}
UNTIMED_STATES = {"finished": 116, "running": 5, "crashed": 13, "failed": 1}
OLD_RUNS = {True: 40, False: 83}  # analysed runs created before 2025-09-01, timed / untimed
MODEL_PRETRAIN_RUNS = 21  # analysed runs logging checkpoint metadata (2 of them divergent)
TAGGED_AT_LAUNCH_RECENT = 19  # recent finished/crashed runs whose tags the old sync kept
COMMA_JOINED_TAG_RUNS = 5
BARELY_PROGRESSED_RUNS = 5
NULL_TIMEOUT_RUNS = 40  # untimed runs whose config says {"value": null}
# The two running test_match_60M runs whose checkpoint metadata diverges from config.
DIVERGENT = (
    (datetime(2025, 9, 5, 4, 59, 42, tzinfo=UTC), 15_000, 29_901),
    (datetime(2025, 9, 5, 5, 26, 8, tzinfo=UTC), 14_000, 27_910),
)


def build_runs(rng: random.Random) -> list[Run]:
    """All 334 runs with every attribute drawn; the order is W&B's (newest first)."""
    timed = [Run(g) for g in _timed_groups() for _ in range(g.runs)]
    untimed = [Run(g) for g in _untimed_groups() for _ in range(g.runs)]
    early = [Run(EARLY_GROUP) for _ in range(EARLY_GROUP.runs)]

    divergent = [r for r in timed if r.group.name == "test_match_60M"][:2]
    for run, (created, steps, model_steps) in zip(divergent, DIVERGENT, strict=True):
        run.state, run.created_at = "running", created
        run.pretrain_steps, run.divergent_steps = steps, model_steps
        run.model_pretrain = True
    matching_60m = [r for r in timed if r.group.name == "test_match_60M"][2:]
    for run in matching_60m:
        run.state, run.model_pretrain = "finished", True

    _assign_states(rng, timed, TIMED_STATES)
    _assign_states(rng, untimed, UNTIMED_STATES)
    for runs, is_timed in ((timed, True), (untimed, False)):
        _assign_dates(rng, runs, OLD_RUNS[is_timed])
    for run in matching_60m:
        run.created_at = _draw_time(rng, (datetime(2025, 9, 4, 15, tzinfo=UTC), DIVERGENT[0][0]))
    for run, state, tags in zip(
        early, ("finished", "finished", "crashed"), EARLY_TAGS, strict=True
    ):
        run.state, run.tags, run.model_pretrain = state, list(tags), True
        run.created_at = _draw_time(rng, EARLY_WINDOW)
    early[2].pretrain_steps, early[2].divergent_steps = 10_000, 29_901
    early[1].timeout_form = "value"

    analysed = timed + untimed
    for run in analysed:
        run.tags = list(run.group.tags)
    _pick_model_pretrain(rng, analysed)
    _pick_tagged_at_launch(rng, analysed)
    _join_some_tags(rng, timed)
    _pick_oddities(rng, analysed)
    _pick_timeout_forms(rng, timed, untimed)
    for run in analysed + early:
        if run.group.pretrain and run.pretrain_steps is None:
            run.pretrain_steps = rng.choice(SIZES[run.group.size].checkpoints)
        run.progress = _fit_in_time(rng, run, _progress(rng, run))

    runs = sorted(analysed + early, key=_created, reverse=True)
    ids = _run_ids(rng, len(runs))
    for run, run_id in zip(runs, ids, strict=True):
        run.run_id = run_id
    return runs


def _created(run: Run) -> datetime:
    assert run.created_at is not None
    return run.created_at


def _assign_states(rng: random.Random, runs: list[Run], counts: dict[str, int]) -> None:
    pool = [state for state, n in counts.items() for _ in range(n)]
    for run in runs:
        if run.state:
            pool.remove(run.state)
    rng.shuffle(pool)
    for run in (r for r in runs if not r.state):
        run.state = pool.pop()


def _assign_dates(rng: random.Random, runs: list[Run], old: int) -> None:
    """Running runs are all recent; `old` of the others were created in August."""
    free = [r for r in runs if r.created_at is None and r.group.name != "test_match_60M"]
    settled = [r for r in free if r.state != "running"]
    old_runs = set(map(id, rng.sample(settled, old)))
    for run in free:
        run.created_at = _draw_time(rng, OLD_WINDOW if id(run) in old_runs else RECENT_WINDOW)


def _draw_time(rng: random.Random, window: tuple[datetime, datetime]) -> datetime:
    seconds = int((window[1] - window[0]).total_seconds())
    return window[0] + timedelta(seconds=rng.randrange(seconds))


def _pick_model_pretrain(rng: random.Random, runs: list[Run]) -> None:
    have = [r for r in runs if r.model_pretrain]
    eligible = [
        r
        for r in runs
        if r.group.pretrain
        and not r.model_pretrain
        and r.state == "finished"
        and _created(r) >= MODEL_PRETRAIN_LOGGED_FROM
    ]
    for run in rng.sample(eligible, MODEL_PRETRAIN_RUNS - len(have)):
        run.model_pretrain = True


def _pick_tagged_at_launch(rng: random.Random, runs: list[Run]) -> None:
    recent = [r for r in runs if _created(r) >= TAG_BUG_CUTOFF]
    for run in recent:
        run.tagged_at_launch = run.state == "running"
    settled = [r for r in recent if r.state != "running"]
    for run in rng.sample(settled, TAGGED_AT_LAUNCH_RECENT):
        run.tagged_at_launch = True


def _join_some_tags(rng: random.Random, runs: list[Run]) -> None:
    """A few launch scripts wrote one comma-joined tag ("10mtx1,4M") instead of a list."""
    sweeps = [r for r in runs if r.group.multiplier and not r.model_pretrain]
    chosen = rng.sample(sweeps, COMMA_JOINED_TAG_RUNS)
    for index, run in enumerate(chosen):
        dataset, size, multiplier = run.group.tags
        run.tags = [f"{multiplier},{size}", dataset]
        if index == 0:  # joined and also listed: splitting must de-duplicate
            run.tags = [f"{multiplier},{size},{dataset}", dataset, multiplier]


def _pick_oddities(rng: random.Random, runs: list[Run]) -> None:
    plain = [r for r in runs if not r.model_pretrain and not r.group.pretrain]

    def take(state: str, timed: bool | None = None) -> Run:
        pool = [
            r
            for r in plain
            if r.state == state
            and r.summary_kind == "normal"
            and not r.odd_metric
            and not r.huge_flops
            and not r.barely_progressed
            and (timed is None or r.group.timed == timed)
        ]
        return rng.choice(pool)

    for kind, state, timed in (
        ("no_runtime", "crashed", False),
        ("no_runtime", "crashed", True),
        ("empty", "failed", True),
    ):
        take(state, timed).summary_kind = kind
    for kind, state, timed in (
        ("nan_loss", "crashed", True),
        ("inf_loss", "crashed", False),
        ("inf_perplexity", "finished", False),
        ("ninf_grad", "finished", True),
    ):
        take(state, timed).odd_metric = kind
    take("finished", False).huge_flops = 123_456_789_012_345_678_901_234
    take("finished", True).huge_flops = 98_765_432_109_876_543_210
    for _ in range(BARELY_PROGRESSED_RUNS):
        take("finished").barely_progressed = True


def _pick_timeout_forms(rng: random.Random, timed: list[Run], untimed: list[Run]) -> None:
    for run in timed:
        run.timeout_form = "value"
    plain = [r for r in untimed if r.summary_kind == "normal" and not r.odd_metric]
    empty = rng.choice([r for r in plain if r.state == "finished" and not r.group.pretrain])
    empty.timeout_form = "empty_config"
    for run in rng.sample([r for r in untimed if r is not empty], NULL_TIMEOUT_RUNS):
        run.timeout_form = "null"


def _run_ids(rng: random.Random, n: int) -> list[str]:
    alphabet = string.ascii_lowercase + string.digits
    ids: list[str] = []
    while len(ids) < n:
        candidate = "".join(rng.choice(alphabet) for _ in range(8))
        if candidate not in ids:
            ids.append(candidate)
    return ids


# ---- the run node -------------------------------------------------------------------------


def _target_steps(rng: random.Random, run: Run) -> int:
    if run.group.multiplier:
        return max(1, MULTIPLIER_TOKENS[run.group.multiplier] // FINETUNE_TOKENS_PER_STEP)
    if run.timed:
        return rng.choice((1_000, 2_000, 3_000, 5_000))
    return rng.choice((2_000, 5_000, 10_000, 20_000))


def _progress(rng: random.Random, run: Run) -> Progress:
    size = SIZES[run.group.size]
    target = _target_steps(rng, run)
    rate = size.steps_per_second * rng.uniform(0.85, 1.15) * (0.5 if run.group.job == "dpo" else 1)
    startup = rng.uniform(25, 110)
    needed = startup + target / rate
    cap = TIMEOUT_SECONDS if run.timed else math.inf
    if run.summary_kind == "empty":
        return Progress(0, target, rng.uniform(3, 40))
    if run.barely_progressed:
        steps = rng.randint(1, 6)
        return Progress(steps, target, startup + steps / rate + rng.uniform(1, 20))
    if run.state == "finished":
        if needed <= cap:
            return Progress(target, target, needed)
        runtime = rng.uniform(TIMEOUT_SECONDS - 40, TIMEOUT_SECONDS + 20)  # graceful stop
    elif run.state == "crashed" and needed > cap and rng.random() < 0.6:
        runtime = rng.uniform(TIMEOUT_SECONDS, TIMEOUT_SECONDS + HEARTBEAT_SECONDS - 2)  # killed
    elif run.state == "crashed":
        runtime = startup + (min(needed, cap) - startup) * rng.uniform(0.03, 0.7)
    elif run.state == "failed":
        runtime = startup + (min(needed, cap) - startup) * rng.uniform(0.0, 0.25)
    else:  # running: timed runs may be one heartbeat past their timeout
        limit = min(needed, cap + HEARTBEAT_SECONDS - 2)
        runtime = startup + (limit - startup) * rng.uniform(0.05, 1.0)
    steps = max(0, min(target - (run.state != "finished"), int((runtime - startup) * rate)))
    return Progress(steps, target, runtime)


def _fit_in_time(rng: random.Random, run: Run, progress: Progress) -> Progress:
    """No run can have logged later than the first observation (2025-09-10 09:00)."""
    assert run.created_at is not None
    latest = OLD_DOWNLOADER_AT - timedelta(minutes=5)
    end = run.created_at + timedelta(seconds=progress.runtime + HEARTBEAT_SECONDS)
    if end <= latest:
        return progress
    if run.state == "running":
        room = (latest - run.created_at).total_seconds() - HEARTBEAT_SECONDS
        runtime = max(30.0, room * rng.uniform(0.5, 0.95))
        steps = int(progress.steps * runtime / progress.runtime)
        return Progress(steps, progress.target, runtime)
    run.created_at -= end - latest + timedelta(seconds=rng.randrange(600, 7200))
    return progress


def _config(rng: random.Random, run: Run, progress: Progress) -> dict[str, Any]:
    if run.timeout_form == "empty_config":
        return {}
    group, size = run.group, SIZES[run.group.size]
    lr = rng.choice((5e-6, 1e-5, 2e-5, 5e-5) if group.job == "finetune" else (5e-7, 1e-6))
    seed = rng.choice((1, 2, 3, 42, 1234))
    checkpoint = run.pretrain_steps or rng.choice(size.checkpoints)
    dataset_slug = {"dclm-dolma": "dclm-baseline-50p-dolma1.7", "dolma-qc": "dolma1_7-qc"}
    base = dataset_slug.get(group.dataset.split("+")[0], "dolma1_7")
    values: dict[str, Any] = {
        "exp_name": group.name,
        "model_name_or_path": f"allenai/DataDecide-{base}-{group.size}",
        "model_revision": f"step{checkpoint}-seed-default",
        "model_size": group.size,
        "dataset": group.dataset,
        "learning_rate": lr,
        "lr_scheduler_type": "linear",
        "warmup_ratio": 0.03,
        "weight_decay": 0.0,
        "seed": seed,
        "batch_size": 8,
        "gradient_accumulation_steps": 1,
        "max_seq_length": 2048,
        "max_train_steps": progress.target,
        "num_train_epochs": 1,
        "logging_steps": 1,
        "with_tracking": True,
        "report_to": "wandb",
        "output_dir": f"/checkpoints/{group.name}/{seed}",
    }
    if group.multiplier:
        values["token_multiplier"] = group.multiplier
        values["finetune_tokens"] = MULTIPLIER_TOKENS[group.multiplier]
    if group.job == "dpo":
        values["dpo_beta"] = rng.choice((0.1, 0.05))
        values["dpo_loss_type"] = "dpo_norm"
    if group.pretrain:
        values["pretrain_steps"] = checkpoint
        values["pretrain_compute"] = _pretrain_compute(group.size, checkpoint)
    if run.timeout_form == "value":
        values["timeout"] = TIMEOUT_SECONDS
    elif run.timeout_form == "null":
        values["timeout"] = None
    config = {key: {"value": value, "desc": None} for key, value in values.items()}
    config["_wandb"] = {
        "value": {"cli_version": "0.21.1", "python_version": "3.10.14", "framework": "torch"},
        "desc": None,
    }
    return config


def _pretrain_compute(size: str, steps: int) -> int:
    return 6 * SIZES[size].params * PRETRAIN_TOKENS_PER_STEP * steps


def _summary(
    rng: random.Random, run: Run, progress: Progress, config: dict[str, Any]
) -> dict[str, Any]:
    if run.summary_kind == "empty":
        return {}
    assert run.created_at is not None
    group, size = run.group, SIZES[run.group.size]
    lr = config.get("learning_rate", {}).get("value", 2e-5)
    done = progress.steps / progress.target
    loss = size.final_loss + 2.4 * math.exp(-4 * done) + rng.uniform(-0.05, 0.05)
    summary: dict[str, Any] = {
        "train/loss": round(loss, 4),
        "train/learning_rate": lr * max(0.0, 1 - done),
        "train/global_step": progress.steps,
        "train/epoch": round(done, 4),
        "train/total_tokens": progress.steps * FINETUNE_TOKENS_PER_STEP,
        "train/grad_norm": round(rng.uniform(0.2, 3.0), 4),
    }
    if group.job == "dpo":
        summary["train/rewards/accuracy"] = round(0.5 + 0.3 * done, 4)
        summary["train/rewards/margin"] = round(rng.uniform(0.0, 2.0) * done, 4)
    if run.state == "finished" and not run.barely_progressed:
        eval_loss = loss + rng.uniform(0.02, 0.2)
        summary["eval/loss"] = round(eval_loss, 4)
        summary["eval/perplexity"] = round(math.exp(eval_loss), 3)
        summary["eval/accuracy"] = round(rng.uniform(0.25, 0.6), 4)
        summary["total_flops"] = 6 * size.params * progress.steps * FINETUNE_TOKENS_PER_STEP
    if run.huge_flops:
        summary["total_flops"] = run.huge_flops  # an overflowed counter in the logging code
    odd = {
        "nan_loss": {"train/loss": math.nan, "train/grad_norm": math.nan},
        "inf_loss": {"train/loss": math.inf},
        "inf_perplexity": {"eval/perplexity": math.inf},
        "ninf_grad": {"train/grad_norm": -math.inf},
    }
    summary.update(odd.get(run.odd_metric or "", {}))
    if run.model_pretrain:
        steps = run.divergent_steps or run.pretrain_steps or 0
        summary["model_pretrain_steps"] = str(steps)
        summary["model_pretrain_compute"] = str(_pretrain_compute(group.size, steps))
    summary["_step"] = progress.steps
    if run.summary_kind == "normal":
        summary["_runtime"] = round(progress.runtime, 6)
        summary["_timestamp"] = round(run.created_at.timestamp() + progress.runtime, 6)
        summary["_wandb"] = {"runtime": int(progress.runtime)}
    return dict(sorted(summary.items()))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _display_name(run: Run, config: dict[str, Any]) -> str:
    local = (_created(run) + LAB_UTC_OFFSET).strftime("%y%m%d-%H%M%S")
    if not config:
        return f"{local}_{run.group.name}"
    lr = config["learning_rate"]["value"]
    seed = config["seed"]["value"]
    return f"{local}_{run.group.name}_{run.group.job}_lr{lr:.0e}_s{seed}"


def build_nodes(rng: random.Random, runs: list[Run]) -> list[dict[str, Any]]:
    """The run nodes as W&B's GraphQL API returns them (config/summary as objects); runs a
    sweep launched name it in `sweepName` (`sweep_specs.py`), the others have null (the
    run with an empty config was started by hand in a swept group, not by the agent)."""
    sweeps = sweep_ids(frozenset(run.run_id for run in runs))
    nodes = []
    for run in runs:
        assert run.created_at is not None and run.progress is not None
        progress = run.progress
        config = _config(rng, run, progress)
        summary = _summary(rng, run, progress, config)
        heartbeat = run.created_at + timedelta(
            seconds=round(progress.runtime + rng.uniform(0, HEARTBEAT_SECONDS / 2))
        )
        nodes.append(
            {
                "name": run.run_id,
                "displayName": _display_name(run, config),
                "sweepName": sweeps.get(run.group.name) if config else None,
                "state": run.state,
                "tags": run.tags,
                "group": run.group.name,
                "jobType": run.group.job,
                "createdAt": _iso(run.created_at),
                "heartbeatAt": _iso(heartbeat),
                "historyLineCount": progress.steps + 1 if "_step" in summary else 0,
                "config": config,
                "summaryMetrics": summary,
            }
        )
    return nodes


def _line(node: dict[str, Any], fetched_at: datetime, *, as_wire_strings: bool) -> str:
    record = {"entity": ENTITY, "project": PROJECT, "fetched_at": _iso(fetched_at), **node}
    if as_wire_strings:  # the GraphQL API sends config and summaryMetrics as JSON strings
        record["config"] = json.dumps(node["config"], separators=(",", ":"))
        record["summaryMetrics"] = json.dumps(node["summaryMetrics"], separators=(",", ":"))
    return json.dumps(record, separators=(",", ":"))


def sample_lines(seed: int = SEED) -> Iterator[tuple[str, list[str]]]:
    """(file name, lines) of both loads, derived from one seeded generator."""
    rng = random.Random(seed)
    runs = build_runs(rng)
    nodes = build_nodes(rng, runs)
    old = []
    for run, node in zip(runs, nodes, strict=True):
        seen_tags = _created(run) < TAG_BUG_CUTOFF or run.tagged_at_launch
        old_node = {**node, "tags": node["tags"] if seen_tags else []}
        old.append(_line(old_node, OLD_DOWNLOADER_AT, as_wire_strings=True))
    yield OLD_DOWNLOADER_FILE, old
    yield FULL_REFRESH_FILE, [_line(n, FULL_REFRESH_AT, as_wire_strings=False) for n in nodes]


def write_sample(out_dir: Path = OUT_DIR, seed: int = SEED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, lines in sample_lines(seed):
        path = out_dir / name
        data = ("\n".join(lines) + "\n").encode()
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as handle:
            handle.write(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m extract.sample.generate_runs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"default: {OUT_DIR}")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = write_sample(args.out)
    elapsed = time.perf_counter() - started
    for path in paths:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(f"generated in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
