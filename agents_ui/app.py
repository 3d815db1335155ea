"""The console's routes, gathered from its modules; handlers find their ConsoleDeps on app.state."""

from __future__ import annotations

import importlib
from pathlib import Path

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from agents_ui.deps import ConsoleDeps

STATIC_DIR = Path(__file__).parent / "static"

# Each module has `routes: list[BaseRoute]`; every route names its permission next to its path.
ROUTE_MODULES: tuple[str, ...] = (
    "auth_views", "actions_api", "search_api",
    "live", "calls", "queue_page", "case_page", "suggest_api", "policy_answers",
    "new_case_page", "search_page", "sla_api", "supervise_page",
)


def console_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in ROUTE_MODULES:
        routes.extend(importlib.import_module(f"agents_ui.{name}").routes)
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"))
    return routes


def deps_of(connection: HTTPConnection) -> ConsoleDeps:
    deps: ConsoleDeps = connection.app.state.console
    return deps
