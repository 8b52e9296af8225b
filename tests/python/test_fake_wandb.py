"""The fake W&B server itself: filters, order, paging, auth, faults (plain HTTP, no SDK)."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from fake_wandb import DEFAULT_KEY, FakeRun, FakeWandb, run_matches

from extract.wandb_api.config import public_url

LIGHT_QUERY = """
query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50,
           $order: String, $filters: JSONString) {
    project(name: $project, entityName: $entity) {
        internalId
        runCount(filters: $filters)
        runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
            edges { node { projectId ...LightweightRunFragment } cursor }
            pageInfo { endCursor hasNextPage }
        }
    }
}
fragment LightweightRunFragment on Run { id name state tags user { name username } }
"""


def post(
    fake: FakeWandb,
    query: str,
    variables: dict,
    key: str = DEFAULT_KEY,
    headers: dict | None = None,
) -> tuple:
    """(status, body) of one GraphQL POST; the response headers go into `headers`."""
    request = urllib.request.Request(
        fake.url + "/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(f"api:{key}".encode()).decode()},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if headers is not None:
                headers.update(response.headers)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if headers is not None:
            headers.update(exc.headers)
        return exc.code, None


def names(fake: FakeWandb, filters: dict, order: str = "+created_at", per_page: int = 50):
    seen, cursor = [], None
    while True:
        status, body = post(
            fake,
            LIGHT_QUERY,
            {
                "entity": "lab",
                "project": "p",
                "filters": json.dumps(filters),
                "order": order,
                "perPage": per_page,
                "cursor": cursor,
            },
        )
        assert status == 200, body
        runs = body["data"]["project"]["runs"]
        seen += [edge["node"]["name"] for edge in runs["edges"]]
        if not runs["pageInfo"]["hasNextPage"]:
            return seen
        cursor = runs["edges"][-1]["cursor"]


@pytest.fixture
def workspace(fake: FakeWandb) -> FakeWandb:
    for i in range(7):
        fake.add_run(
            "lab",
            "p",
            FakeRun(
                f"r{i}",
                state="running" if i % 2 else "finished",
                tags=["even"] if i % 2 == 0 else [],
                created_at=f"2025-01-0{i + 1}T00:00:00",
                history_line_count=i * 10,
                config={"lr": i / 10},
                summary={"loss": 1.0 / (i + 1)},
            ),
        )
    return fake


def test_light_fragment_serves_exactly_its_fields(workspace: FakeWandb) -> None:
    _, body = post(workspace, LIGHT_QUERY, {"entity": "lab", "project": "p", "perPage": 1})
    node = body["data"]["project"]["runs"]["edges"][0]["node"]
    assert set(node) == {"projectId", "id", "name", "state", "tags", "user"}
    assert body["data"]["project"]["runCount"] == 7


def test_cursor_paging_visits_every_run_once(workspace: FakeWandb) -> None:
    assert names(workspace, {}, per_page=3) == [f"r{i}" for i in range(7)]
    assert names(workspace, {}, order="-created_at", per_page=2) == [
        f"r{i}" for i in reversed(range(7))
    ]


def test_paging_survives_a_deletion_between_pages(workspace: FakeWandb) -> None:
    _, first = post(workspace, LIGHT_QUERY, {"entity": "lab", "project": "p", "perPage": 3})
    cursor = first["data"]["project"]["runs"]["edges"][-1]["cursor"]
    workspace.delete_run("lab", "p", "r2")  # the cursor's own run
    _, second = post(
        workspace, LIGHT_QUERY, {"entity": "lab", "project": "p", "perPage": 3, "cursor": cursor}
    )
    assert [e["node"]["name"] for e in second["data"]["project"]["runs"]["edges"]] == [
        "r3",
        "r4",
        "r5",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"name": {"$in": ["r1", "r5", "nope"]}}, ["r1", "r5"]),
        ({"state": "running"}, ["r1", "r3", "r5"]),
        ({"state": {"$ne": "running"}}, ["r0", "r2", "r4", "r6"]),
        ({"historyLineCount": {"$gt": 40}}, ["r5", "r6"]),
        ({"historyLineCount": {"$gte": 40, "$lt": 60}}, ["r4", "r5"]),
        ({"historyLineCount": {"$lte": 10}}, ["r0", "r1"]),
        (
            {"$and": [{"state": "finished"}, {"tags": "even"}, {"name": {"$nin": ["r0"]}}]},
            ["r2", "r4", "r6"],
        ),
        ({"$or": [{"name": "r0"}, {"config.lr": {"$gte": 0.55}}]}, ["r0", "r6"]),
        ({"summary_metrics.loss": {"$lt": 0.2}}, ["r5", "r6"]),
        ({"createdAt": {"$gt": "2025-01-06"}}, ["r5", "r6"]),
        ({"display_name": {"$regex": "^run-r[12]$"}}, ["r1", "r2"]),
        ({"group": {"$exists": False}}, []),
    ],
)
def test_mongo_style_filters(workspace: FakeWandb, filters: dict, expected: list[str]) -> None:
    assert names(workspace, filters) == expected


def test_unknown_filter_operator_is_an_error() -> None:
    with pytest.raises(ValueError):
        run_matches(FakeRun("x"), {"$where": "1"})


def test_unknown_project_is_null(workspace: FakeWandb) -> None:
    _, body = post(workspace, LIGHT_QUERY, {"entity": "lab", "project": "nope"})
    assert body["data"] == {"project": None}


def test_wrong_key_is_401(workspace: FakeWandb) -> None:
    assert post(workspace, LIGHT_QUERY, {}, key="wrong")[0] == 401


def test_faults_fire_the_given_number_of_times(workspace: FakeWandb) -> None:
    workspace.fail(429, times=1, operation="Runs")
    workspace.fail(500, times=1)
    args = (LIGHT_QUERY, {"entity": "lab", "project": "p"})
    assert [post(workspace, *args)[0] for _ in range(3)] == [429, 500, 200]
    assert workspace.received["Runs"] == 3
    assert workspace.served["Runs"] == 1


def test_injected_429_carries_retry_after(workspace: FakeWandb) -> None:
    workspace.fail(429, times=1, retry_after=2.5)
    workspace.fail(429, times=1)
    args = (LIGHT_QUERY, {"entity": "lab", "project": "p"})
    first: dict = {}
    second: dict = {}
    assert post(workspace, *args, headers=first)[0] == 429
    assert post(workspace, *args, headers=second)[0] == 429
    assert first["Retry-After"] == "2.5"
    assert "Retry-After" not in second


def test_max_concurrent_answers_429_past_the_limit(workspace: FakeWandb) -> None:
    # The two requests let in are held until all five arrived: with a latency instead,
    # a request sent late on a loaded machine found one of them answered and was let in.
    workspace.hold_after("Runs", served=0)
    workspace.max_concurrent = 2
    workspace.retry_after = 3
    args = (LIGHT_QUERY, {"entity": "lab", "project": "p"})
    results: list[tuple[int, str | None]] = []

    def one() -> None:
        headers: dict = {}
        status, _ = post(workspace, *args, headers=headers)
        results.append((status, headers.get("Retry-After")))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while workspace.received["Runs"] < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    workspace.release()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [(200, None)] * 2 + [(429, "3")] * 3
    assert workspace.peak_active == 2
    assert workspace.rejected["Runs"] == 3
    assert workspace.received["Runs"] == 5 and workspace.served["Runs"] == 2


def test_unknown_operation_is_reported(workspace: FakeWandb, capsys) -> None:
    status, body = post(workspace, "query Mystery { mystery }", {})
    assert status == 200 and body["errors"]
    assert workspace.unknown_operations == ["Mystery"]
    assert "Mystery" in capsys.readouterr().err


def test_public_url_drops_credentials() -> None:
    assert public_url("https://user:secret@wandb.example.com:8443/x") == (
        "https://wandb.example.com:8443/x"
    )
    assert public_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"


def test_the_real_sdk_reads_the_fake(workspace: FakeWandb, wandb_env) -> None:
    import wandb

    api = wandb.Api(overrides={"base_url": workspace.url}, api_key=DEFAULT_KEY)
    run = api.run("lab/p/r3")
    assert (run.id, run.name, run.state) == ("r3", "run-r3", "running")
    assert run.config == {"lr": 0.3}
    assert run.summary["loss"] == 0.25
    assert workspace.served["Run"] == 1
    lazy = api.runs("lab/p", per_page=10)[4]  # light fragment: no config yet
    assert workspace.served["Run"] == 1
    assert lazy.config == {"lr": 0.4}  # costs one more Run request (full fragment)
    assert workspace.served["Run"] == 2
    runs = api.runs(
        "lab/p",
        filters={"$or": [{"name": "r0"}, {"historyLineCount": {"$gte": 50}}]},
        order="-created_at",
        per_page=2,
        lazy=False,
    )
    assert [r.id for r in runs] == ["r6", "r5", "r0"]
    assert len(runs) == 3
    assert workspace.unknown_operations == []
