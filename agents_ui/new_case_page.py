"""A case written during the call: it goes through the call channel's intake like any other.

The agent's decision on the suggestion (township, needs, departments, urgency) and a
policy answer read to the caller travel beside the intake, kept in Redis under its id;
once the worker has opened the case, `follow_up` applies them through the case actions
(dispatch from triage, answer), or keeps a differing decision as a training example.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.actions_api import run_action
from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, current_user, error_response, requires
from agents_ui.calls import recalled_call
from agents_ui.suggest_api import caller_area
from agents_ui.templating import render
from cases.actions import ActionRefused, ActionRequest
from cases.policy_answers import PolicyAnswer
from cases.tables import Case, Intake, TrainingExample, Unit
from cases.workflow import IllegalTransition
from intake.api import accept
from intake.errors import field_errors
from intake.schemas import CallIntake
from routing.catalogue import Catalogue

FOLLOW_UP_TTL_S = 24 * 3600
_FOLLOW_UP_KEY = "hotline:intake-follow-up:"
TAGS = ("独居", "空巢", "残疾", "重病", "失能", "留守儿童", "留守老人", "孤儿", "事实无人抚养儿童",
        "困境儿童", "低保户", "特困", "低保边缘", "精神障碍", "孕产妇", "流浪", "单亲", "高龄")
FIELD_NAMES = {
    "caller_number": "来电号码", "text": "诉求内容", "call_id": "通话编号",
    "person.name": "求助对象姓名", "person.phone": "求助对象电话", "person.id_number": "身份证号",
    "person.address": "住址", "caller.name": "来电人姓名", "caller.relation": "与求助对象关系",
    "accepting_unit": "承办乡镇",
}


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def intake_payload(form: Any, user: SessionUser) -> dict[str, Any]:
    """The CallIntake body from the form; empty fields are left out, not sent empty."""
    person = {k: _text(form, f"person_{k}") for k in ("name", "phone", "id_number", "address")}
    person_out: dict[str, Any] = {k: v for k, v in person.items() if v}
    tags = [t for t in form.getlist("person_tags") if t in TAGS]
    if tags:
        person_out["tags"] = tags
    caller = {k: _text(form, f"caller_{k}") for k in ("name", "relation")}
    payload: dict[str, Any] = {
        "call_id": _text(form, "call_id") or f"console-{secrets.token_hex(6)}",
        "caller_number": _text(form, "caller_number") or "",
        "text": form.get("text") if isinstance(form.get("text"), str) else "",
        "agent": user.username,
        "caller_is_person": form.get("caller_is_person") == "on",
    }
    if person_out:
        payload["person"] = person_out
    caller_out = {k: v for k, v in caller.items() if v}
    if caller_out:
        payload["caller"] = caller_out
    if _text(form, "accepting_unit"):
        payload["accepting_unit"] = _text(form, "accepting_unit")
    return payload


def agent_route(decision: dict[str, Any], catalogue: Catalogue) -> dict[str, Any] | None:
    """The agent's dispatch decision as the intake carries it: the main need first.

    The form lists needs in catalogue order; the main need is the one the chosen lead
    department leads.
    """
    chosen = decision.get("dispatch")
    if not chosen:
        return None
    categories = list(chosen["categories"])
    leading = [c for c in categories if c in catalogue.categories
               and catalogue.categories[c].lead == chosen["lead_department"]]
    if leading:
        categories.remove(leading[0])
        categories.insert(0, leading[0])
    return {"categories": categories, "lead_department": chosen["lead_department"],
            "co_departments": chosen["co_departments"],
            **({"urgency": chosen["urgency"]} if chosen["urgency"] else {})}


def decision_of(form: Any) -> dict[str, Any]:
    """What the agent settled on: the suggestion as accepted or corrected, and any answer."""
    decision: dict[str, Any] = {}
    categories = [c for c in form.getlist("categories") if c]
    if categories and _text(form, "lead_department"):
        decision["dispatch"] = {
            "categories": categories, "lead_department": _text(form, "lead_department"),
            "co_departments": [d for d in form.getlist("co_departments") if d],
            "accepting_unit": _text(form, "accepting_unit"), "urgency": _text(form, "urgency"),
        }
    answer_id = _text(form, "answer_id")
    if answer_id and answer_id.isdigit():
        decision["answer"] = {"answer_id": int(answer_id), "note": _text(form, "answer_note") or ""}
    return decision


def form_context(request: Request, user: SessionUser, values: dict[str, Any]) -> dict[str, Any]:
    deps = deps_of(request)
    call_id = request.query_params.get("call_id", "")
    call = recalled_call(deps.redis, call_id) if call_id else None
    if call is not None and call.get("agent") not in (user.username, None) and user.role != "admin":
        call = None
    caller = (call or {}).get("caller_number") or request.query_params.get("caller", "")
    with deps.sessions() as session:
        townships = [(u.code, u.name) for u in session.scalars(
            select(Unit).where(Unit.kind.in_(("township", "county"))).order_by(Unit.code))]
    return {
        "values": {"call_id": call_id, "caller_number": caller.replace("+86", ""), **values},
        "call": call,
        "caller_area": (call or {}).get("area") or caller_area(caller),
        "form_token": values.get("form_token") or secrets.token_urlsafe(16),
        "townships": townships,
        "categories": [(code, c.name) for code, c in deps.catalogue.categories.items()],
        "tags": TAGS,
    }


@requires("agent")
async def new_case_form(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    context = await run_in_threadpool(form_context, request, user, {})
    return render(request, "new_case.html", **context)


@requires("agent", csrf=True)
async def submit_case(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    form = await request.form()
    payload = intake_payload(form, user)
    # The case opens as the agent decided; a correction becomes a training example.
    route = agent_route(decision_of(form), deps_of(request).catalogue)
    if route is not None:
        payload["agent_route"] = route
    try:
        call = CallIntake.model_validate(payload)
    except ValidationError as exc:
        errors = [f"{FIELD_NAMES.get(e['field'], e['field'])}：{e['message']}"
                  for e in field_errors(exc)]
        values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        values["person_tags"] = form.getlist("person_tags")
        context = await run_in_threadpool(form_context, request, user, values)
        return render(request, "new_case.html", status_code=422, errors=errors, **context)
    body = call.model_dump(exclude_none=True)
    body["caller_area"] = caller_area(call.caller_number)
    token = str(form.get("form_token") or "") or None
    deps = deps_of(request)
    # The form token is the message id: a double-click or a resubmitted form makes one intake.
    response = await run_in_threadpool(accept, deps.intake, channel="call", source=user.username,
                                       message_id=token, payload=body)
    intake_id = json.loads(bytes(response.body))["intake_id"]
    decision = decision_of(form)
    if decision and response.status_code == 202:
        deps.redis.set(_FOLLOW_UP_KEY + intake_id, json.dumps(decision, ensure_ascii=False),
                       ex=FOLLOW_UP_TTL_S, nx=True)
    return RedirectResponse(f"/console/intakes/{intake_id}", status_code=303)


@requires("agent")
async def intake_wait(request: Request) -> Response:
    """Between the 202 and the opened case: the page moves on when the worker is done."""
    intake_id = str(request.path_params["intake_id"])
    deps = deps_of(request)

    def load() -> dict[str, Any] | None:
        with deps.sessions() as session:
            intake = session.get(Intake, intake_id)
            if intake is None:
                return None
            return {"id": intake.id, "state": intake.state, "case_id": intake.case_id,
                    "error": intake.last_error, "excerpt": str(intake.payload.get("text", ""))[:80]}

    intake = await run_in_threadpool(load)
    if intake is None:
        return error_response(request, 404, "没有这条受理记录")
    return render(request, "intake_wait.html", intake=intake)


def apply_decision(request: Request, user: SessionUser, intake_id: str) -> dict[str, Any]:
    deps = deps_of(request)
    with deps.sessions() as session:
        intake = session.get(Intake, intake_id)
        if intake is None or intake.case_id is None:
            raise ActionRefused("工单尚未生成", 409)
        case = session.get(Case, intake.case_id)
        assert case is not None
        state, case_id, text = case.state, case.id, case.text
        current = (case.categories, case.lead_department, case.co_departments, case.accepting_unit,
                   case.urgency)
    raw = deps.redis.getdel(_FOLLOW_UP_KEY + intake_id)
    decision: dict[str, Any] = json.loads(raw) if raw else {}
    notices: list[str] = []
    if "answer" in decision:
        chosen = decision["answer"]
        with deps.sessions() as session:
            answer = session.get(PolicyAnswer, chosen["answer_id"])
            note = chosen["note"] or (answer.answer if answer is not None else "")
        if state in ("received", "triage"):
            run_action(request, user, case_id, "answer",
                       ActionRequest(note=note, answer_id=chosen["answer_id"]))
            notices.append("已按政策口径当场答复并结案")
        elif state == "answered":
            notices.append("该咨询已自动按答复结案")
        else:
            notices.append("工单已派出，未作当场答复；如需答复请在工单页处理")
    elif "dispatch" in decision:
        chosen = decision["dispatch"]
        # The form lists needs in catalogue order; the case's own order keeps its main need first.
        chosen["categories"] = sorted(chosen["categories"], key=lambda c: (
            current[0].index(c) if c in current[0] else len(current[0])))
        wanted = (chosen["categories"], chosen["lead_department"], sorted(chosen["co_departments"]),
                  chosen["accepting_unit"] or current[3], chosen["urgency"] or current[4])
        current = (current[0], current[1], sorted(current[2]), current[3], current[4])
        if state in ("received", "triage"):
            run_action(request, user, case_id, "dispatch", ActionRequest(
                categories=tuple(chosen["categories"]), lead_department=chosen["lead_department"],
                co_departments=tuple(chosen["co_departments"]),
                accepting_unit=chosen["accepting_unit"], urgency=chosen["urgency"],
                note="接线员在通话中确认分派"))
            notices.append("已按您确认的分派派单")
        elif wanted == current:
            # The intake carried the agent's route: the case opened as decided.
            notices.append("已按您确认的分派派单")
        else:
            with deps.sessions() as session:
                session.add(TrainingExample(
                    case_id=case_id, text=text, categories=list(chosen["categories"]),
                    departments=[chosen["lead_department"], *chosen["co_departments"]],
                    urgency=wanted[4], in_scope=True, created_by=user.username,
                    created_at=deps.now()))
                session.commit()
            notices.append("工单已自动派出，与您的更正不同：更正已记为训练样本；"
                           "如需改派，请由承办单位退回后重新派单")
    return {"case_id": case_id, "notices": notices}


@requires("agent", csrf=True)
async def follow_up(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    try:
        reply = await run_in_threadpool(apply_decision, request, user,
                                        str(request.path_params["intake_id"]))
    except ActionRefused as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    except IllegalTransition as exc:
        return JSONResponse({"error": exc.message}, status_code=409)
    return JSONResponse(reply)


routes: list[BaseRoute] = [
    # agent (and admin): the form, its submission through the call intake, and what follows
    Route("/console/cases/new", new_case_form, methods=["GET"]),
    Route("/console/cases/new", submit_case, methods=["POST"]),
    Route("/console/intakes/{intake_id}", intake_wait, methods=["GET"]),
    Route("/console/api/intakes/{intake_id}/follow-up", follow_up, methods=["POST"]),
]
