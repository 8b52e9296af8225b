"""The artifact versions a run used and logged, through the SDK's `RunArtifacts`
(`Run.used_artifacts()` / `Run.logged_artifacts()`).

wandb 0.31 sends `RunInputArtifacts` / `RunOutputArtifacts(entity, project, run, cursor,
perPage)`: `project.run.inputArtifacts` / `outputArtifacts`, each node the SDK's
`ArtifactFragment` (type, collection, version index, aliases, digest, size, createdAt,
...). The SDK has no query that reads the artifacts of several runs at once, so a run
costs two requests (one per direction) plus one per further page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from extract.wandb_api.client import WandbClient

Direction = Literal["used", "logged"]
DIRECTIONS: tuple[Direction, ...] = ("used", "logged")


class RunGoneError(LookupError):
    """The run was not found (deleted since the listing)."""


def run_artifacts(
    client: WandbClient, entity: str, project: str, run_id: str, direction: Direction
) -> list[dict[str, Any]]:
    """Every artifact node the run used (or logged), as received; RunGoneError if the
    server no longer has the run."""
    what = f"reading the {direction} artifacts of {entity}/{project}/{run_id}"
    nodes: list[dict[str, Any]] = []
    gone = False
    with client.translating(what, entity=entity, project=project):
        pager = _artifact_nodes_pager(
            client.service_api(), entity, project, run_id, direction, client.config.page_size
        )
        try:
            for page in pager.pages():
                client.count_requests(1)
                nodes.extend(page)
        except RunGoneError:
            client.count_requests(1)
            gone = True
    if gone:  # raised here, outside the translation of SDK failures
        raise RunGoneError(f"run {entity}/{project}/{run_id} not found")
    return nodes


def _artifact_nodes_pager(
    service_api: Any, entity: str, project: str, run_id: str, direction: Direction, per_page: int
) -> Any:
    """The SDK's `RunArtifacts` paginator, yielding each page's artifact nodes as received
    (it would wrap each in an `Artifact`)."""
    from wandb.apis.public import Run
    from wandb.apis.public.artifacts import RunArtifacts

    class ArtifactNodes(RunArtifacts):
        raw: dict[str, Any] | None = None

        def _update_response(self) -> None:
            from wandb.sdk.artifacts._models.pagination import RunArtifactConnection

            data = self._service_api.execute_graphql(
                self.QUERY, variables=self.variables, omit_fields=self._omit_fields
            )
            project_data = (data or {}).get("project")
            if project_data is None:
                raise ValueError(f"Could not find project {project}")
            run_data = project_data.get("run")
            if run_data is None:
                raise RunGoneError(f"run {entity}/{project}/{run_id} not found")
            self.raw = run_data.get("artifacts") or {}
            self.last_response = RunArtifactConnection.model_validate(self.raw)

        def convert_objects(self) -> list[dict[str, Any]]:
            edges = (self.raw or {}).get("edges") or []
            return [edge["node"] for edge in edges if edge.get("node")]

        def pages(self) -> Iterator[list[dict[str, Any]]]:
            while self._load_page():
                yield list(self.objects)
                self.objects.clear()

    # `Run.used_artifacts()` builds the same paginator from a `Run`; this one is built
    # without loading the run (the listing described it).
    run = Run(service_api, entity, project, run_id, attrs={"name": run_id}, lazy=True)
    return ArtifactNodes(service_api, run, mode=direction, per_page=per_page)


def artifact_key(node: dict[str, Any]) -> str:
    """A stable identity for a node: its GraphQL id, else its collection path and version."""
    if node.get("id"):
        return str(node["id"])
    sequence = node.get("artifactSequence") or {}
    owner = sequence.get("project") or {}
    return json.dumps(
        [
            (owner.get("entity") or {}).get("name"),
            owner.get("name"),
            sequence.get("name"),
            node.get("versionIndex"),
        ]
    )
