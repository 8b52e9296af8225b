"""A loopback HTTP server answering the GraphQL the SDK sends when reading history.

It serves `HistoryBackend` (fake_wandb_history) plus the few operations any `wandb.Api`
session sends first (viewer, default entity, server features); telemetry posts get 200.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fake_wandb_history import HistoryBackend

OPERATION = re.compile(r"\b(?:query|mutation)\s+(\w+)")

SESSION_ANSWERS: dict[str, dict[str, Any]] = {
    "Viewer": {"viewer": {"id": "VXNlcjox", "entity": "fake", "username": "fake"}},
    "GetDefaultEntity": {"viewer": {"id": "VXNlcjox", "entity": "fake"}},
    "ServerFeaturesQuery": {"serverInfo": {"features": []}},
}


def operation_name(request: dict[str, Any]) -> str:
    name = request.get("operationName")
    if name:
        return str(name)
    match = OPERATION.search(str(request.get("query", "")))
    return match.group(1) if match else ""


class FakeHistoryServer:
    """Runs in a daemon thread; `url` goes into WANDB_BASE_URL."""

    def __init__(self, backend: HistoryBackend | None = None) -> None:
        self.backend = backend or HistoryBackend()
        backend_ref = self.backend

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: Any) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.path.startswith("/graphql"):
                    self._reply(200, {})
                    return
                request = json.loads(raw or b"{}")
                name = operation_name(request)
                answer = backend_ref.handle(name, request.get("variables") or {})
                if answer is not None:
                    self._reply(*answer)
                elif name in SESSION_ANSWERS:
                    self._reply(200, {"data": SESSION_ANSWERS[name]})
                else:
                    self._reply(400, {"errors": [{"message": f"fake: unknown {name!r}"}]})

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeHistoryServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":  # pragma: no cover - manual exploration
    server = FakeHistoryServer().start()
    print(server.url)
    server.thread.join()
