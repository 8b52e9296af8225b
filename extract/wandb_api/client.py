"""Talking to W&B through the official SDK (`wandb.Api`; wandb-core does the HTTP).

Only two kinds of GraphQL call are made per project for its runs: the listing (the SDK's
`Runs` query with its light fragment, paged) and heavy batches (`Runs` with the full
fragment and a `{"name": {"$in": [...]}}` filter, up to 100 runs each). Nodes are taken
from the page responses as W&B sent them (`Runs.last_response`), so config and summary
stay JSON text. Projects, sweeps and artifacts go through this client too
(`projects.py`, `sweeps.py`, `artifacts.py`, via `service_api()` and `translating()`).

wandb-core retries 429/5xx itself; its retry count, waits and per-request timeout are
bounded here (env WANDB_WAREHOUSE_MAX_RETRIES / _RETRY_WAIT / _REQUEST_TIMEOUT, read by
`config.py`), and every SDK call is bounded as a whole (WANDB_WAREHOUSE_TIMEOUT), so a
server failing forever ends the command in about two minutes at most. A 429 that
outlasts those retries raises `RateLimitedError` (a UserError with the usual one-line
message), so the fetch pool can back off (`extract/sync/pool.py`).

One client serves several threads at once: every call goes through the same `wandb.Api`
to the one wandb-core process, which handles each request on its own goroutine (up to
10 at once per Api); the request count is kept under a lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from extract.errors import UserError
from extract.wandb_api.config import HEAVY_BATCH, ClientConfig, public_url
from extract.wandb_api.reachability import ReachabilityNote


class RateLimitedError(UserError):
    """W&B kept answering HTTP 429 (Too Many Requests) after wandb-core's retries."""


@dataclass
class Page:
    """One listing page: its run nodes and the project's run count."""

    nodes: list[dict[str, Any]]
    total: int


