"""`wandb-warehouse extract ENTITY`: list every project of an entity, then sync each.

The listing is paged (`GetProjects`) and stored whole once complete: one
`raw.wandb_projects` row per project it saw, and its ledger row in
`raw.wandb_entity_listings`. A project of the previous listing that this one lacks is
reported as gone; its rows stay (the models flag it). Projects are synced in listing
order by the caller, so a project created since the last sync is found by the next one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from extract.errors import UserError
from extract.wandb_api.client import WandbClient
from extract.wandb_api.config import public_url
from extract.wandb_api.projects import list_projects
from extract.warehouse.ledger import new_id
from extract.warehouse.projects import (
    finish_listing,
    previously_listed,
    start_listing,
    synced_projects,
)


@dataclass
class EntityListing:
    """One entity's project listing, as printed on its line."""

    entity: str
    listing_id: str
    projects: list[str]
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        gone = f" ({', '.join(self.gone)}; kept)" if self.gone else ""
        return (
            f"{self.entity}: projects listed {len(self.projects)}, new {len(self.new)}, "
            f"gone {len(self.gone)}{gone}, requests {self.requests}, {self.seconds:.1f} s"
        )


def parse_target(text: str) -> tuple[str, str | None]:
    """'entity' -> (entity, None); 'entity/project' (a trailing slash allowed) ->
    (entity, project). A slash with nothing before it, or an entity followed by a slash
    and nothing else, is refused: neither names what to sync."""
    stripped = text.strip()
    if stripped.startswith("/") and stripped.strip("/"):
        raise UserError(
            f"{text!r} names no entity before the slash: give ENTITY/PROJECT (for "
            f"example `my-team/{stripped.strip('/')}`)"
        )
    parts = stripped.removesuffix("/").split("/")
    if not 1 <= len(parts) <= 2 or not all(part.strip() for part in parts):
        raise UserError(
            f"{text!r} is not ENTITY or ENTITY/PROJECT (for example `my-team` or "
            "`my-team/my-project`)"
        )
    if len(parts) == 1 and stripped.endswith("/"):
        raise UserError(
            f"{text!r} names no project after the slash: give `{parts[0]}` to sync every "
            f"project of the entity, or `{parts[0]}/PROJECT`"
        )
    return parts[0], parts[1] if len(parts) == 2 else None


def compare_listings(
    listed: Sequence[str], before: Sequence[str] | None, synced: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(new, gone): projects listed now but neither listed before nor synced, and projects
    of the previous listing missing now."""
    known = set(before or ()) | set(synced)
    now = set(listed)
    new = [name for name in listed if name not in known]
    gone = sorted(set(before or ()) - now)
    return new, gone


def list_entity(
    con: duckdb.DuckDBPyConnection, client: WandbClient, entity: str, *, invocation_id: str
) -> EntityListing:
    """List the entity's projects and store the listing; fail with a UserError if the key
    sees no project of an entity the warehouse never held."""
    started = time.monotonic()
    requests_before = client.requests
    listing_id = new_id()
    before = previously_listed(con, entity)
    synced = synced_projects(con, entity)
    start_listing(
        con,
        listing_id=listing_id,
        invocation_id=invocation_id,
        entity=entity,
        source=public_url(client.config.base_url),
    )
    nodes: dict[str, dict] = {}
    seen_at: dict[str, str] = {}
    try:
        for page in list_projects(client, entity):
            received = datetime.now(UTC).isoformat()
            for node in page:
                name = str(node["name"])
                nodes[name] = node  # a project listed twice keeps its later node
                seen_at[name] = received
        if not nodes and before is None and not synced:
            raise UserError(
                f"entity {entity} has no project your API key can see on "
                f"{public_url(client.config.base_url)}: check ENTITY"
            )
        finish_listing(
            con,
            listing_id,
            entity,
            nodes=list(nodes.values()),
            listed_at=[seen_at[name] for name in nodes],
            requests=client.requests - requests_before,
        )
    except BaseException as exc:
        error = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        with contextlib.suppress(duckdb.Error):
            finish_listing(
                con,
                listing_id,
                entity,
                nodes=None,
                listed_at=[],
                requests=client.requests - requests_before,
                error=client.scrub(" ".join(error.split())),
            )
        raise
    projects = list(nodes)
    new, gone = compare_listings(projects, before, synced)
    return EntityListing(
        entity=entity,
        listing_id=listing_id,
        projects=projects,
        new=new,
        gone=gone,
        requests=client.requests - requests_before,
        seconds=time.monotonic() - started,
    )
