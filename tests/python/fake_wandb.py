"""A fake W&B GraphQL server for tests: stdlib HTTP on 127.0.0.1, reached by the real SDK.

The wandb SDK (>= 0.26) sends its GraphQL through the wandb-core process, so the fake is a
real HTTP server that `WANDB_BASE_URL` points at. It holds an in-memory workspace you
mutate between syncs, answers the operations the SDK sends (dispatch table keyed by
operation name; add handlers with `FakeWandb.handlers[name] = fn`), counts what it
received and served per operation, and injects faults and latency. It serves requests
concurrently (one thread each) and records the most it served at once (`peak_active`);
`max_concurrent` makes it answer 429 with `Retry-After` to requests past that many in
flight, as a rate-limited W&B does.

    with FakeWandb() as fake:
        fake.add_run("lab", "proj", FakeRun("r1", state="running"))
        env = fake.env()            # WANDB_BASE_URL, WANDB_API_KEY
        ...
        fake.served["Runs"]         # how many Runs responses were sent

Operations answered: Viewer, GetDefaultEntity, ServerFeaturesQuery, Runs (light and full
fragments, Mongo-style filters, order, cursor paging) and Run; for entities, sweeps and
artifacts (the operations wandb 0.31 sends, read from its generated queries): GetProjects
(`Api.projects(entity)`), GetSweeps (`Project.sweeps()`) and RunInputArtifacts /
RunOutputArtifacts (`Run.used_artifacts()` / `Run.logged_artifacts()`), with the shapes the
SDK's own pydantic models validate. An operation without a handler is printed to stderr,
recorded in `unknown_operations` and answered with a GraphQL error.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import math
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

DEFAULT_KEY = "fake" + "0" * 36  # 40 characters, the shape of a W&B API key
MAX_PAGE_SIZE = 1000


# -- the workspace --------------------------------------------------------------------------


@dataclass
class FakeRun:
    """One run as the server holds it. `config` maps key -> value; `summary` is a dict or
    the raw JSON text to serve (use text for NaN/Infinity/huge integers exactly)."""

    name: str
    display_name: str | None = None
    state: str = "finished"
    tags: list[str] = field(default_factory=list)
    group: str | None = None
    job_type: str | None = None
    created_at: str = "2025-01-01T00:00:00"
    heartbeat_at: str = "2025-01-01T01:00:00"
    history_line_count: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] | str = field(default_factory=dict)
    notes: str | None = None
    description: str | None = None
    username: str = "alice"
    storage_id: str = ""
    sweep: str | None = None  # the sweep's name (its id) when a sweep agent launched the run
    used_artifacts: list[FakeArtifact] = field(default_factory=list)
    logged_artifacts: list[FakeArtifact] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.display_name is None:
            self.display_name = f"run-{self.name}"
        if not self.storage_id:
            self.storage_id = base64.b64encode(f"Run:{self.name}".encode()).decode()

    # JSON texts as the W&B server sends them (JSONString fields)
    def config_text(self) -> str:
        return json.dumps({k: {"value": v, "desc": None} for k, v in self.config.items()})

    def summary_text(self) -> str:
        if isinstance(self.summary, str):
            return self.summary
        return json.dumps(self.summary)

    def summary_values(self) -> dict[str, Any]:
        return json.loads(self.summary_text())

    def field_value(self, name: str, project_id: str) -> Any:
        """The value of one GraphQL field of the Run type."""
        getter = _NODE_FIELDS.get(name)
        if getter is None:
            _warn(f"Run field {name!r} is not known to the fake; answering null")
            return None
        return getter(self, project_id)


_NODE_FIELDS: dict[str, Callable[[FakeRun, str], Any]] = {
    "id": lambda run, _: run.storage_id,
    "name": lambda run, _: run.name,
    "displayName": lambda run, _: run.display_name,
    "projectId": lambda _, project_id: project_id,
    "tags": lambda run, _: list(run.tags),
    "sweepName": lambda run, _: run.sweep,
    "state": lambda run, _: run.state,
    "config": lambda run, _: run.config_text(),
    "group": lambda run, _: run.group,
    "jobType": lambda run, _: run.job_type,
    "commit": lambda run, _: None,
    "readOnly": lambda run, _: False,
    "createdAt": lambda run, _: run.created_at,
    "heartbeatAt": lambda run, _: run.heartbeat_at,
    "description": lambda run, _: run.description,
    "notes": lambda run, _: run.notes,
    "systemMetrics": lambda run, _: "{}",
    "summaryMetrics": lambda run, _: run.summary_text(),
    "historyLineCount": lambda run, _: run.history_line_count,
    "user": lambda run, _: {"name": run.username, "username": run.username},
    "historyKeys": lambda run, _: None,
}


@dataclass
class FakeSweep:
    """One sweep as the server holds it. `config` is the sweep configuration; W&B stores
    and serves it as YAML text (the SDK's `upsertSweep` sends `yaml.dump(config)`)."""

    name: str  # the sweep id: what a run's `sweepName` holds
    config: dict[str, Any] | str = field(default_factory=dict)
    display_name: str | None = None
    method: str | None = None  # default: the config's `method`
    state: str = "FINISHED"
    description: str | None = None
    best_loss: float | None = None
    created_at: str = "2025-01-01T00:00:00"
    updated_at: str | None = None
    run_count_expected: int | None = None
    storage_id: str = ""

    def __post_init__(self) -> None:
        if not self.storage_id:
            self.storage_id = base64.b64encode(f"Sweep:{self.name}".encode()).decode()

    def config_text(self) -> str:
        if isinstance(self.config, str):
            return self.config
        return yaml.dump(self.config)

    def node(self, run_count: int) -> dict[str, Any]:
        """The node of the SDK's SweepFragment."""
        method = self.method
        if method is None and isinstance(self.config, dict):
            method = self.config.get("method")
        return {
            "__typename": "Sweep",
            "id": self.storage_id,
            "name": self.name,
            "displayName": self.display_name,
            "method": method or "random",
            "state": self.state,
            "description": self.description,
            "bestLoss": self.best_loss,
            "config": self.config_text(),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "runCount": run_count,
            "runCountExpected": self.run_count_expected,
        }


@dataclass
class FakeLink:
    """The version linked into another collection (a registry's or a portfolio): its
    index there and the aliases it holds there."""

    name: str
    version: int = 0
    aliases: list[str] = field(default_factory=list)
    entity: str = "lab"
    project: str = "wandb-registry-model"


@dataclass
class FakeArtifact:
    """One artifact version (`name:v<version>` of a collection in `entity/project`). Runs
    that used or logged it hold the same object, so they see one id. `aliases` are those
    it holds in its own collection besides `v<version>`, which W&B always lists; `links`
    the collections it is linked into."""

    name: str
    version: int = 0
    type: str = "dataset"
    entity: str = "lab"
    project: str = "p"
    aliases: list[str] = field(default_factory=list)
    links: list[FakeLink] = field(default_factory=list)
    size: int = 1024
    digest: str = ""
    file_count: int = 1
    created_at: str = "2025-01-01T00:00:00"
    metadata: dict[str, Any] = field(default_factory=dict)
    storage_id: str = ""

    def __post_init__(self) -> None:
        path = f"{self.entity}/{self.project}/{self.name}:v{self.version}"
        if not self.storage_id:
            self.storage_id = base64.b64encode(f"Artifact:{path}".encode()).decode()
        if not self.digest:
            self.digest = hashlib.md5(path.encode()).hexdigest()

    def node(self, project_ids: Callable[[str, str], str]) -> dict[str, Any]:
        """The node of the SDK's ArtifactFragment. Its aliases are W&B's: one entry per
        (collection, alias), the version index in each collection included."""

        def project(entity: str, name: str) -> dict[str, Any]:
            internal = project_ids(entity, name)
            return {
                "id": base64.b64encode(f"Project:{internal}".encode()).decode(),
                "internalId": internal,
                "name": name,
                "entity": {"name": entity},
            }

        own = {
            "__typename": "ArtifactSequence",
            "name": self.name,
            "project": project(self.entity, self.project),
        }
        held = [(own, alias) for alias in [f"v{self.version}", *self.aliases]]
        for link in self.links:
            portfolio = {
                "__typename": "ArtifactPortfolio",
                "name": link.name,
                "project": project(link.entity, link.project),
            }
            held += [(portfolio, alias) for alias in [f"v{link.version}", *link.aliases]]
        return {
            "__typename": "Artifact",
            "id": self.storage_id,
            "artifactSequence": own,
            "versionIndex": self.version,
            "artifactType": {"name": self.type},
            "description": None,
            "metadata": json.dumps(self.metadata),
            "ttlDurationSeconds": -1,
            "ttlIsInherited": True,
            "tags": [],
            "historyStep": None,
            "state": "COMMITTED",
            "size": self.size,
            "digest": self.digest,
            "digestAlgorithm": "MANIFEST_MD5",
            "commitHash": None,
            "fileCount": self.file_count,
            "createdAt": self.created_at,
            "updatedAt": None,
            "aliases": [
                {
                    "artifactCollection": collection,
                    "__typename": "ArtifactAlias",
                    "id": base64.b64encode(
                        f"ArtifactAlias:{self.storage_id}:{a}".encode()
                    ).decode(),
                    "alias": alias,
                }
                for a, (collection, alias) in enumerate(held)
            ],
        }


@dataclass
class FakeProject:
    entity: str
    name: str
    internal_id: str
    runs: dict[str, FakeRun] = field(default_factory=dict)
    sweeps: dict[str, FakeSweep] = field(default_factory=dict)
    created_at: str = "2025-01-01T00:00:00"


# -- faults ---------------------------------------------------------------------------------


@dataclass
class Fault:
    """Answer `times` matching requests (None: forever) with an HTTP error status (and a
    `Retry-After` header of `retry_after` seconds, if given). A request matches if its
    operation is `operation` (or any) and `match(request)` holds (if given)."""

    status: int
    times: int | None = 1
    operation: str | None = None
    body: str = '{"errors": [{"message": "injected failure"}]}'
    retry_after: float | None = None
    match: Callable[[Request], bool] | None = None

    def matches(self, request: Request) -> bool:
        if self.operation is not None and self.operation != request.operation:
            return False
        return self.match is None or self.match(request)


# -- GraphQL helpers ------------------------------------------------------------------------

_OPERATION_RE = re.compile(r"^\s*(?:#graphql\s*)?(?:query|mutation)\s+(\w+)", re.MULTILINE)


def operation_name(body: Mapping[str, Any]) -> str:
    """The operation name: `operationName`, else the first `query Name` in the document."""
    if body.get("operationName"):
        return str(body["operationName"])
    match = _OPERATION_RE.search(str(body.get("query", "")))
    return match.group(1) if match else "<anonymous>"


def _block_after(text: str, start: int) -> tuple[str, int]:
    """The `{...}` block starting at or after `start` (without braces) and its end."""
    open_at = text.index("{", start)
    depth = 0
    for pos in range(open_at, len(text)):
        if text[pos] == "{":
            depth += 1
        elif text[pos] == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : pos], pos
    raise ValueError("unbalanced braces in query")


