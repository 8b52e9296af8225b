"""Where a warehouse's files are: the published file readers open, and the working files
behind it that only writers open.

DuckDB lets many read-only processes *or* one writer hold a file, never both, so readers
and writers never share one. `FILE` (`--db`, `$WANDB_WAREHOUSE_DB`) is what people query;
no writer ever opens it. Writers work in `FILE.d/`:

- `raw.duckdb`: the raw layer (its catalog is named `raw`, so `raw.wandb_runs` reads the
  same there, in a dbt build that attaches it as `raw`, and in a published file);
  `load` and `extract` append to it.
- `build.duckdb`: dbt's target (staging, intermediate, marts, seeds, `meta.builds`).
- `segments/`: the raw rows of published builds as Parquet, written once and shared by
  every published state after it.
- `states/`: published states; `FILE` is a hard link to the newest. A state is a copy of
  `build.duckdb` whose `raw.*` are views over segments.
- `writer.lock`: held by the one `wandb-warehouse` writer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Warehouse:
    """A warehouse by its published file."""

    published: Path

    @property
    def workdir(self) -> Path:
        return self.published.with_name(self.published.name + ".d")

    @property
    def raw_store(self) -> Path:
        return self.workdir / "raw.duckdb"

    @property
    def build_db(self) -> Path:
        return self.workdir / "build.duckdb"

    @property
    def segments(self) -> Path:
        return self.workdir / "segments"

    @property
    def states(self) -> Path:
        return self.workdir / "states"

    @property
    def lock(self) -> Path:
        return self.workdir / "writer.lock"

    def is_published(self) -> bool:
        return self.published.exists()

    def is_legacy(self) -> bool:
        """A warehouse file from before publishing: one file holding raw and models."""
        return self.published.exists() and not self.raw_store.exists()


def sql_path(path: Path) -> str:
    """`path`, absolute, as the body of a SQL string literal."""
    return str(path.resolve()).replace("'", "''")
