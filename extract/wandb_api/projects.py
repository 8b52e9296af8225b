"""Every project of an entity, through the SDK's `Projects` paginator (`Api.projects`).

wandb 0.31 sends `GetProjects(entity, cursor, perPage)`: `models(entityName:)`, one
request per page, each node the SDK's `ProjectFragment`. The fragment carries the
project's owner with their `apiKeys` connection; a stored project record keeps only the
project's own fields (`PROJECT_FIELDS`), never its owner.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from extract.wandb_api.client import WandbClient

# The project's own fields of the SDK's ProjectFragment (its `user` is left out).
PROJECT_FIELDS = ("__typename", "id", "name", "entityName", "createdAt", "isBenchmark")


class EntityNotFoundError(ValueError):
    """The server answered the listing with no connection at all."""


def list_projects(client: WandbClient, entity: str) -> Iterator[list[dict[str, Any]]]:
    """The entity's projects, one page at a time, each node cut to `PROJECT_FIELDS`."""
    with client.translating(f"listing the projects of {entity}", entity=entity):
        pager = _project_nodes_pager(client.service_api(), entity, client.config.page_size)
        for nodes in pager.pages():
            client.count_requests(1)
            yield [{name: node.get(name) for name in PROJECT_FIELDS} for node in nodes]


def _project_nodes_pager(service_api: Any, entity: str, per_page: int) -> Any:
    """The SDK's `Projects` paginator, yielding each page's project nodes as received.

    `Projects` validates each page with the SDK's models and wraps nodes in `Project`
    objects (re-serialised in snake case); the page's JSON is kept alongside, so nodes
    are stored as W&B sent them.
    """
    from wandb.apis._generated import GetProjects
    from wandb.apis.public import Projects

    class ProjectNodes(Projects):
        raw: dict[str, Any] | None = None

        def _update_response(self) -> None:
            from wandb._pydantic import Connection
            from wandb.apis._generated import ProjectFragment

            def parse(text: str) -> GetProjects:
                self.raw = json.loads(text)
                return GetProjects.model_validate_json(text)

            result = self._execute_query(parse=parse)
            if result.models is None:
                raise EntityNotFoundError(f"entity {entity} not found")
            self.last_response = Connection[ProjectFragment].model_validate(result.models)

        def convert_objects(self) -> list[dict[str, Any]]:
            edges = ((self.raw or {}).get("models") or {}).get("edges") or []
            return [edge["node"] for edge in edges if edge.get("node")]

        def pages(self) -> Iterator[list[dict[str, Any]]]:
            while self._load_page():
                yield list(self.objects)
                self.objects.clear()

    return ProjectNodes(service_api, entity, per_page=per_page)
