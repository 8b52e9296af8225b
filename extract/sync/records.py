"""Turning run nodes received from W&B into raw-layer records (the interchange format).

`config` and `summaryMetrics` arrive as JSON text inside the GraphQL response. They are
spliced into the record unparsed, so NaN/Infinity tokens, integers past 2^63 and every
float's digits reach DuckDB's JSON type exactly as W&B wrote them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from extract.sync.plan import RECORD_FIELDS

BLOB_FIELDS = ("config", "summaryMetrics")


def _blob_text(value: Any) -> str:
    """A config/summary as JSON object text, kept verbatim when it already is one."""
    if value is None or value == "":
        return "{}"
    if isinstance(value, str | bytes | bytearray):
        text = value.decode() if isinstance(value, bytes | bytearray) else value
        try:
            parsed = json.loads(text, strict=False)
        except json.JSONDecodeError:
            return json.dumps(text)
        return text if isinstance(parsed, dict) else json.dumps(parsed)
    return json.dumps(value)


def build_record(
    node: Mapping[str, Any],
    *,
    entity: str,
    project: str,
    fetched_at: str,
    full: bool,
) -> str:
    """The record (JSON text) for one run node; a full record carries config and summary."""
    fields: dict[str, Any] = {"entity": entity, "project": project, "fetched_at": fetched_at}
    for name in RECORD_FIELDS:
        if name in node:
            fields[name] = node[name]
    text = json.dumps(fields, separators=(",", ":"))
    if not full:
        return text
    blobs = ",".join(f'"{name}":{_blob_text(node.get(name))}' for name in BLOB_FIELDS)
    return f"{text[:-1]},{blobs}}}"
