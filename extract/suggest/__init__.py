"""`wandb-warehouse suggest`: the analysis settings a synced project's data suggests.

Prints the project's entry for `project_settings:` in dbt_project.yml's vars, indented to
paste directly under `  project_settings:`: its tag catalog (the most common tags, none
two of which share a marts.runs column), its column pairs (config/summary keys whose
values agree) and its comparison split. Pasting it changes that project only, and the
next `dbt build` (or `wandb-warehouse sync`) rebuilds what it changes.

Candidates are found and ranked on what `dbt build` discovered (`discovery`:
marts.key_profile and marts.key_overlap, over a sample of at most key_discovery_max_runs
runs). Each pair's compare kind and the agreement quoted next to it ("N of M runs agree")
are computed over every analysed run, as the build compares a configured pair
(`agreement`), so the quote is what marts.column_pair_overlap and
marts.pretrain_overlap_summary report once the entry is pasted and built. A suggested pair
that the project's settings already hold keeps its name and role. The picks are rules
stated next to each function; the alternatives are printed as comments (`render`), so the
user chooses. `parse_entry` and `quoted_agreements` read a printed entry back.
"""

from __future__ import annotations

from pathlib import Path

from extract.errors import UserError
from extract.suggest.agreement import pairs
from extract.suggest.discovery import choose_project, configured_pairs, splits, tags
from extract.suggest.render import parse_entry, quoted_agreements, render
from extract.warehouse.database import connect

__all__ = ["parse_entry", "quoted_agreements", "suggest"]


def suggest(db: Path, wanted: str | None) -> str:
    con = connect(db, read_only=True)
    try:
        (built,) = con.execute(
            "select count(*) from information_schema.tables "
            "where (table_schema = 'marts' and table_name in ('key_profile', 'key_overlap')) "
            "or (table_schema = 'intermediate' and table_name = 'int_runs__payloads')"
        ).fetchone()
        if built < 3:
            raise UserError(f"{db} has no discovery marts yet: run `dbt build` first")
        entity, project = choose_project(con, wanted)
        configured = configured_pairs(con, entity, project)
        return render(
            entity,
            project,
            tags(con, entity, project),
            pairs(con, entity, project, configured),
            splits(con, entity, project),
            configured,
        )
    finally:
        con.close()
