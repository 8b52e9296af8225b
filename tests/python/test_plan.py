"""Decision logic of a sync, without a server."""

from __future__ import annotations

import json

import pytest

from extract.sync.plan import (
    HeavyBatcher,
    StoredRun,
    batches,
    classify,
    dedupe_listing,
    plan_sync,
    requests_needed,
)
from extract.sync.records import build_record

BASE = {
    "name": "r1",
    "displayName": "alpha",
    "state": "finished",
    "tags": ["a"],
    "group": "g",
    "jobType": "train",
    "createdAt": "2025-01-01T00:00:00",
    "heartbeatAt": "2025-01-01T01:00:00",
    "historyLineCount": 10,
}


def stored(fields: dict | None = None, has_full: bool = True) -> StoredRun:
    return StoredRun(run_id="r1", fields={**BASE, **(fields or {})}, has_full=has_full)


def test_unseen_run_is_new() -> None:
    assert classify(BASE, None, full_refresh=False) == "new"


def test_identical_run_is_unchanged() -> None:
    assert classify(BASE, stored(), full_refresh=False) == "unchanged"


@pytest.mark.parametrize(
    "change",
    [{"tags": ["a", "b"]}, {"state": "crashed"}, {"displayName": "beta"}, {"group": None}],
)
def test_light_field_edit_needs_no_heavy_fetch(change: dict) -> None:
    assert classify({**BASE, **change}, stored(), full_refresh=False) == "edited"


@pytest.mark.parametrize(
    "change", [{"heartbeatAt": "2025-01-01T02:00:00"}, {"historyLineCount": 11}]
)
def test_moved_heartbeat_or_history_needs_heavy_fetch(change: dict) -> None:
    assert classify({**BASE, **change, "state": "finished"}, stored(), False) == "moved"


def test_run_stored_only_in_light_form_is_fetched() -> None:
    assert classify(BASE, stored(has_full=False), full_refresh=False) == "moved"


def test_full_refresh_fetches_unchanged_runs() -> None:
    assert classify(BASE, stored(), full_refresh=True) == "moved"


def test_timestamps_compare_as_instants() -> None:
    # A file loaded with 'Z' timestamps and a server without them agree.
    listed = {**BASE, "createdAt": "2025-01-01T00:00:00Z", "heartbeatAt": "2025-01-01T01:00:00"}
    assert classify(listed, stored({"heartbeatAt": "2025-01-01T01:00:00+00:00"}), False) == (
        "unchanged"
    )


def test_fields_missing_on_one_side_are_not_compared() -> None:
    listed = {**BASE, "notes": "new field the file never had"}
    assert classify(listed, stored(), full_refresh=False) == "unchanged"
    assert classify(BASE, stored({"notes": "x"}), full_refresh=False) == "unchanged"
    assert classify({**BASE, "notes": "y"}, stored({"notes": "x"}), False) == "edited"


def test_plan_sorts_runs_and_flags_deletions() -> None:
    listing = {
        "keep": {**BASE, "name": "keep"},
        "tagged": {**BASE, "name": "tagged", "tags": ["z"]},
        "moved": {**BASE, "name": "moved", "historyLineCount": 99},
        "fresh": {**BASE, "name": "fresh"},
    }
    held = {
        name: StoredRun(name, {**BASE, "name": name}, True)
        for name in ("keep", "tagged", "moved", "gone", "gone_before")
    }
    plan = plan_sync(listing, held, previously_absent={"gone_before"})
    assert plan.new == ["fresh"]
    assert plan.moved == ["moved"]
    assert plan.edited == ["tagged"]
    assert plan.unchanged == ["keep"]
    assert plan.deleted == ["gone"]
    assert plan.heavy == ["moved", "fresh"]
    assert plan.changed == 2


def test_incomplete_listing_flags_nothing_deleted() -> None:
    held = {"gone": StoredRun("gone", BASE, True)}
    assert plan_sync({}, held, listing_complete=False).deleted == []
    assert plan_sync({}, held, listing_complete=True).deleted == ["gone"]


def test_dedupe_keeps_one_node_per_run_the_later_one() -> None:
    nodes = [{"name": "a", "v": 1}, {"name": "b", "v": 1}, {"name": "a", "v": 2}]
    deduped = dedupe_listing(nodes)
    assert list(deduped) == ["a", "b"]
    assert deduped["a"]["v"] == 2


