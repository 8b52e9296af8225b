"""Every sweep of a project, through the SDK's `Sweeps` paginator (`Project.sweeps()`).

wandb 0.31 sends `GetSweeps(project, entity, filters, cursor, perPage)`, each node the
SDK's `SweepFragment` (id, name, displayName, method, state, description, bestLoss,
config, createdAt, updatedAt, runCount, runCountExpected); wandb-core first asks the
server's features once per process (`ServerFeaturesQuery`) and drops `$filters` on
servers without sweep filtering. Iterating `Sweeps` itself would cost one more request
per sweep: it builds each `Sweep` without its attributes, which then loads itself
(`GetSweep`). Nodes are taken from the page responses instead, so a project's sweeps cost
one request per page. `config` is the sweep configuration as W&B stores it: YAML text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from extract.wandb_api.client import WandbClient


def list_sweeps(client: WandbClient, entity: str, project: str) -> Iterator[list[dict[str, Any]]]:
    """The project's sweeps, one page of nodes (as received) at a time."""
    what = f"listing the sweeps of {entity}/{project}"
    with client.translating(what, entity=entity, project=project):
        pager = _sweep_nodes_pager(client.service_api(), entity, project, client.config.page_size)
        for nodes in pager.pages():
            client.count_requests(1)
            yield nodes


def parse_sweep_config(text: Any) -> str | None:
    """The sweep configuration (YAML text, or an object already) as JSON text; None when it
    is not a YAML mapping."""
    if isinstance(text, dict):
        return json.dumps(text, default=str)
    if not isinstance(text, str):
        return None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(parsed, dict):
        return None
    return json.dumps(parsed, default=str)


def _sweep_nodes_pager(service_api: Any, entity: str, project: str, per_page: int) -> Any:
    """The SDK's `Sweeps` paginator, yielding each page's sweep nodes as received."""
    from wandb.apis._generated import GetSweeps
    from wandb.apis.public import Sweeps

    class SweepNodes(Sweeps):
        raw: dict[str, Any] | None = None

        def _update_response(self) -> None:
            def parse(text: str) -> GetSweeps:
                self.raw = json.loads(text)
                return GetSweeps.model_validate_json(text)

            # As `Sweeps._update_response`: servers without filtering get no $filters.
            self.last_response = self._service_api.execute_graphql(
                self.QUERY,
                variables=self.variables,
                omit_variables=None if self._supports_filtering else ["filters"],
                parse=parse,
            )

        def convert_objects(self) -> list[dict[str, Any]]:
            project_data = (self.raw or {}).get("project")
            if project_data is None:
                raise ValueError(f"Could not find project {self.project}")
            edges = (project_data.get("sweeps") or {}).get("edges") or []
            return [edge["node"] for edge in edges if edge.get("node")]

        def pages(self) -> Iterator[list[dict[str, Any]]]:
            while self._load_page():
                yield list(self.objects)
                self.objects.clear()

    return SweepNodes(service_api, entity, project, per_page=per_page)
