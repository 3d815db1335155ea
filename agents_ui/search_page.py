"""The search page: a form over the search API's query, its results rendered on the server."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import current_user, requires
from agents_ui.search_api import BadQuery, search
from agents_ui.templating import render
from cases.workflow import CASE_STATES

FIELDS = ("q", "tracking_no", "phone", "id_number", "name", "state", "unit", "from", "to")


@requires("agent", "township", "department", "grassroots", "supervisor")
async def search_page(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    params = request.query_params
    asked = any(params.get(f) for f in FIELDS)
    found: dict[str, Any] | None = None
    error = None
    if asked:
        def run() -> dict[str, Any]:
            with deps_of(request).sessions() as session:
                return search(session, user, params)

        try:
            found = await run_in_threadpool(run)
        except BadQuery as exc:
            error = str(exc)
    return render(request, "search.html", status_code=400 if error else 200, found=found,
                  error=error, params={f: params.get(f, "") for f in FIELDS}, states=CASE_STATES)


routes: list[BaseRoute] = [
    # the same roles as the search API; results are scoped and masked by it
    Route("/console/search", search_page, methods=["GET"]),
]