def test_batches_hold_at_most_100_ids() -> None:
    ids = [f"r{i}" for i in range(250)]
    sizes = [len(batch) for batch in batches(ids)]
    assert sizes == [100, 100, 50]
    assert [i for batch in batches(ids) for i in batch] == ids
    with pytest.raises(ValueError):
        list(batches(ids, 101))


def test_heavy_batches_cut_page_by_page_are_those_of_the_whole_listing() -> None:
    pages = [
        [{**BASE, "name": f"r{i:03d}", "historyLineCount": i % 3} for i in range(p, p + 70)]
        for p in range(0, 350, 70)
    ]
    held = {f"r{i:03d}": StoredRun(f"r{i:03d}", {**BASE, "historyLineCount": 0}, True)
            for i in range(0, 350, 2)}  # fmt: skip
    batcher = HeavyBatcher(held, full_refresh=False, size=40)
    cut = [batch for page in pages for batch in batcher.add(page)] + batcher.rest()
    plan = plan_sync(dedupe_listing(node for page in pages for node in page), held)
    assert cut == list(batches(plan.heavy, 40))
    assert batcher.queued == len(plan.heavy)
    assert [len(b) for b in cut[:-1]] == [40] * (len(cut) - 1)


def test_a_run_listed_twice_is_fetched_once() -> None:
    batcher = HeavyBatcher({}, full_refresh=False, size=2)
    assert batcher.add([{**BASE, "name": "a"}, {**BASE, "name": "b"}]) == [["a", "b"]]
    assert batcher.add([{**BASE, "name": "a"}, {**BASE, "name": "c"}]) == []
    assert batcher.rest() == [["c"]] and batcher.rest() == []


def test_request_budget() -> None:
    assert requests_needed(listed=10_000, heavy=0, page_size=1000) == 10
    assert requests_needed(listed=10_000, heavy=100, page_size=1000) == 11
    assert requests_needed(listed=0, heavy=0, page_size=1000) == 1


def test_full_record_keeps_summary_text_exactly() -> None:
    summary = '{"loss": NaN, "best": -Infinity, "steps": 18446744073709551617, "lr": 1e-300}'
    node = {**BASE, "config": '{"lr": {"value": 0.1, "desc": null}}', "summaryMetrics": summary}
    text = build_record(node, entity="e", project="p", fetched_at="2025-01-02T00:00:00Z", full=True)
    assert summary in text
    record = json.loads(text)
    assert record["summaryMetrics"]["steps"] == 18446744073709551617
    assert record["config"] == {"lr": {"value": 0.1, "desc": None}}
    assert (record["entity"], record["project"], record["name"]) == ("e", "p", "r1")


def test_light_record_has_no_config_or_summary() -> None:
    node = {**BASE, "config": "{}", "summaryMetrics": "{}"}
    record = json.loads(build_record(node, entity="e", project="p", fetched_at="t", full=False))
    assert "config" not in record and "summaryMetrics" not in record
    assert record["tags"] == ["a"]


def test_missing_or_odd_blobs_become_valid_json() -> None:
    node = {**BASE, "config": None, "summaryMetrics": "not json"}
    record = json.loads(build_record(node, entity="e", project="p", fetched_at="t", full=True))
    assert record["config"] == {}
    assert record["summaryMetrics"] == "not json"


def test_client_bounds_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from extract.errors import UserError
    from extract.wandb_api.config import ClientConfig

    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:1234/")
    monkeypatch.setenv("WANDB_WAREHOUSE_MAX_RETRIES", "0")
    monkeypatch.setenv("WANDB_WAREHOUSE_RETRY_WAIT", "0.2")
    monkeypatch.setenv("WANDB_WAREHOUSE_TIMEOUT", "15")
    monkeypatch.delenv("WANDB_WAREHOUSE_CONCURRENCY", raising=False)
    config = ClientConfig.from_env()
    assert config.base_url == "http://127.0.0.1:1234"
    assert config.max_retries == 1  # 0 would mean wandb-core's default of 20
    assert config.retry_wait_max == 1.0  # wandb-core ignores waits under a second
    assert config.call_timeout == 15.0
    assert config.page_size == 1000
    assert config.concurrency == 4
    monkeypatch.setenv("WANDB_WAREHOUSE_CONCURRENCY", "10")
    assert ClientConfig.from_env().concurrency == 10
    monkeypatch.setenv("WANDB_WAREHOUSE_PAGE_SIZE", "many")
    with pytest.raises(UserError, match="WANDB_WAREHOUSE_PAGE_SIZE"):
        ClientConfig.from_env()
