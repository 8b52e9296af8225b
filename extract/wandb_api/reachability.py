"""Saying early that W&B cannot be reached, while wandb-core retries.

wandb-core retries a refused connection or an unknown host like a 5xx, silently: with the
default bounds an unreachable server is 35 s of silence before the one-line error. While
the client connects, `ReachabilityNote` opens one TCP connection to the server (or to the
proxy the environment names for it) on a thread; when that fails, it prints at once that
the SDK is retrying and for how long, unless connecting ended first.
"""

from __future__ import annotations

import socket
import sys
import threading
import urllib.request
from types import TracebackType
from typing import TextIO
from urllib.parse import urlsplit

from extract.wandb_api.config import ClientConfig, public_url

# How long the probe waits for a TCP handshake before calling the server silent.
PROBE_TIMEOUT = 2.0


def probe(url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why a TCP connection to `url`'s host (or its proxy) fails, or None if it opens."""
    target = _endpoint(url)
    if target is None:
        return None
    host, port = target
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"no such host {host}"
    except TimeoutError:
        return f"no answer from {host}:{port} in {timeout:.0f} s"
    except ConnectionRefusedError:
        return f"connection to {host}:{port} refused"
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or exc}"


def _endpoint(url: str) -> tuple[str, int] | None:
    """The host and port a request to `url` first connects to (a proxy, if one applies)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname):
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if via.hostname:
            return via.hostname, via.port or (443 if via.scheme == "https" else 80)
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def retry_note(config: ClientConfig, reason: str) -> str:
    """The line that says W&B cannot be reached, that wandb-core retries, and how long."""
    url = public_url(config.base_url)
    if reason.startswith("no answer"):
        # Every attempt may wait out its request timeout: the call's bound is what holds.
        how_long = f"for up to {config.call_timeout:.0f} s (WANDB_WAREHOUSE_TIMEOUT)"
    else:
        times = "once" if config.max_retries == 1 else f"{config.max_retries} times"
        how_long = (
            f"{times} over about {config.retry_seconds():.0f} s "
            "(WANDB_WAREHOUSE_MAX_RETRIES, WANDB_WAREHOUSE_RETRY_WAIT)"
        )
    return (
        f"wandb-warehouse: cannot reach W&B at {url} ({reason}): retrying {how_long}; "
        "Ctrl-C to stop"
    )


class ReachabilityNote:
    """A context for connecting: probes the server on a thread and prints `retry_note`
    to `stream` if it cannot be reached, unless the block has ended by then."""

    def __init__(self, config: ClientConfig, stream: TextIO | None = None) -> None:
        self._config = config
        self._stream = stream
        self._lock = threading.Lock()
        self._done = False
        self._thread = threading.Thread(target=self._run, name="reachability", daemon=True)

    def __enter__(self) -> ReachabilityNote:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True

    def _run(self) -> None:
        reason = probe(self._config.base_url)
        if reason is None:
            return
        with self._lock:
            if not self._done:
                print(retry_note(self._config, reason), file=self._stream or sys.stderr, flush=True)