def _top_level_fields(selection: str) -> list[str]:
    """Field names (and `...Fragment` spreads) at depth 0 of a selection set."""
    names: list[str] = []
    depth = 0
    for token in re.findall(r"\.\.\.\s*\w+|[A-Za-z_]\w*|[{}()]", selection):
        if token in "{(":
            depth += 1
        elif token in "})":
            depth -= 1
        elif depth == 0:
            names.append(token.replace(" ", ""))
    return names


def fragment_fields(query: str, fragment: str) -> list[str]:
    match = re.search(rf"fragment\s+{fragment}\s+on\s+\w+", query)
    if not match:
        raise ValueError(f"fragment {fragment} not defined in query")
    selection, _ = _block_after(query, match.end())
    return _top_level_fields(selection)


def node_fields(query: str, anchor: str) -> list[str]:
    """Fields selected on the run node below `anchor` (e.g. 'node' or 'run(name: $name)'),
    with fragment spreads expanded."""
    position = query.index(anchor)
    selection, _ = _block_after(query, position)
    fields: list[str] = []
    for name in _top_level_fields(selection):
        if name.startswith("..."):
            fields.extend(fragment_fields(query, name[3:]))
        else:
            fields.append(name)
    return fields


# -- Mongo-style filters --------------------------------------------------------------------

