"""`wandb-warehouse report`: the marts of a built warehouse as one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from extract.errors import UserError
from extract.report.data import read_report_data
from extract.report.page import render_page


@dataclass(frozen=True)
class ReportFile:
    path: Path
    size_bytes: int
    projects: int


def write_report(db: Path, out: Path) -> ReportFile:
    """Read the marts of `db` (read-only) and write the report to `out`, atomically."""
    out = out.expanduser()
    if out.is_dir():
        raise UserError(f"{out} is a folder: give the report's file name, e.g. {out}/report.html")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: folder {out.parent} does not exist")
    data = read_report_data(db)
    page = render_page(data, db.name, dt.datetime.now(dt.UTC))
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    return ReportFile(path=out, size_bytes=len(page.encode()), projects=len(data.projects))
