"""The phone system's call events → the ringing agent's screen pops the caller and their history."""

from __future__ import annotations

import json
from typing import Any, Literal

import phonenumbers
from phonenumbers import geocoder
from pydantic import Field
from redis import Redis
from redis.exceptions import RedisError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import current_user, requires
from agents_ui.live import CALLS_CHANNEL
from cases.people import cases_of_people, people_by_phone
from cases.tables import Case, Person
from cases.views import case_summary, person_view
from cases.workflow import STATE_NAMES
from intake.api import BadRequest, parse_json, read_body, validate
from intake.auth import AuthError
from intake.errors import problem
from intake.schemas import MessageId, Phone, ShortText, Strict
from routing.catalogue import Catalogue

CALL_TTL_S = 4 * 3600
_CALL_KEY = "hotline:call:"
HISTORY_LIMIT = 20


class CallEvent(Strict):
    """One event of a call, as the phone system (CTI) reports it."""

    event: Literal["ringing", "answered", "hangup"]
    call_id: MessageId
    caller_number: Phone
    agent: ShortText = Field(description="接听坐席的用户名")


def phone_place(e164: str) -> str | None:
    """The city (landline) or province (mobile) a number belongs to, in Chinese."""
    place = geocoder.description_for_number(phonenumbers.parse(e164, None), "zh")
    return place or None


def caller_history(session: Any, phone: str, catalogue: Catalogue) -> dict[str, Any]:
    """People with this phone, the people in their cases, and all those cases (newest first).

    A daughter calling about her father: the father's own earlier cases count too.
    """
    people = people_by_phone(session, phone)
    direct = cases_of_people(session, [p.id for p in people])
    linked_ids = {p.id for p in people}
    for case in direct:
        linked_ids.update(i for i in (case.person_id, case.caller_id) if i is not None)
    cases = cases_of_people(session, sorted(linked_ids), limit=HISTORY_LIMIT)
    linked = [session.get(Person, i) for i in sorted(linked_ids)]
    return {
        "people": [person_view(p) for p in linked if p is not None],
        "cases": [history_row(c, catalogue) for c in cases],
    }


def history_row(case: Case, catalogue: Catalogue) -> dict[str, Any]:
    row = case_summary(case)
    row["state_name"] = STATE_NAMES.get(case.state, case.state)
    category = catalogue.categories.get(case.category or "")
    row["category_name"] = category.name if category is not None else ""
    row["excerpt"] = case.text[:60]
    return row


def remember_call(redis: Redis, message: dict[str, Any]) -> None:
    text = json.dumps(message, ensure_ascii=False)
    redis.set(_CALL_KEY + message["call_id"], text, ex=CALL_TTL_S)


def recalled_call(redis: Redis, call_id: str) -> dict[str, Any] | None:
    raw = redis.get(_CALL_KEY + call_id)
    if raw is None:
        return None
    found: dict[str, Any] = json.loads(raw)
    return found


async def call_events(request: Request) -> Response:
    try:
        body = await read_body(request)
    except BadRequest as exc:
        return exc.response
    return await run_in_threadpool(_call_events, request, body)


def _call_events(request: Request, body: bytes) -> Response:
    deps = deps_of(request)
    try:
        deps.intake.client_keys.client(deps.sessions, request, "call")
        event = validate(CallEvent, parse_json(body))
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    except BadRequest as exc:
        return exc.response
    message: dict[str, Any] = {
        "type": "call", "event": event.event, "call_id": event.call_id,
        "caller_number": event.caller_number, "agent": event.agent,
        "area": phone_place(event.caller_number), "at": deps.now().isoformat(),
    }
    if event.event == "ringing":
        with deps.sessions() as session:
            message["history"] = caller_history(session, event.caller_number, deps.catalogue)
    try:
        previous = recalled_call(deps.redis, event.call_id)
        if previous is not None and "history" in previous and "history" not in message:
            message["history"] = previous["history"]
        remember_call(deps.redis, message)
        listeners = deps.redis.publish(CALLS_CHANNEL, json.dumps(message, ensure_ascii=False))
    except RedisError:
        return problem(503, "redis_unavailable", "来电事件暂时无法转发，请稍后重试", retry_after=2)
    return JSONResponse({"call_id": event.call_id, "event": event.event,
                         "relayed": bool(listeners)}, status_code=202)


@requires("agent")
async def call_state(request: Request) -> Response:
    """The last event of a call, for the new-case form opened from a screen-pop."""
    deps = deps_of(request)
    user = current_user(request)
    found = await run_in_threadpool(recalled_call, deps.redis, request.path_params["call_id"])
    if found is None or user is None or (found["agent"] != user.username and user.role != "admin"):
        return JSONResponse({"error": "没有这通来电，或不是您接听的"}, status_code=404)
    return JSONResponse(found)


routes: list[BaseRoute] = [
    # the phone system, by its call-channel API key
    Route("/api/v1/calls/events", call_events, methods=["POST"]),
    # agent (and admin): the call they are on
    Route("/console/api/calls/{call_id}", call_state, methods=["GET"]),
]