@dataclass
class WandbClient:
    """A connection to one W&B server; counts the GraphQL calls it makes."""

    config: ClientConfig
    requests: int = 0
    _api: Any = None
    _secrets: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- set-up -----------------------------------------------------------------------
    def connect(self) -> None:
        """Find credentials, bound wandb-core's retries, and verify the key with the server."""
        with self._translate("connecting to W&B"):
            import wandb
            from wandb.errors import AuthenticationError
            from wandb.sdk import wandb_setup
            from wandb.sdk.lib import wbauth

            try:
                auth = wbauth.authenticate_session(
                    host=self.config.base_url,
                    source="wandb-warehouse",
                    no_offline=True,
                    prompt=False,
                    update_session=False,
                )
            except AuthenticationError as exc:
                # The SDK checks a key's form before any request: W&B never saw it.
                raise UserError(
                    f"the W&B API key was refused before contacting "
                    f"{public_url(self.config.base_url)} ({_first_line(str(exc))}): set "
                    "WANDB_API_KEY to the whole key or run `wandb login --relogin`"
                ) from None
            if auth is None:
                raise UserError(
                    f"no W&B API key for {public_url(self.config.base_url)}: set "
                    "WANDB_API_KEY or run `wandb login` (add --host for a self-hosted server)"
                )
            key = getattr(auth, "api_key", None)
            if key:
                self._secrets.append(key)
            settings = wandb_setup.singleton().settings
            settings.x_graphql_retry_max = self.config.max_retries
            settings.x_graphql_retry_wait_min_seconds = self.config.retry_wait_min
            settings.x_graphql_retry_wait_max_seconds = self.config.retry_wait_max
            settings.x_graphql_timeout_seconds = self.config.request_timeout
            # The first request: the key is verified (`Viewer`).
            with ReachabilityNote(self.config):
                self._api = wandb.Api(
                    overrides={"base_url": self.config.base_url},
                    timeout=int(self.config.call_timeout),
                    api_key=key,
                )

    def close(self) -> None:
        self._api = None

    # -- the two calls ----------------------------------------------------------------
    def list_runs(self, entity: str, project: str) -> Iterator[Page]:
        """Every run of a project in the light form, one page at a time."""
        yield from self._pages(entity, project, filters=None, per_page=self.config.page_size)

    def fetch_full(self, entity: str, project: str, run_ids: Sequence[str]) -> list[dict]:
        """Config and summary of up to 100 runs in one request (`$in` on run ids)."""
        if not 0 < len(run_ids) <= HEAVY_BATCH:
            raise ValueError(f"a heavy batch holds 1 to {HEAVY_BATCH} runs")
        nodes: list[dict] = []
        for page in self._pages(
            entity, project, filters={"name": {"$in": list(run_ids)}}, per_page=HEAVY_BATCH
        ):
            nodes.extend(page.nodes)
        return nodes

    def _pages(
        self,
        entity: str,
        project: str,
        *,
        filters: dict | None,
        per_page: int,
    ) -> Iterator[Page]:
        if self._api is None:
            raise RuntimeError("connect() first")
        lazy = filters is None
        what = f"listing {entity}/{project}" if lazy else f"fetching runs of {entity}/{project}"
        with self._translate(what, entity=entity, project=project):
            pager = _run_nodes_pager(
                self._api,
                entity,
                project,
                filters=filters or {},
                per_page=per_page,
                lazy=lazy,
            )
            for nodes in pager.pages():
                self.count_requests(1)
                project_data = (pager.last_response or {}).get("project") or {}
                yield Page(nodes=nodes, total=int(project_data.get("runCount") or 0))

    # -- for the other wandb_api modules (projects, sweeps, artifacts) ---------------
    def service_api(self) -> Any:
        """The SDK's wandb-core handle that its paginators take."""
        if self._api is None:
            raise RuntimeError("connect() first")
        return self._api._service_api

    def translating(
        self, what: str, *, entity: str | None = None, project: str | None = None
    ) -> Any:
        """A context that turns SDK failures while doing `what` into one-line UserErrors."""
        return self._translate(what, entity=entity, project=project)

    # -- history (run history, `extract --history`) ----------------------------------
    def history_rows(
        self, entity: str, project: str, run_id: str, *, min_step: int, page_size: int
    ) -> Iterator[dict[str, Any]]:
        """A run's logged rows from `min_step` on, as `Run.scan_history` pages them."""
        if self._api is None:
            raise RuntimeError("connect() first")
        what = f"reading the history of {entity}/{project}/{run_id}"
        with self._translate(what, entity=entity, project=project):
            scan = _history_scan(self._api, entity, project, run_id, min_step, page_size)
            self.count_requests(2)  # RunHistoryKeys, RunParquetHistory
            try:
                yield from scan
            finally:
                self.count_requests(max(0, scan.page_offset - min_step) // page_size)

    def count_requests(self, requests: int) -> None:
        """Add calls made through `service_api()` (safe from several threads)."""
        with self._lock:
            self.requests += requests

    # -- errors -----------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """The text with every credential replaced."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)

    @contextmanager
    def _translate(
        self, what: str, *, entity: str | None = None, project: str | None = None
    ) -> Iterator[None]:
        """Turn SDK failures into one-line UserErrors that say what to do."""
        try:
            yield
        except UserError:
            raise
        except Exception as exc:
            message = self._explain(exc, what, entity, project)
            if message is None:
                raise
            error = RateLimitedError if self._status(exc) == 429 else UserError
            raise error(self.scrub(message)) from None

    @staticmethod
    def _status(exc: BaseException) -> int | None:
        """The HTTP status of a failed call, from the error or its text."""
        status = _http_status(exc)
        if status is None and (match := re.search(r"\bHTTP (\d{3})\b", str(exc))):
            status = int(match.group(1))
        return status

    def _explain(
        self, exc: Exception, what: str, entity: str | None, project: str | None
    ) -> str | None:
        from wandb.errors import AuthenticationError, CommError, UsageError
        from wandb.sdk.lib.service.service_connection import WandbApiFailedError

        url = public_url(self.config.base_url)
        text = " ".join(str(exc).split())
        text = re.sub(r"^Failed to verify credentials with \S+: ", "", text)
        status = self._status(exc)
        lowered = text.lower()
        if (isinstance(exc, ValueError) and "Could not find project" in text) or (
            project is not None
            and status in (None, 404)
            and any(word in lowered for word in ("not found", "does not exist", "could not find"))
        ):
            return (
                f"project {entity}/{project} not found on {url}: check ENTITY/PROJECT and "
                "that your API key can see it"
            )
        if (
            entity is not None
            and project is None
            and status in (None, 404)
            and any(word in lowered for word in ("not found", "does not exist", "could not find"))
        ):
            return (
                f"entity {entity} not found on {url}: check ENTITY and that your API key can see it"
            )
        if status in (401, 403):
            return _key_rejected(url, text)
        if status is not None and (status == 429 or status >= 500):
            return _kept_failing(url, what, text)
        if status is not None and 400 <= status < 500:
            return (
                f"{url} answered HTTP {status} while {what} ({_first_line(text)}): check "
                "that WANDB_BASE_URL is your W&B server"
            )
        if _is_transport(text):
            return (
                f"cannot reach W&B at {url} while {what} ({_first_line(text)}): check "
                "WANDB_BASE_URL and your network, then run the command again"
            )
        if isinstance(exc, AuthenticationError | UsageError):
            return _key_rejected(url, text)
        if "did not respond in time" in text:  # WANDB_WAREHOUSE_TIMEOUT ran out
            return _kept_failing(url, what, text)
        if isinstance(exc, WandbApiFailedError) and status is None and "giving up" not in text:
            # A GraphQL error: the server answered, and said no.
            return (
                f"W&B at {url} refused the request while {what} ({_first_line(text)}): "
                "check ENTITY/PROJECT and what your API key may read"
            )
        if isinstance(exc, WandbApiFailedError | CommError | TimeoutError):
            return _kept_failing(url, what, text)
        return None


def _key_rejected(url: str, text: str) -> str:
    return (
        f"W&B at {url} rejected the API key ({_first_line(text)}): run "
        "`wandb login --relogin` or set WANDB_API_KEY"
    )


def _kept_failing(url: str, what: str, text: str) -> str:
    return (
        f"W&B at {url} kept failing while {what} ({_first_line(text)}): try again later; "
        "what was fetched so far is kept"
    )


def _run_nodes_pager(
    api: Any, entity: str, project: str, *, filters: dict, per_page: int, lazy: bool
) -> Any:
    """The SDK's `Runs` paginator, yielding each page's run nodes as received.

    `Runs` would wrap every node in a `Run` object (which parses config and summary and
    creates a directory per run); the nodes themselves keep config and summary as the
    JSON text W&B sent, which is what the raw layer stores.
    """
    from wandb.apis.public import Runs

    class RunNodes(Runs):
        def convert_objects(self) -> list[dict[str, Any]]:
            project_data = (self.last_response or {}).get("project")
            if project_data is None:
                raise ValueError(f"Could not find project {self.project}")
            edges = (project_data.get("runs") or {}).get("edges") or []
            return [edge["node"] for edge in edges]

        def pages(self) -> Iterator[list[dict[str, Any]]]:
            while self._load_page():
                yield list(self.objects)
                self.objects.clear()

    # `Api.runs` builds the same paginator from the same private service handle.
    return RunNodes(
        api._service_api,
        entity,
        project,
        filters=filters,
        per_page=per_page,
        lazy=lazy,
    )


def _history_scan(
    api: Any, entity: str, project: str, run_id: str, min_step: int, page_size: int
) -> Any:
    """`Run.scan_history` of a run, without the `Run` query (the listing described it)."""
    from wandb.apis.public import Run

    run = Run(api._service_api, entity, project, run_id, attrs={"name": run_id}, lazy=True)
    return run.scan_history(min_step=min_step, page_size=page_size, use_cache=False)


def _http_status(exc: BaseException) -> int | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        response = getattr(current, "response", None)
        status = getattr(response, "http_status", None)
        if isinstance(status, int) and status:
            return status
        current = current.__cause__ or current.__context__
    return None


_TRANSPORT_WORDS = (
    "connection refused",
    "dial tcp",
    "no such host",
    "connection reset",
    "timeout",
    "timed out",
    "deadline exceeded",
    "eof",
)


def _is_transport(text: str) -> bool:
    lowered = text.lower()
    if "http 4" in lowered or "http 5" in lowered:
        return False
    return any(word in lowered for word in _TRANSPORT_WORDS)


def _first_line(text: str, limit: int = 160) -> str:
    text = text.replace("while retrying:", "last error:")
    return text if len(text) <= limit else text[: limit - 1] + "…"
