"""The case page: timeline, assignments with their clocks, notes, and this user's actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, current_user, error_response, requires, viewer_of
from agents_ui.clock_display import clock_display
from agents_ui.queue_page import ALL_ROLES
from agents_ui.templating import render
from cases.access import may_see
from cases.actions import ACTION_ROLES, NAMES
from cases.tables import Case, Clock, Unit
from cases.views import case_detail
from cases.workflow import CASE_TRANSITIONS, FINAL_STATES, STATE_NAMES

# The fields each action's form asks for, in the order a person fills them in.
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "dispatch": ("accepting_unit", "categories", "lead_department", "co_departments", "urgency",
                 "note"),
    "accept": (), "first_contact": ("note",), "advance_aid": ("note",),
    "add_assist": ("department", "note"), "return": ("reason",), "hold": ("reason",),
    "resume": ("note",), "request_extension": ("extension", "reason"),
    "grant_extension": ("note",), "deny_extension": ("reason",), "reply": ("note",),
    "resolve": ("note",), "follow_up": ("satisfaction", "note"), "answer": ("note",),
    "transfer_out": ("reason",), "merge": ("target_case_id", "reason"), "invalid": ("reason",),
    "supervise": ("note",),
}
# Actions on a department's own part, possible whatever the case's state while it is open.
ASSIGNMENT_ACTIONS = {
    "department": ("accept", "reply", "return", "request_extension"),
    "township": ("request_extension",),
    "supervisor": ("grant_extension", "deny_extension", "supervise"),
    "admin": ("grant_extension", "deny_extension", "supervise"),
}
EVENT_NAMES = {
    **STATE_NAMES, **NAMES, "received": "受理登记", "dispatched": "派单", "accepted": "签收",
    "assignment_accepted": "部门签收", "assignment_replied": "部门答复",
    "assignment_returned": "部门退回", "assist_added": "增加协办部门", "returned": "退回",
    "hold": "挂起", "resume": "恢复办理", "extension_requested": "申请延期",
    "extension_granted": "批准延期", "extension_denied": "驳回延期", "resolved": "办结",
    "followed_up": "回访", "closed": "归档", "reopened": "重办", "supervisor_notice": "通知督办",
    "answered": "当场答复", "transferred_out": "转12345", "merged": "合并到其他工单",
    "merge_received": "并入重复件", "invalid": "标记无效", "supervise": "督办",
    "reveal": "查看完整个人信息", "first_contact": "首次联系", "advance_aid": "先行救助",
    "clock_warned": "时限预警", "clock_breached": "超时", "escalated": "升级督办",
}
DATA_NAMES = {
    "note": "说明", "reason": "理由", "department": "部门", "extension": "延期",
    "satisfaction": "满意度",
    "accepting_unit": "承办单位", "lead_department": "主办部门", "co_departments": "协办部门",
    "categories": "救助事项", "urgency": "紧急程度", "into_tracking_no": "并入", "to": "转至",
    "explanation": "分派依据", "triage_reasons": "待分拣原因", "unit": "单位",
}


def actions_for(user: SessionUser, case: Case) -> list[str]:
    """The actions this user's role may take on this case now (the server checks again)."""
    if case.state in FINAL_STATES:
        return []
    allowed: list[str] = []
    for action, roles in ACTION_ROLES.items():
        if user.role not in roles or action == "reveal":
            continue
        transition = CASE_TRANSITIONS.get(action)
        own_part = action in ASSIGNMENT_ACTIONS.get(user.role, ())
        if transition is not None and not own_part and case.state not in transition[0]:
            continue
        if action in ("add_assist",) and case.state not in ("dispatched", "accepted", "in_progress",
                                                            "on_hold"):
            continue
        allowed.append(action)
    return allowed


def page_context(request: Request, user: SessionUser, case_id: int) -> dict[str, Any] | None:
    deps = deps_of(request)
    now = deps.now()
    with deps.sessions() as session:
        case = session.get(Case, case_id)
        if case is None or not may_see(session, viewer_of(user), case):
            return None
        detail = case_detail(session, case, masked=True)
        clocks = list(session.scalars(select(Clock).where(Clock.case_id == case.id)
                                      .order_by(Clock.deadline)))
        townships = list(session.scalars(select(Unit).where(Unit.kind.in_(("township", "county")))
                                         .order_by(Unit.code)))
        actions = actions_for(user, case)
    shown = [clock_display(c, now) for c in clocks]
    for assignment in detail["assignments"]:
        assignment["clocks"] = [c for c in shown if c["assignment_id"] == assignment["id"]]
    return {
        "case": detail,
        "case_clocks": [c for c in shown if c["assignment_id"] is None],
        "actions": actions,
        "action_fields": ACTION_FIELDS,
        "action_titles": NAMES,
        "event_names": EVENT_NAMES,
        "data_names": DATA_NAMES,
        "townships": [(u.code, u.name) for u in townships],
        "may_reveal": user.role in ACTION_ROLES["reveal"],
        "categories": [(code, c.name) for code, c in deps.catalogue.categories.items()],
    }


@requires(*ALL_ROLES)
async def case_page(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    context = await run_in_threadpool(page_context, request, user,
                                      int(request.path_params["case_id"]))
    if context is None:
        return error_response(request, 404, "没有这个工单，或您无权查看")
    return render(request, "case.html", **context)


routes: list[BaseRoute] = [
    # every role; may_see decides for this case (404 otherwise)
    Route("/console/cases/{case_id:int}", case_page, methods=["GET"]),
]
