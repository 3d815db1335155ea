"""The classifier's live suggestion while the agent types (the page debounces its requests)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import requires
from agents_ui.calls import phone_place
from intake.schemas import MAX_TEXT, Phone
from routing.decide import RoutingContext

_PHONE: TypeAdapter[str] = TypeAdapter(Phone)


def caller_area(raw: str) -> str | None:
    """The phone's area is a hint for routing; a number the agent is still typing is none."""
    try:
        return phone_place(_PHONE.validate_python(raw)) if raw else None
    except ValidationError:
        return None


def routing_context(data: dict[str, Any]) -> RoutingContext:
    """What the form knows besides the text, as the worker will see it for this call."""
    return RoutingContext(
        channel="call",
        village_code=str(data.get("village_code") or "") or None,
        address=str(data.get("address") or "") or None,
        caller_area=caller_area(str(data.get("caller_number") or "")),
        accepting_unit=str(data.get("accepting_unit") or "") or None,
    )


def suggestion(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    deps = deps_of(request)
    result = deps.classifier().classify_json(str(data["text"]), routing_context(data))
    needs = result["signals"].get("needs", [])
    names = {code: c.name for code, c in deps.catalogue.categories.items()}
    result["needs"] = [{"category": n["category"], "name": names.get(n["category"], n["category"]),
                        "probability": round(float(n["probability"]), 2)} for n in needs]
    return result


@requires("agent", csrf=True)
async def suggest(request: Request) -> Response:
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "请求内容不是有效的JSON"}, status_code=400)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return JSONResponse({"error": "text：应为文本"}, status_code=422)
    if not data["text"].strip():
        return JSONResponse({"error": "text：不能为空"}, status_code=422)
    if len(data["text"]) > MAX_TEXT:
        return JSONResponse({"error": f"text：超过最大长度{MAX_TEXT}个字符"}, status_code=422)
    return JSONResponse(await run_in_threadpool(suggestion, request, data))


routes: list[BaseRoute] = [
    # agent (and admin), with the session's CSRF token
    Route("/console/api/suggest", suggest, methods=["POST"]),
]
