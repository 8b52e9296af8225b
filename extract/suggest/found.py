"""What `suggest` finds and lists: candidate pairs, value counts, agreements, pairs,
configured pairs and splits, and the rule choosing which candidate pairs are listed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A pair is suggested when its runs agree this often (in marts.key_overlap); weaker
# candidates are listed as comments.
MIN_PAIR_MATCH_RATE = 0.8
MAX_PAIR_ALTERNATIVES = 5


@dataclass(frozen=True)
class Candidate:
    """A candidate pair of marts.key_overlap, with its match rate on the discovery sample."""

    config_key: str
    summary_key: str
    match_rate: float


@dataclass(frozen=True)
class ValueCounts:
    """What one key holds across a project's analysed runs, read as the build reads it."""

    values: int  # runs where the key holds a value (JSON null is none)
    integers: int  # exact integers: 5000, "5000", 5000.0, integers past 2^63
    numbers: int  # finite numbers (integers included), written as numbers or text
    non_finite: int  # NaN and ±Infinity


@dataclass(frozen=True)
class Agreement:
    """A config/summary pair over a project's analysed runs: what each key holds and, per
    compare kind, (shared runs, matching runs) as marts.column_pair_overlap counts them."""

    config: ValueCounts
    summary: ValueCounts
    by_compare: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Pair:
    config_key: str
    summary_key: str
    compare: str
    # The agreement the pasted entry reports: all analysed runs, under `compare`.
    shared_runs: int
    matching_runs: int
    # marts.key_overlap's match rate, which chooses the pair; None for a configured pair
    # that is listed because it is configured, not because it is a candidate.
    match_rate: float | None


@dataclass(frozen=True)
class ConfiguredPair:
    """A column pair of the project's current settings (int_column_pairs__configured)."""

    name: str
    config_key: str
    summary_key: str
    compare: str
    role: str | None


@dataclass(frozen=True)
class Split:
    path: str
    groups: str
    runs_with_key: int
    profiled_runs: int
    distinct_values: int


def listed(found: Sequence[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """The suggested candidates (those agreeing at least MIN_PAIR_MATCH_RATE) and the
    alternatives listed as comments (the next MAX_PAIR_ALTERNATIVES)."""
    chosen = [pair for pair in found if pair.match_rate >= MIN_PAIR_MATCH_RATE]
    others = [pair for pair in found if pair.match_rate < MIN_PAIR_MATCH_RATE]
    return chosen, others[:MAX_PAIR_ALTERNATIVES]
