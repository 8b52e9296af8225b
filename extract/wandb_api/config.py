"""How to reach W&B and how hard to try: the client's settings, from the environment.

WANDB_BASE_URL names the server (`public_url` drops any user:password before it is stored
or printed); WANDB_WAREHOUSE_MAX_RETRIES, _RETRY_WAIT, _REQUEST_TIMEOUT, _TIMEOUT and
_PAGE_SIZE bound wandb-core's retries, its waits, each request, each SDK call and a
listing page; WANDB_WAREHOUSE_CONCURRENCY bounds the requests in flight at once
(`extract/sync/pool.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from extract.errors import UserError

DEFAULT_BASE_URL = "https://api.wandb.ai"
# The SDK sets no upper bound on `per_page`. 1000 light runs make a page of about half a
# megabyte; a server that serves fewer per page than asked is followed by cursor.
DEFAULT_PAGE_SIZE = 1000
HEAVY_BATCH = 100
DEFAULT_CONCURRENCY = 4
# wandb-core serves at most 10 requests at once per `wandb.Api` (its wbapi package's
# maxConcurrency); more threads would only queue inside it.
MAX_CONCURRENCY = 10


def _env_number(name: str, default: float, kind: type = float) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise UserError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise UserError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class ClientConfig:
    """How to reach W&B and how hard to try."""

    base_url: str = DEFAULT_BASE_URL
    max_retries: int = 6
    retry_wait_min: float = 1.0
    retry_wait_max: float = 10.0
    request_timeout: float = 30.0
    call_timeout: float = 100.0
    page_size: int = DEFAULT_PAGE_SIZE
    batch_size: int = HEAVY_BATCH
    concurrency: int = DEFAULT_CONCURRENCY

    @classmethod
    def from_env(cls) -> ClientConfig:
        base_url = (os.environ.get("WANDB_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        page_size = _env_number("WANDB_WAREHOUSE_PAGE_SIZE", DEFAULT_PAGE_SIZE, int)
        if page_size < 1:
            raise UserError("WANDB_WAREHOUSE_PAGE_SIZE must be at least 1")
        wait_max = _env_number("WANDB_WAREHOUSE_RETRY_WAIT", 10.0)
        concurrency = _env_number("WANDB_WAREHOUSE_CONCURRENCY", DEFAULT_CONCURRENCY, int)
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise UserError(
                f"WANDB_WAREHOUSE_CONCURRENCY must be between 1 and {MAX_CONCURRENCY} "
                "(wandb-core serves at most 10 requests at once)"
            )
        return cls(
            base_url=base_url,
            # wandb-core reads 0 as "unset" and then retries 20 times: one retry at least.
            max_retries=max(1, _env_number("WANDB_WAREHOUSE_MAX_RETRIES", 6, int)),
            # wandb-core ignores waits under one second (it falls back to its defaults).
            retry_wait_min=1.0,
            retry_wait_max=max(1.0, wait_max),
            request_timeout=max(1.0, _env_number("WANDB_WAREHOUSE_REQUEST_TIMEOUT", 30.0)),
            call_timeout=max(1.0, _env_number("WANDB_WAREHOUSE_TIMEOUT", 100.0)),
            page_size=page_size,
            concurrency=concurrency,
        )

    def retry_seconds(self) -> float:
        """About how long wandb-core's retries of a call that fails at once last: waits
        doubling from retry_wait_min, each at most retry_wait_max, one per retry."""
        return sum(
            min(self.retry_wait_max, self.retry_wait_min * 2**attempt)
            for attempt in range(self.max_retries)
        )


def public_url(url: str) -> str:
    """The URL without any user:password part (safe to store and print)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
