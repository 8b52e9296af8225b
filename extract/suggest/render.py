"""The printed entry: the found tags, pairs and split as YAML to paste under
`project_settings:`, and reading a printed entry back."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import yaml

from extract.suggest.found import Candidate, ConfiguredPair, Pair, Split, listed

# Where the entry sits in dbt_project.yml: vars (0) > project_settings (2) > project (4).
ENTRY_INDENT = " " * 4
KEY_INDENT = " " * 6
ITEM_INDENT = " " * 8
# A YAML plain scalar that stays a string: anything else is double-quoted.
PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
PAIR_LINE = re.compile(
    r"^\s*- \{name: (?P<name>.+?), config: .*# (?P<matching>\d+) of (?P<shared>\d+) runs agree"
)


def tag_column(tag: str) -> str:
    """The marts.runs column of a catalogued tag, as macros/runs/tag_column_name.sql names
    it: 'tag_' + the tag lowercased, every character outside [a-z0-9] replaced by '_'."""
    return "tag_" + re.sub(r"[^a-z0-9]", "_", tag.lower())


def identifier(path: str) -> str:
    """A key path as a name for the configuration (data.name -> data_name)."""
    return re.sub(r"[^a-z0-9_]", "_", path.lower())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as that string."""
    if PLAIN.match(text) and text.lower() not in YAML_WORDS:
        return text
    return _quote(text)


def _tag_lines(found_tags: Sequence[tuple[str, str, int]]) -> list[str]:
    """One line per tag; a tag whose marts.runs column a more common tag already takes is
    a comment naming the collision (found_tags is most common first)."""
    if not found_tags:
        return [f"{KEY_INDENT}tag_catalog: []  # no run carries a tag"]
    lines = [f"{KEY_INDENT}tag_catalog:"]
    taken: dict[str, str] = {}
    for tag, category, runs in found_tags:
        entry = f"{{tag: {_quote(tag)}, category: {_scalar(category)}}}"
        column = tag_column(tag)
        if column in taken:
            lines.append(
                f"{ITEM_INDENT}# - {entry}  # {runs} runs; same column {column} as "
                f"{_quote(taken[column])}"
            )
        else:
            taken[column] = tag
            lines.append(f"{ITEM_INDENT}- {entry}  # {runs} runs")
    return lines


def _pair_lines(found_pairs: Sequence[Pair], configured: Sequence[ConfiguredPair]) -> list[str]:
    """The suggested pairs, then the alternatives and the configured pairs not suggested,
    as comments. A pair the settings already hold keeps its name and role; any other is
    named for its config key (and its summary key, where the config key is in two listed
    pairs), so no two lines share a name once the comments are uncommented."""
    chosen_rates, other_rates = listed(
        [
            Candidate(pair.config_key, pair.summary_key, pair.match_rate)
            for pair in found_pairs
            if pair.match_rate is not None
        ]
    )
    chosen_keys = {(pair.config_key, pair.summary_key) for pair in chosen_rates}
    other_keys = {(pair.config_key, pair.summary_key) for pair in other_rates}
    chosen = [pair for pair in found_pairs if (pair.config_key, pair.summary_key) in chosen_keys]
    others = [pair for pair in found_pairs if (pair.config_key, pair.summary_key) in other_keys]
    extra = [pair for pair in found_pairs if pair.match_rate is None]
    shown = chosen + others + extra
    settings = {(pair.config_key, pair.summary_key): pair for pair in configured}
    names: dict[Pair, str] = {}
    for pair in shown:
        if (pair.config_key, pair.summary_key) in settings:
            names[pair] = settings[(pair.config_key, pair.summary_key)].name
    config_keys = Counter(pair.config_key for pair in shown)
    taken = set(names.values())
    for pair in shown:
        if pair in names:
            continue
        name = identifier(pair.config_key)
        if config_keys[pair.config_key] > 1:
            name = f"{name}__{identifier(pair.summary_key).strip('_')}"
        unique, number = name, 1
        while unique in taken:
            number += 1
            unique = f"{name}_{number}"
        names[pair] = unique
        taken.add(unique)

    lines = [f"{KEY_INDENT}column_pairs:" if chosen else f"{KEY_INDENT}column_pairs: []"]
    for pair in shown:
        prefix = f"{ITEM_INDENT}- " if pair in chosen else f"{ITEM_INDENT}# - "
        setting = settings.get((pair.config_key, pair.summary_key))
        role = f", role: {_scalar(setting.role)}" if setting and setting.role else ""
        why = f"{pair.matching_runs} of {pair.shared_runs} runs agree"
        if pair.match_rate is None:
            why = f"configured now, not a candidate here; {why}"
        lines.append(
            f"{prefix}{{name: {_scalar(names[pair])}, "
            f"config: {_quote(pair.config_key)}, summary: {_quote(pair.summary_key)}, "
            f"compare: {pair.compare}{role}}}  # {why}"
        )
    return lines


