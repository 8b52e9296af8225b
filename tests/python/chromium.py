"""Headless Chromium driven over the DevTools protocol on a pipe, standard library only.

Chromium's `--remote-debugging-pipe` reads protocol messages from its fd 3 and writes
them to its fd 4, each a JSON object ended by a NUL byte: no port, no websocket, no
driver download. Debian's `chromium` package provides /usr/bin/chromium
(`apt-get install -y chromium`); WANDB_WAREHOUSE_CHROMIUM names another binary.

Also a script: `python tests/python/chromium.py screenshot PAGE.html OUT.png [WIDTH HEIGHT]`
draws a page and saves the top WIDTH x HEIGHT pixels (how docs/report.png is made).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from base64 import b64decode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("WANDB_WAREHOUSE_CHROMIUM", "/usr/bin/chromium"))
FLAGS = (
    "--headless",
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium exited, timed out or answered a command with an error."""


@dataclass
class PageEvents:
    """What a page did while open: console errors, uncaught exceptions, requests."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class Chromium:
    """One headless Chromium with one page (tab); use as a context manager."""

    def __init__(self, binary: Path = CHROMIUM) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_pipes() -> None:  # runs in the child: its fds 3 and 4 become the pipe ends
            read_end = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self._process = subprocess.Popen(
            [str(binary), *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._session: str | None = None
        self.events = PageEvents()

    def __enter__(self) -> Chromium:
        target = self.call("Target.createTarget", {"url": "about:blank"}, page=False)
        self._session = self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, page=False
        )["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable")
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(BrowserError):
            self.call("Browser.close", page=False, timeout=5)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        page: bool = True,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """Send a protocol command (to the page's session unless page=False); its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self._session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._record(reply)

    def open(self, url: str) -> None:
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        """Poll `expression` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise BrowserError(f"timed out after {timeout} s waiting for {expression}")

    def viewport(self, width: int, height: int) -> None:
        """Lay the page out in a window of `width` x `height` CSS pixels."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def screenshot(self, path: Path, width: int, height: int) -> None:
        self.viewport(width, height)
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        path.write_bytes(b64decode(shot["data"]))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if ready:
                chunk = os.read(self._from_child, 1 << 16)
                if not chunk:
                    raise BrowserError(f"Chromium exited (code {self._process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _record(self, event: dict[str, Any]) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.events.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.events.console_errors.append(f"uncaught: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.events.console_errors.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            self.events.requests.append(params["request"]["url"])


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 5) or argv[0] != "screenshot":
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    page, out = Path(argv[1]).resolve(), Path(argv[2])
    width, height = (int(argv[3]), int(argv[4])) if len(argv) == 5 else (1100, 1400)
    with Chromium() as browser:
        browser.open(page.as_uri())
        state = browser.wait_for("document.body && document.body.dataset.rendered")
        if state != "all" or browser.events.console_errors:
            print(f"{page}: charts {state}: {browser.events.console_errors}", file=sys.stderr)
            return 1
        browser.screenshot(out, width, height)
    print(f"{out}: {width} x {height}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
