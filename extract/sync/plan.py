"""Deciding what a sync fetches: pure functions over listed and stored runs.

A listing gives every run in its light form. Compared with the latest version the
warehouse holds, a run is
- new (never stored, or stored without config/summary): heavy fetch;
- moved (heartbeatAt or historyLineCount differ): heavy fetch, its summary may have moved;
- edited (only light fields differ: tags, state, displayName, ...): a light row, no fetch;
- unchanged: nothing.
Runs the warehouse holds that a complete listing lacks are deleted upstream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Fields whose change means the run's config or summary may have changed too.
HEAVY_TRIGGER_FIELDS = ("heartbeatAt", "historyLineCount")

# Listing fields compared to find edits that need no heavy fetch.
LIGHT_FIELDS = (
    "displayName",
    "state",
    "tags",
    "group",
    "jobType",
    "createdAt",
    "description",
    "notes",
    "sweepName",
    "commit",
    "readOnly",
    "user",
)

# Fields of a received run node that the record keeps (the interchange format plus the
# rest of the SDK's light fragment). `historyKeys` and `systemMetrics` are left out.
RECORD_FIELDS = ("name", *LIGHT_FIELDS, "heartbeatAt", "historyLineCount")

TIME_FIELDS = frozenset({"createdAt", "heartbeatAt"})

MAX_BATCH = 100


@dataclass(frozen=True)
class StoredRun:
    """What the warehouse holds of a run: its latest version's listing fields."""

    run_id: str
    fields: Mapping[str, Any]
    has_full: bool


@dataclass
class SyncPlan:
    """The work a sync of one project does after its listing."""

    listed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def heavy(self) -> list[str]:
        """Runs to fetch with config and summary, in listing order."""
        wanted = set(self.new) | set(self.moved)
        return [run_id for run_id in self.listed if run_id in wanted]

    @property
    def changed(self) -> int:
        return len(self.moved) + len(self.edited)


def dedupe_listing(nodes: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """One node per run id in first-seen order; a run seen again keeps its later node.

    Paging over a project that changes while listed can return a run twice.
    """
    by_id: dict[str, Mapping[str, Any]] = {}
    for node in nodes:
        by_id[node["name"]] = node
    return by_id


def _normalise(name: str, value: Any) -> Any:
    if name in TIME_FIELDS and isinstance(value, str):
        return _parse_time(value)
    if name == "tags" and value is None:
        return []
    return value


def _parse_time(text: str) -> Any:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _differs(listed: Mapping[str, Any], stored: Mapping[str, Any], names: Sequence[str]) -> bool:
    """True if any of `names` differs; a field absent from either side is not compared."""
    for name in names:
        if name not in listed or name not in stored:
            continue
        if _normalise(name, listed[name]) != _normalise(name, stored[name]):
            return True
    return False


def classify(listed: Mapping[str, Any], stored: StoredRun | None, full_refresh: bool) -> str:
    """'new', 'moved', 'edited' or 'unchanged' for one listed run."""
    if stored is None or not stored.has_full:
        return "new" if stored is None else "moved"
    if full_refresh or _differs(listed, stored.fields, HEAVY_TRIGGER_FIELDS):
        return "moved"
    if _differs(listed, stored.fields, LIGHT_FIELDS):
        return "edited"
    return "unchanged"


def plan_sync(
    listing: Mapping[str, Mapping[str, Any]],
    stored: Mapping[str, StoredRun],
    *,
    full_refresh: bool = False,
    listing_complete: bool = True,
    previously_absent: Iterable[str] = (),
) -> SyncPlan:
    """Classify every listed run; flag stored runs a complete listing lacks as deleted.

    `previously_absent` are stored runs already missing from the previous complete
    listing: they were counted deleted then and are not counted again.
    """
    plan = SyncPlan(listed=list(listing))
    for run_id, node in listing.items():
        kind = classify(node, stored.get(run_id), full_refresh)
        getattr(plan, kind).append(run_id)
    if listing_complete:
        known_gone = set(previously_absent)
        plan.deleted = sorted(
            run_id for run_id in stored if run_id not in listing and run_id not in known_gone
        )
    return plan


def batches(run_ids: Sequence[str], size: int = MAX_BATCH) -> Iterator[list[str]]:
    """Consecutive slices of at most `size` ids (the SDK's `$in` filter batches)."""
    if not 1 <= size <= MAX_BATCH:
        raise ValueError(f"batch size must be between 1 and {MAX_BATCH}")
    for start in range(0, len(run_ids), size):
        yield list(run_ids[start : start + size])


def requests_needed(listed: int, heavy: int, page_size: int, batch_size: int = MAX_BATCH) -> int:
    """Listing pages plus heavy batches: the request budget of a sync (at least one page)."""
    pages = max(1, -(-listed // page_size))
    return pages + -(-heavy // batch_size)