def _split_lines(found_splits: Sequence[Split]) -> list[str]:
    lines = []
    for index, split in enumerate(found_splits):
        prefix = KEY_INDENT if index == 0 else f"{KEY_INDENT}# "
        if split.groups == "presence":
            why = f"set on {split.runs_with_key} of {split.profiled_runs} runs"
        else:
            why = (
                f"{split.distinct_values} values on {split.runs_with_key} "
                f"of {split.profiled_runs} runs"
            )
        lines.append(
            f"{prefix}comparison_split: {{name: {_scalar(identifier(split.path))}, "
            f"source: config, path: {_quote(split.path)}, groups: {split.groups}}}  # {why}"
        )
    if not found_splits:
        lines.append(
            f"{KEY_INDENT}# comparison_split: no config key splits the runs (the defaults' applies)"
        )
    return lines


def render(
    entity: str,
    project: str,
    found_tags: Sequence[tuple[str, str, int]],
    found_pairs: Sequence[Pair],
    found_splits: Sequence[Split],
    configured: Sequence[ConfiguredPair] = (),
) -> str:
    """The project's entry for `project_settings:`. `found_pairs`: key_overlap's candidates
    in rank order (match_rate set), then configured pairs to list (match_rate None);
    `configured`: the pairs the project's settings hold now, whose names and roles carry
    over to the same config and summary keys."""
    scope = f"{entity}/{project}"
    header = [
        f"Suggested by `wandb-warehouse suggest {scope}` from its analysed runs.",
        "Paste it under `project_settings:` in dbt_project.yml's vars, replacing this",
        "project's entry if there is one: it changes no other project, and the next",
        "`dbt build` or `wandb-warehouse sync` rebuilds what it changes (no --full-refresh).",
        'Commented lines are the next candidates; "N of M runs agree" is what',
        "marts.column_pair_overlap and pretrain_overlap_summary report once built.",
    ]
    lines = [f"{ENTRY_INDENT}# {line}" for line in header]
    lines.append(f"{ENTRY_INDENT}{_scalar(scope)}:")
    lines += _tag_lines(found_tags)
    lines += _pair_lines(found_pairs, configured)
    lines += _split_lines(found_splits)
    return "\n".join(lines) + "\n"


def parse_entry(text: str) -> dict[str, dict[str, Any]]:
    """A printed entry read back: {'entity/project': {tag_catalog, column_pairs,
    comparison_split}}, the value `project_settings` takes in dbt's --vars."""
    entry = yaml.safe_load(text)
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ValueError("not one project's entry")
    return entry


def quoted_agreements(text: str) -> dict[str, tuple[int, int]]:
    """The agreement a printed entry quotes for each suggested (uncommented) pair:
    {name: (matching runs, shared runs)}."""
    found: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        match = PAIR_LINE.match(line)
        if match:
            name = yaml.safe_load(match["name"])
            found[str(name)] = (int(match["matching"]), int(match["shared"]))
    return found
