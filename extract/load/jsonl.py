"""Reading the JSONL files `load` takes (plain or gzipped), one JSON object per line."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from extract.errors import UserError


def open_text(path: Path) -> IO[str]:
    """The file as text, gunzipped when its name ends in `.gz`."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def first_object(path: Path) -> dict[str, Any] | None:
    """The file's first non-blank line as a JSON object (None if unreadable or not one)."""
    try:
        with open_text(path) as handle:
            for line in handle:
                if line.strip():
                    value = json.loads(line)
                    return value if isinstance(value, dict) else None
    except (OSError, ValueError, EOFError):
        return None
    return None


def object_lines(path: Path, what: str = "a line") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line is a one-line UserError."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise UserError(f"{path}:{number}: not JSON ({exc})") from None
            if not isinstance(value, dict):
                raise UserError(f"{path}:{number}: {what} must be a JSON object")
            yield number, value
