"""How values read on the page: counts, shares, times (UTC), labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def share(value: float | None) -> str:
    """A fraction as a percentage with one decimal (0.3509 -> 35.1%)."""
    return "" if value is None else f"{value * 100:.1f}%"


def signed_share(value: float | None) -> str:
    """A difference of fractions in percentage points (0.143 -> +14.3 pp)."""
    return "" if value is None else f"{value * 100:+.1f} pp"


def moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def month(value: dt.date | None) -> str:
    return "(no date)" if value is None else value.strftime("%Y-%m")


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f} s"


def size(value: int | float | None) -> str:
    """Bytes in binary units (303759360 -> 289.7 MiB)."""
    if value is None:
        return ""
    if abs(value) < 1024:
        return f"{value:,.0f} B"
    amount = value / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if abs(amount) < 1024:
            return f"{amount:,.1f} {unit}"
        amount /= 1024
    return f"{amount:,.1f} TiB"


def load_label(load_number: int, as_of: dt.datetime | None) -> str:
    return f"load {load_number} ({moment(as_of)})" if as_of else f"load {load_number}"


def cell(value: Any) -> str:
    """Any other value as text: exact decimals and integers as written, times in UTC."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return moment(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)
