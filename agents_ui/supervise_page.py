"""督办: the supervisor's view of time limits across townships and departments.

The page is a shell; the figures come from the SLA API (`/api/v1/sla/at-risk`,
`/api/v1/sla/stats`), fetched again whenever a warning, breach or escalation arrives.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from agents_ui.auth import requires
from agents_ui.templating import render


@requires("supervisor")
async def supervise(request: Request) -> Response:
    return render(request, "supervise.html")


routes: list[BaseRoute] = [
    # supervisor (and admin): at-risk clocks, on-time rates, calendar warnings, 督办 orders
    Route("/console/supervise", supervise, methods=["GET"]),
]
