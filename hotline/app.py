"""The ASGI app: intake API, health, OpenAPI, and (mounted here) the people's console."""

from __future__ import annotations

from typing import Any

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import console_routes
from agents_ui.deps import ConsoleDeps
from intake.api import routes as intake_routes
from intake.openapi import openapi_document
from intake.services import IntakeServices


def health(services: IntakeServices) -> tuple[bool, dict[str, Any]]:
    """Up only when web, database, Redis and at least one worker are."""
    report: dict[str, Any] = {"web": "ok"}
    down: list[str] = []
    try:
        with services.sessions() as session:
            session.execute(text("SELECT 1"))
        report["database"] = "ok"
    except DBAPIError as exc:
        report["database"] = f"down: {type(exc).__name__}"
        down.append("database")
    try:
        services.redis.ping()
        report["redis"] = "ok"
        workers = Worker.count(connection=services.redis, queue=services.queue)
        report["workers"] = workers
        if workers < 1:
            down.append("workers")
    except (RedisError, OSError) as exc:
        report["redis"] = f"down: {type(exc).__name__}"
        report["workers"] = "unknown"
        down += ["redis", "workers"]
    report["status"] = "ok" if not down else "down"
    if down:
        report["down"] = down
    return not down, report


async def healthz(request: Request) -> Response:
    ok, report = await run_in_threadpool(health, request.app.state.intake)
    return JSONResponse(report, status_code=200 if ok else 503)


async def home(request: Request) -> Response:
    target = "/console/queue" if request.app.state.console is not None else "/api/v1/openapi.json"
    return RedirectResponse(target, status_code=303)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def create_app(services: IntakeServices, console: ConsoleDeps | None = None) -> Starlette:
    """The intake API always; the console too when its dependencies are given."""
    routes: list[BaseRoute] = [
        Route("/", home, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        *intake_routes,
        *(console_routes() if console is not None else []),
    ]
    app = Starlette(routes=routes)
    app.state.intake = services
    app.state.console = console
    return app