_FIELD_ALIASES = {
    "display_name": "displayName",
    "created_at": "createdAt",
    "createdAt": "createdAt",
    "heartbeat_at": "heartbeatAt",
    "job_type": "jobType",
    "history_line_count": "historyLineCount",
}


def _lookup(run: FakeRun, path: str) -> tuple[bool, Any]:
    """(exists, value) of a filter path on a run."""
    if path.startswith("config."):
        key = path[len("config.") :].removesuffix(".value")
        return (key in run.config, run.config.get(key))
    for prefix in ("summary_metrics.", "summaryMetrics.", "summary."):
        if path.startswith(prefix):
            summary = run.summary_values()
            key = path[len(prefix) :]
            return (key in summary, summary.get(key))
    name = _FIELD_ALIASES.get(path, path)
    getter = _RUN_FIELDS.get(name)
    if getter is None:
        return (False, None)
    return (True, getter(run))


_RUN_FIELDS: dict[str, Callable[[FakeRun], Any]] = {
    "name": lambda run: run.name,
    "displayName": lambda run: run.display_name,
    "state": lambda run: run.state,
    "tags": lambda run: run.tags,
    "group": lambda run: run.group,
    "jobType": lambda run: run.job_type,
    "createdAt": lambda run: run.created_at,
    "heartbeatAt": lambda run: run.heartbeat_at,
    "historyLineCount": lambda run: run.history_line_count,
    "username": lambda run: run.username,
}


