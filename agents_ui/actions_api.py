"""Case actions and the reveal of personal data, as console JSON endpoints.

`POST /console/api/cases/{id}/actions/{action}` with a JSON body; every call
checks the role (`cases.actions.ACTION_ROLES`) and that this user may see this
case, runs the action and the SLA clocks in one transaction, commits, and then
publishes the new timeline events on Redis for the live consoles.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, current_user, requires, viewer_of
from cases.access import may_see
from cases.actions import ACTIONS, ActionRefused, ActionRequest, Actor, perform
from cases.tables import Case, Event
from cases.views import case_detail, event_message, event_view
from cases.workflow import IllegalTransition
from intake.events import publish
from routing.duration import parse_duration

_TEXT_FIELDS = ("reason", "note", "department", "extension", "satisfaction", "accepting_unit",
                "lead_department", "urgency")
_URGENCIES = ("critical", "urgent", "normal")


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def parse_action_request(body: Any) -> ActionRequest:
    """The JSON body as an ActionRequest; ActionRefused (400) names the wrong field in Chinese."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ActionRefused("请求内容应为JSON对象", 400)
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise ActionRefused(f"字段 {name} 应为文本", 400)
        if value is not None:
            values[name] = value.strip() if name not in ("reason", "note") else value
    for name in ("categories", "co_departments"):
        value = body.get(name)
        if value is not None:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ActionRefused(f"字段 {name} 应为文本列表", 400)
            values[name] = tuple(value)
    for name in ("target_case_id", "answer_id"):
        value = body.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ActionRefused(f"字段 {name} 应为整数", 400)
            values[name] = value
    if values.get("extension"):
        try:
            parse_duration(values["extension"])
        except ValueError as exc:
            raise ActionRefused(f"延期时长格式不正确：{exc}", 400) from None
    if values.get("urgency") and values["urgency"] not in _URGENCIES:
        raise ActionRefused("紧急程度应为 critical、urgent 或 normal", 400)
    return ActionRequest(**values)


def actor_of(user: SessionUser) -> Actor:
    return Actor(username=user.username, role=user.role, unit_code=user.unit_code)


def visible_case(session: Session, user: SessionUser, case_id: int) -> Case:
    """The case if this user may see it; otherwise ActionRefused (404 / 403)."""
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise ActionRefused("工单不存在", 404)
    if not may_see(session, viewer_of(user), case):
        raise ActionRefused("您无权查看或处理此工单", 403)
    return case


def _messages(session: Session, events: list[Event], case: Case) -> list[dict[str, Any]]:
    cases = {case.id: case}
    for event in events:
        if event.case_id not in cases:  # a merge also writes on the case merged into
            other = session.get(Case, event.case_id)
            if other is not None:
                cases[other.id] = other
    return [event_message(e, cases[e.case_id]) for e in events if e.case_id in cases]


def run_action(request: Request, user: SessionUser, case_id: int, action: str,
               body: ActionRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    deps = deps_of(request)
    with deps.sessions() as session:
        try:
            case = visible_case(session, user, case_id)
            events = perform(session, case, actor_of(user), action, body, deps.now(), deps.clocks)
            session.commit()
        except Exception:
            session.rollback()
            raise
        messages = _messages(session, events, case)
        reply = {"case": case_detail(session, case, masked=action != "reveal"),
                 "events": [event_view(e) for e in events]}
    publish(deps.redis, messages)
    return reply, messages


async def _act(request: Request, action: str) -> Response:
    user = current_user(request)
    assert user is not None  # requires() let the request through
    if action not in ACTIONS:
        return _refuse(404, f"未知操作：{action}")
    raw = await request.body()
    try:
        body = parse_action_request(json.loads(raw) if raw.strip() else None)
        reply, _ = await run_in_threadpool(run_action, request, user,
                                           int(request.path_params["case_id"]), action, body)
    except json.JSONDecodeError:
        return _refuse(400, "请求内容不是有效的JSON")
    except ActionRefused as exc:
        return _refuse(exc.status, exc.message)
    except IllegalTransition as exc:
        return _refuse(409, exc.message)
    return JSONResponse(reply)


@requires("agent", "township", "department", "supervisor", csrf=True)
async def case_action(request: Request) -> Response:
    return await _act(request, str(request.path_params["action"]))


@requires("agent", "township", "department", "supervisor", csrf=True)
async def reveal(request: Request) -> Response:
    """The unmasked people of a case, recorded on the timeline as a `reveal` event."""
    return await _act(request, "reveal")


routes: list[BaseRoute] = [
    Route("/console/api/cases/{case_id:int}/actions/{action}", case_action, methods=["POST"]),
    Route("/console/api/cases/{case_id:int}/reveal", reveal, methods=["POST"]),
]
