"""A warehouse that holds nothing but the bundled sample is set aside before one's own sync.

`wandb-warehouse demo` builds the sample into its own file (demo.duckdb). Before it had
one, `make demo` built it into the default warehouse.duckdb, the file a user's own
`extract` then wrote to, so the marts, the report and the demo's tables mixed the sample
with the user's projects. A first `extract` into such a file renames it to demo.duckdb
(the demo's own file) and starts a new warehouse; a file that holds anything else is
left as it is.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from extract.errors import UserError
from extract.sample.files import load_order
from extract.sample.generate_runs import ENTITY, PROJECT
from extract.warehouse.database import connect

DEMO_DB = Path("demo.duckdb")


def holds_only_the_sample(db: Path) -> bool:
    """True when every load of `db` is a bundled sample file loaded as a file."""
    if not db.is_file():
        return False
    names = [path.name for path in load_order()]
    con = connect(db, read_only=True)
    try:
        loads, sample_loads = con.execute(
            """
            select
                count(*),
                count_if(
                    entity = ? and project = ? and mode = 'file'
                    and list_contains(?, regexp_extract(source, '[^/\\\\]+$'))
                )
            from raw.wandb_loads
            """,
            [ENTITY, PROJECT, names],
        ).fetchone()
        (listings,) = con.execute("select count(*) from raw.wandb_entity_listings").fetchone()
    except duckdb.CatalogException:  # no raw layer: not the sample's
        return False
    finally:
        con.close()
    return loads > 0 and loads == sample_loads and listings == 0


def set_sample_aside(db: Path) -> Path | None:
    """If `db` holds only the bundled sample (and is not the demo's own file), rename it
    (with its write-ahead log) next to it, to demo.duckdb or else <name>-sample.duckdb,
    and return the new path; None when `db` is left as it is."""
    if db.name == DEMO_DB.name or not holds_only_the_sample(db):
        return None
    target = db.with_name(DEMO_DB.name)
    if target.exists():
        target = db.with_name(f"{db.stem}-sample{db.suffix}")
    if target.exists():
        raise UserError(
            f"{db} holds only the bundled sample, and {db.with_name(DEMO_DB.name)} and "
            f"{target} exist: move {db} away (or give --db) so your sync starts clean"
        )
    wal = db.with_name(f"{db.name}.wal")
    db.rename(target)
    if wal.exists():
        wal.rename(target.with_name(f"{target.name}.wal"))
    return target