def _compare(op: str, value: Any, operand: Any) -> bool:
    if value is None or operand is None:
        return False
    try:
        if op == "$gt":
            return value > operand
        if op == "$gte":
            return value >= operand
        if op == "$lt":
            return value < operand
        return value <= operand
    except TypeError:
        return False


def _match_value(value: Any, exists: bool, condition: Any) -> bool:
    """Does a field value satisfy a condition ({"$op": x, ...} or a literal)?"""
    if isinstance(condition, dict) and any(str(k).startswith("$") for k in condition):
        return all(_match_operator(value, exists, op, arg) for op, arg in condition.items())
    if isinstance(value, list):
        return condition in value or value == condition
    return value == condition


def _match_operator(value: Any, exists: bool, op: str, arg: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if op == "$eq":
        return _match_value(value, exists, arg)
    if op == "$ne":
        return not _match_value(value, exists, arg)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        return any(_compare(op, item, arg) for item in values)
    if op == "$in":
        return any(item in arg for item in values)
    if op == "$nin":
        return not any(item in arg for item in values)
    if op == "$exists":
        return exists == bool(arg)
    if op == "$regex":
        return any(isinstance(item, str) and re.search(arg, item) for item in values)
    raise ValueError(f"filter operator {op} is not supported by the fake")


def run_matches(run: FakeRun, filters: Mapping[str, Any]) -> bool:
    """Evaluate a W&B (MongoDB-style) run filter."""
    for key, condition in filters.items():
        if key == "$and":
            if not all(run_matches(run, sub) for sub in condition):
                return False
        elif key == "$or":
            if not any(run_matches(run, sub) for sub in condition):
                return False
        elif key == "$nor":
            if any(run_matches(run, sub) for sub in condition):
                return False
        elif key.startswith("$"):
            raise ValueError(f"filter operator {key} is not supported by the fake")
        else:
            exists, value = _lookup(run, key)
            if not _match_value(value, exists, condition):
                return False
    return True


def _sort_key(order: str) -> Callable[[FakeRun], tuple[Any, ...]]:
    """The sort key of an `order` ('+created_at', '-summary_metrics.loss', ...)."""
    path = order.lstrip("+-") or "created_at"
    # A plain run field (the usual order) skips the config/summary prefix checks: a
    # listing page sorts every run of the project, under the server's lock.
    getter = _RUN_FIELDS.get(_FIELD_ALIASES.get(path, path))

    def key(run: FakeRun) -> tuple[Any, ...]:
        value = getter(run) if getter is not None else _lookup(run, path)[1]
        if isinstance(value, float) and math.isnan(value):
            value = None
        if isinstance(value, list):
            value = ",".join(map(str, value))
        return (value is None, value if value is not None else 0, run.name)

    return key


# -- the server -----------------------------------------------------------------------------


@dataclass
class Request:
    """One GraphQL request as the handlers see it."""

    operation: str
    query: str
    variables: dict[str, Any]


class GraphQLError(Exception):
    """Answered as {"errors": [...]} with HTTP 200, as GraphQL servers do."""


Handler = Callable[["FakeWandb", Request], dict[str, Any]]


class FakeWandb:
    """The fake server; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        api_keys: tuple[str, ...] = (DEFAULT_KEY,),
        viewer_entity: str = "lab",
        max_page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.api_keys = set(api_keys)
        self.viewer_entity = viewer_entity
        self.max_page_size = max_page_size
        self.projects: dict[tuple[str, str], FakeProject] = {}
        self.received: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.log: list[Request] = []
        self.unknown_operations: list[str] = []
        self.faults: list[Fault] = []
        self.latency = 0.0
        # Past `max_concurrent` GraphQL requests in flight: HTTP 429, Retry-After seconds.
        self.max_concurrent: int | None = None
        self.retry_after = 1.0
        self.active = 0
        self.peak_active = 0
        self.rejected: Counter[str] = Counter()  # 429s answered for `max_concurrent`
        self.handlers: dict[str, Handler] = default_handlers()
        self.lock = threading.RLock()
        self._hold_rules: list[tuple[str, int]] = []
        # URL path -> body of a file served by GET (signed-URL downloads).
        self.downloads: dict[str, Callable[[], bytes]] = {}
        self.held = threading.Event()  # set when a request is being held
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeWandb:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeWandb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def env(self, key: str = DEFAULT_KEY) -> dict[str, str]:
        """Environment variables that point the SDK at this fake."""
        return {"WANDB_BASE_URL": self.url, "WANDB_API_KEY": key}

    # -- workspace
    def project(self, entity: str, name: str) -> FakeProject:
        with self.lock:
            key = (entity, name)
            if key not in self.projects:
                internal = str(len(self.projects) + 1)
                self.projects[key] = FakeProject(entity, name, internal)
            return self.projects[key]

    def add_run(self, entity: str, project: str, run: FakeRun) -> FakeRun:
        with self.lock:
            self.project(entity, project).runs[run.name] = run
        return run

    def run(self, entity: str, project: str, name: str) -> FakeRun:
        return self.projects[(entity, project)].runs[name]

    def delete_run(self, entity: str, project: str, name: str) -> None:
        with self.lock:
            del self.projects[(entity, project)].runs[name]

    def add_sweep(self, entity: str, project: str, sweep: FakeSweep) -> FakeSweep:
        with self.lock:
            self.project(entity, project).sweeps[sweep.name] = sweep
        return sweep

    def delete_project(self, entity: str, project: str) -> None:
        with self.lock:
            del self.projects[(entity, project)]

    # -- counters, faults, latency
    def reset_counters(self) -> None:
        with self.lock:
            self.received.clear()
            self.served.clear()
            self.log.clear()
            self.unknown_operations.clear()
            self.rejected.clear()
            self.peak_active = self.active

    def fail(
        self,
        status: int,
        times: int | None = 1,
        operation: str | None = None,
        retry_after: float | None = None,
        match: Callable[[Request], bool] | None = None,
    ) -> None:
        """The next `times` requests (of `operation`, or any) get HTTP `status`."""
        with self.lock:
            self.faults.append(
                Fault(status, times, operation, retry_after=retry_after, match=match)
            )

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def hold_after(self, operation: str, served: int) -> None:
        """Hang every `operation` request once `served` of them were answered."""
        with self.lock:
            self._release.clear()
            self.held.clear()
            self._hold_rules.append((operation, served))

    def release(self) -> None:
        with self.lock:
            self._hold_rules.clear()
        self._release.set()

    def full_runs_requests(self) -> int:
        """Runs requests that asked for config/summary (heavy fetches)."""
        with self.lock:
            return sum(1 for r in self.log if r.operation == "Runs" and _is_full(r.query))

    def light_runs_requests(self) -> int:
        with self.lock:
            return sum(1 for r in self.log if r.operation == "Runs" and not _is_full(r.query))

    # -- HTTP
    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        if not http.path.startswith("/graphql"):
            # wandb-core also posts its own telemetry (/sdk/otel/...): accept and ignore.
            with self.lock:
                self.received["<" + http.path + ">"] += 1
                path = http.path.split("?", 1)[0]
                download = self.downloads.get(path) if http.command == "GET" else None
            # Signed-URL downloads (e.g. exported history parquet files) are plain GETs.
            self._send(http, 200, download() if download is not None else b"")
            return
        if not self._authorised(http.headers.get("Authorization", "")):
            self._send(http, 401, b'{"errors": [{"message": "user is not logged in"}]}')
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(http, 400, b'{"errors": [{"message": "body is not JSON"}]}')
            return
        request = Request(
            operation=operation_name(body),
            query=str(body.get("query", "")),
            variables=dict(body.get("variables") or {}),
        )
        with self.lock:
            self.received[request.operation] += 1
            self.log.append(request)
            fault = next((f for f in self.faults if f.matches(request)), None)
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
            hold = any(
                op == request.operation and self.served[op] >= limit
                for op, limit in self._hold_rules
            )
            over = self.max_concurrent is not None and self.active >= self.max_concurrent
            if over:
                self.rejected[request.operation] += 1
            else:
                self.active += 1
                self.peak_active = max(self.peak_active, self.active)
        if over:
            body = b'{"errors": [{"message": "too many concurrent requests"}]}'
            self._send(http, 429, body, retry_after=self.retry_after)
            return
        try:
            self._serve(http, request, fault, hold)
        finally:
            with self.lock:
                self.active -= 1

    def _serve(
        self, http: BaseHTTPRequestHandler, request: Request, fault: Fault | None, hold: bool
    ) -> None:
        if self.latency:
            time.sleep(self.latency)
        if hold:
            self.held.set()
            self._release.wait(timeout=600)
        if fault is not None:
            self._send(http, fault.status, fault.body.encode(), retry_after=fault.retry_after)
            return
        handler = self.handlers.get(request.operation)
        if handler is None:
            message = f"fake W&B: no handler for operation {request.operation!r}"
            _warn(message + f"\n{request.query[:500]}")
            with self.lock:
                self.unknown_operations.append(request.operation)
            self._send(http, 200, json.dumps({"errors": [{"message": message}]}).encode())
            return
        try:
            with self.lock:
                data = handler(self, request)
            payload = {"data": data}
        except GraphQLError as exc:
            payload = {"errors": [{"message": str(exc)}], "data": None}
        with self.lock:
            self.served[request.operation] += 1
        # json.dumps writes NaN/Infinity only inside JSONString fields (texts), never here.
        self._send(http, 200, json.dumps(payload).encode())

    def _authorised(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[len("Basic ") :]).decode()
        except ValueError:
            return False
        _, _, key = decoded.partition(":")
        return key in self.api_keys

    @staticmethod
    def _send(
        http: BaseHTTPRequestHandler, status: int, body: bytes, retry_after: float | None = None
    ) -> None:
        try:
            http.send_response(status)
            if retry_after is not None:
                http.send_header("Retry-After", f"{retry_after:g}")
            http.send_header("Content-Type", "application/json")
            http.send_header("Content-Length", str(len(body)))
            http.end_headers()
            http.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def default_handlers() -> dict[str, Handler]:
    """Operation name -> handler; extend a server's `handlers` for more operations."""
    return {
        "Viewer": _viewer,
        "GetDefaultEntity": _default_entity,
        "ServerFeaturesQuery": _server_features,
        "Runs": _runs,
        "Run": _run,
        "GetProjects": _get_projects,
        "GetSweeps": _get_sweeps,
        "GetSweep": _get_sweep,
        "GetSweepLegacy": _get_sweep,
        "RunInputArtifacts": _run_artifacts,
        "RunOutputArtifacts": _run_artifacts,
    }


def _warn(message: str) -> None:
    print(f"\n*** {message}", file=sys.stderr, flush=True)


def _is_full(query: str) -> bool:
    return "summaryMetrics" in query


# -- handlers -------------------------------------------------------------------------------


def _viewer_node(fake: FakeWandb) -> dict[str, Any]:
    return {
        "id": base64.b64encode(b"User:1").decode(),
        "entity": fake.viewer_entity,
        "username": fake.viewer_entity,
        "email": f"{fake.viewer_entity}@example.com",
        "admin": False,
        "flags": "{}",
        "teams": {"edges": []},
    }


def _viewer(fake: FakeWandb, request: Request) -> dict[str, Any]:
    return {"viewer": _viewer_node(fake)}


def _default_entity(fake: FakeWandb, request: Request) -> dict[str, Any]:
    return {"viewer": {"id": _viewer_node(fake)["id"], "entity": fake.viewer_entity}}


def _server_features(fake: FakeWandb, request: Request) -> dict[str, Any]:
    return {"serverInfo": {"features": []}}


def _find_project(fake: FakeWandb, variables: Mapping[str, Any]) -> FakeProject | None:
    return fake.projects.get((variables.get("entity"), variables.get("project")))


def _encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.b64encode(json.dumps(["run", *key]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        kind, *key = json.loads(base64.b64decode(cursor))
    except (ValueError, TypeError) as exc:
        raise GraphQLError(f"invalid cursor {cursor!r}") from exc
    if kind != "run":
        raise GraphQLError(f"invalid cursor {cursor!r}")
    return tuple(key)


def _filter_runs(project: FakeProject, filters: Mapping[str, Any]) -> list[FakeRun]:
    names = filters.get("name") if len(filters) == 1 else None
    if isinstance(names, dict) and set(names) == {"$in"}:
        # What a server's index on run names does for the extractor's heavy batches.
        return [project.runs[name] for name in dict.fromkeys(names["$in"]) if name in project.runs]
    if not filters:
        return list(project.runs.values())
    return [run for run in project.runs.values() if run_matches(run, filters)]


def _runs(fake: FakeWandb, request: Request) -> dict[str, Any]:
    variables = request.variables
    project = _find_project(fake, variables)
    if project is None:
        return {"project": None}
    try:
        filters = json.loads(variables.get("filters") or "{}")
    except json.JSONDecodeError as exc:
        raise GraphQLError("filters is not a JSON string") from exc
    try:
        matching = _filter_runs(project, filters)
    except ValueError as exc:
        raise GraphQLError(str(exc)) from exc
    order = variables.get("order") or "+created_at"
    descending = order.startswith("-")
    sort_key = _sort_key(order)
    keyed = sorted(((sort_key(run), run) for run in matching), key=lambda kr: kr[0])
    keys = [key for key, _ in keyed]
    matching = [run for _, run in keyed]
    if descending:
        matching.reverse()
    start = 0
    if variables.get("cursor"):
        # Continue after the cursor's sort position, even if its run is gone by now.
        after = _decode_cursor(variables["cursor"])
        if descending:
            start = len(keys) - bisect.bisect_left(keys, after)
        else:
            start = bisect.bisect_right(keys, after)
    per_page = int(variables.get("perPage") or 50)
    per_page = max(1, min(per_page, fake.max_page_size))
    page = matching[start : start + per_page]
    fields = node_fields(request.query, "node")
    edges = [
        {
            "node": {name: run.field_value(name, project.internal_id) for name in fields},
            "cursor": _encode_cursor(sort_key(run)),
        }
        for run in page
    ]
    return {
        "project": {
            "internalId": project.internal_id,
            "runCount": len(matching),
            "readOnly": False,
            "runs": {
                "edges": edges,
                "pageInfo": {
                    "endCursor": edges[-1]["cursor"] if edges else None,
                    "hasNextPage": start + per_page < len(matching),
                },
            },
        }
    }


def _run(fake: FakeWandb, request: Request) -> dict[str, Any]:
    project = _find_project(fake, request.variables)
    if project is None:
        return {"project": None}
    run = project.runs.get(request.variables.get("name"))
    if run is None:
        return {"project": {"run": None}}
    fields = node_fields(request.query, "run(")
    return {
        "project": {"run": {name: run.field_value(name, project.internal_id) for name in fields}}
    }


def iter_runs(fake: FakeWandb, entity: str, project: str) -> Iterator[FakeRun]:
    yield from fake.projects[(entity, project)].runs.values()


# -- entities, sweeps, artifacts ------------------------------------------------------------


def _encode_index_cursor(kind: str, index: int) -> str:
    return base64.b64encode(json.dumps([kind, index]).encode()).decode()


def _page_bounds(kind: str, variables: Mapping[str, Any], total: int, cap: int) -> tuple[int, int]:
    """[start, end) of the page a cursor and perPage ask for (cursor: last index served)."""
    start = 0
    if variables.get("cursor"):
        try:
            cursor_kind, index = json.loads(base64.b64decode(variables["cursor"]))
        except (ValueError, TypeError) as exc:
            raise GraphQLError(f"invalid cursor {variables['cursor']!r}") from exc
        if cursor_kind != kind:
            raise GraphQLError(f"invalid cursor {variables['cursor']!r}")
        start = int(index) + 1
    per_page = max(1, min(int(variables.get("perPage") or 50), cap))
    return start, min(start + per_page, total)


def _connection(kind: str, nodes: list[dict[str, Any]], start: int, total: int) -> dict:
    end = start + len(nodes)
    return {
        "pageInfo": {
            "__typename": "PageInfo",
            "endCursor": _encode_index_cursor(kind, end - 1) if nodes else None,
            "hasNextPage": end < total,
        },
        "edges": [{"node": node} for node in nodes],
    }


def _project_node(fake: FakeWandb, project: FakeProject) -> dict[str, Any]:
    """The SDK's ProjectFragment, owner included. W&B's `ApiKey.name` is the key itself;
    the owner's keys are served as the server may, so tests can check none is stored."""
    owner = _viewer_node(fake)
    keys = [
        {
            "node": {
                "id": base64.b64encode(f"ApiKey:{n}".encode()).decode(),
                "name": key,
                "description": None,
            }
        }
        for n, key in enumerate(sorted(fake.api_keys))
    ]
    return {
        "__typename": "Project",
        "id": base64.b64encode(f"Project:{project.internal_id}".encode()).decode(),
        "name": project.name,
        "entityName": project.entity,
        "createdAt": project.created_at,
        "isBenchmark": False,
        "user": {
            "id": owner["id"],
            "name": owner["username"],
            "username": owner["username"],
            "email": owner["email"],
            "admin": False,
            "flags": None,
            "entity": owner["entity"],
            "deletedAt": None,
            "apiKeys": {"edges": keys},
            "teams": {"edges": []},
        },
    }


def _get_projects(fake: FakeWandb, request: Request) -> dict[str, Any]:
    """`models(entityName:)`: the entity's projects in creation order (none for an entity
    the server does not know)."""
    entity = request.variables.get("entity")
    projects = sorted(
        (p for (e, _), p in fake.projects.items() if e == entity),
        key=lambda p: (p.created_at, p.name),
    )
    start, end = _page_bounds("project", request.variables, len(projects), fake.max_page_size)
    nodes = [_project_node(fake, project) for project in projects[start:end]]
    return {"models": _connection("project", nodes, start, len(projects))}


def _get_sweeps(fake: FakeWandb, request: Request) -> dict[str, Any]:
    project = _find_project(fake, request.variables)
    if project is None:
        return {"project": None}
    sweeps = sorted(project.sweeps.values(), key=lambda s: (s.created_at, s.name))
    start, end = _page_bounds("sweep", request.variables, len(sweeps), fake.max_page_size)
    counts = Counter(run.sweep for run in project.runs.values() if run.sweep)
    nodes = [sweep.node(counts[sweep.name]) for sweep in sweeps[start:end]]
    return {
        "project": {
            "totalSweeps": len(sweeps),
            "sweeps": _connection("sweep", nodes, start, len(sweeps)),
        }
    }


def _get_sweep(fake: FakeWandb, request: Request) -> dict[str, Any]:
    """`project.sweep(sweepName:)`: what `Api.sweep(path)` and the SDK's `Sweeps` iterator
    (once per sweep listed) ask."""
    project = _find_project(fake, request.variables)
    if project is None:
        return {"project": None}
    sweep = project.sweeps.get(request.variables.get("name"))
    if sweep is None:
        return {"project": {"sweep": None}}
    runs = sum(1 for run in project.runs.values() if run.sweep == sweep.name)
    node = sweep.node(runs)
    fields = set(fragment_fields(request.query, _fragment_name(request.query)))
    return {"project": {"sweep": {k: v for k, v in node.items() if k in fields}}}


def _fragment_name(query: str) -> str:
    match = re.search(r"fragment\s+(\w+)\s+on\s+Sweep", query)
    if match is None:
        raise GraphQLError("no Sweep fragment in query")
    return match.group(1)


def _run_artifacts(fake: FakeWandb, request: Request) -> dict[str, Any]:
    """`project.run.inputArtifacts` / `outputArtifacts` (aliased `artifacts`) of one run."""
    project = _find_project(fake, request.variables)
    if project is None:
        return {"project": None}
    run = project.runs.get(request.variables.get("run"))
    if run is None:
        return {"project": {"run": None}}
    used = request.operation == "RunInputArtifacts"
    artifacts = run.used_artifacts if used else run.logged_artifacts
    start, end = _page_bounds("artifact", request.variables, len(artifacts), fake.max_page_size)

    def project_id(entity: str, name: str) -> str:
        known = fake.projects.get((entity, name))
        return known.internal_id if known is not None else f"{entity}/{name}"

    nodes = [artifact.node(project_id) for artifact in artifacts[start:end]]
    if request.variables.get("includeAliases") is False:
        for node in nodes:
            node.pop("aliases")
    if "digestAlgorithm" not in request.query:  # omitted on servers without the feature
        for node in nodes:
            node.pop("digestAlgorithm")
    connection = _connection("artifact", nodes, start, len(artifacts))
    return {"project": {"run": {"artifacts": {"totalCount": len(artifacts), **connection}}}}
