"""What people do to a case: one function per action, each part of one transaction.

Every function changes the case and its assignments through `cases.workflow`,
adds timeline Events and returns them; the caller commits and then publishes
them. Who may take which action is `ACTION_ROLES`; whether this user may see
this case at all (`cases.access.may_see`) is checked by the caller first.
The SLA clocks move through the `Clocks` hook, called inside the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.accounts import ROLE_NAMES
from cases.tables import Assignment, Case, Event, TrainingExample, Unit
from cases.workflow import (
    ACTION_NAMES,
    FINAL_STATES,
    IllegalTransition,
    can_resolve,
    next_assignment_state,
    next_case_state,
)

SATISFACTION = ("满意", "基本满意", "不满意")

# Who may take each action; admin may take every one.
ACTION_ROLES: dict[str, frozenset[str]] = {
    name: frozenset(roles) | {"admin"} for name, roles in {
        "dispatch": ("agent",), "answer": ("agent",), "transfer_out": ("agent",),
        "merge": ("agent",), "invalid": ("agent",), "follow_up": ("agent",),
        "accept": ("township", "department"), "first_contact": ("township",),
        "advance_aid": ("township",), "add_assist": ("township",),
        "return": ("township", "department"), "hold": ("township",), "resume": ("township",),
        "request_extension": ("township", "department"), "resolve": ("township",),
        "reply": ("department",),
        "grant_extension": ("supervisor",), "deny_extension": ("supervisor",),
        "supervise": ("supervisor",),
        # Handlers must phone the person (first contact), so they may see the number too.
        "reveal": ("agent", "supervisor", "township", "department"),
    }.items()
}

NAMES = {**ACTION_NAMES, "add_assist": "增加协办部门", "reply": "部门答复",
         "request_extension": "申请延期", "grant_extension": "批准延期",
         "deny_extension": "驳回延期", "supervise": "督办", "reveal": "查看完整个人信息"}

_ACTIVE = ("dispatched", "accepted", "in_progress", "on_hold")


class ActionRefused(Exception):
    """Not this user's to do (403) or a request that is wrong (400); Chinese message."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Clocks(Protocol):
    def apply(self, session: Session, case: Case, action: str, at: dt.datetime, *,
              department: str | None = None, extension: str | None = None) -> list[Event]: ...


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    unit_code: str


@dataclass(frozen=True)
class ActionRequest:
    reason: str = ""
    note: str = ""
    department: str | None = None
    extension: str | None = None  # a duration such as "5wd", checked by the caller
    satisfaction: str | None = None
    target_case_id: int | None = None  # merge into this case
    accepting_unit: str | None = None  # dispatch
    categories: tuple[str, ...] | None = None
    lead_department: str | None = None
    co_departments: tuple[str, ...] | None = None
    urgency: str | None = None
    answer_id: int | None = None  # the policy answer read to the caller


@dataclass
class Context:
    session: Session
    case: Case
    actor: Actor
    now: dt.datetime
    clocks: Clocks | None
    events: list[Event]

    def record(self, kind: str, case: Case | None = None, **data: Any) -> Event:
        event = Event(case_id=(case or self.case).id, at=self.now, kind=kind,
                      actor=self.actor.username, data=data)
        self.session.add(event)
        self.events.append(event)
        return event

    def move(self, action: str) -> None:
        self.case.state = next_case_state(self.case.state, action)

    def step(self, action: str, kind: str, **data: Any) -> None:
        """A plain move of the case: new state, one timeline event, the clocks."""
        self.move(action)
        self.record(kind, **data)
        self.clock(action)

    def clock(self, action: str, department: str | None = None,
              extension: str | None = None) -> None:
        if self.clocks is not None:
            self.events.extend(self.clocks.apply(self.session, self.case, action, self.now,
                                                 department=department, extension=extension))


def perform(session: Session, case: Case, actor: Actor, action: str, request: ActionRequest,
            now: dt.datetime, clocks: Clocks | None = None) -> list[Event]:
    """Take `action` on `case` as `actor`; returns the new Events (the caller commits).

    Raises ActionRefused (wrong role, bad request) or IllegalTransition (the state
    does not allow it), each with a Chinese message; the caller then rolls back.
    """
    if action not in ACTIONS:
        raise ActionRefused(f"未知操作：{action}", 400)
    if actor.role not in ACTION_ROLES[action]:
        raise ActionRefused(
            f"{ROLE_NAMES.get(actor.role, actor.role)}不能执行“{NAMES[action]}”", 403)
    ctx = Context(session, case, actor, now, clocks, [])
    ACTIONS[action](ctx, request)
    case.updated_at = now
    session.flush()
    return ctx.events


def _required(value: str, what: str) -> str:
    if not value.strip():
        raise ActionRefused(f"请填写{what}", 400)
    return value.strip()


def _unit(session: Session, code: str, kinds: tuple[str, ...], what: str) -> str:
    unit = session.get(Unit, code)
    if unit is None or unit.kind not in kinds:
        raise ActionRefused(f"{what}“{code}”不存在", 400)
    return code


def _assignments(ctx: Context) -> list[Assignment]:
    return list(ctx.session.scalars(
        select(Assignment).where(Assignment.case_id == ctx.case.id).order_by(Assignment.id)))


def _own_assignment(ctx: Context, request: ActionRequest) -> Assignment:
    """The department user's own assignment; others (township, admin) name the department."""
    if ctx.actor.role == "department":
        department = ctx.actor.unit_code
    elif request.department:
        department = request.department
    else:
        lead = [a for a in _assignments(ctx) if a.role == "lead"]
        if ctx.actor.role != "township" or not lead:
            raise ActionRefused("请指明部门", 400)
        return lead[0]
    for assignment in _assignments(ctx):
        if assignment.department == department:
            return assignment
    raise ActionRefused("该工单没有分派给此部门", 403)


def dispatch(ctx: Context, request: ActionRequest) -> None:
    case = ctx.case
    categories = request.categories if request.categories is not None else tuple(case.categories)
    lead = request.lead_department or case.lead_department
    co = (request.co_departments if request.co_departments is not None
          else tuple(case.co_departments))
    accepting = request.accepting_unit or case.accepting_unit
    urgency = request.urgency or case.urgency
    if not categories:
        raise ActionRefused("请选择救助事项", 400)
    if not lead:
        raise ActionRefused("请选择主办部门", 400)
    if not accepting:
        raise ActionRefused("请选择承办乡镇", 400)
    _unit(ctx.session, accepting, ("county", "township", "village"), "承办单位")
    co = tuple(d for d in dict.fromkeys(co) if d != lead)
    for department in (lead, *co):
        _unit(ctx.session, department, ("department",), "部门")
    corrected = (list(categories), lead, list(co), urgency) != (
        case.categories, case.lead_department, case.co_departments, case.urgency)
    ctx.move("dispatch")
    if corrected:
        ctx.session.add(TrainingExample(
            case_id=case.id, text=case.text, categories=list(categories),
            departments=[lead, *co], urgency=urgency, in_scope=True,
            created_by=ctx.actor.username, created_at=ctx.now))
    case.categories, case.category = list(categories), categories[0]
    case.lead_department, case.co_departments = lead, list(co)
    case.accepting_unit, case.urgency = accepting, urgency
    existing = {a.department: a for a in _assignments(ctx)}
    wanted = {lead: "lead", **{d: "assist" for d in co}}
    for department, role in wanted.items():
        assignment = existing.get(department)
        if assignment is None:
            ctx.session.add(Assignment(case_id=case.id, department=department, role=role,
                                       state="pending", created_at=ctx.now))
        else:  # sent back earlier and dispatched again: a fresh start on the same row
            assignment.role, assignment.state, assignment.created_at = role, "pending", ctx.now
            assignment.accepted_at = assignment.replied_at = None
            assignment.reply = assignment.return_reason = None
    for department, assignment in existing.items():
        if department not in wanted and assignment.state not in ("replied", "returned"):
            assignment.state, assignment.return_reason = "returned", "重新派单"
    ctx.session.flush()
    ctx.record("dispatched", categories=list(categories), lead_department=lead,
               co_departments=list(co), accepting_unit=accepting, urgency=urgency,
               corrected=corrected, note=request.note)
    ctx.clock("dispatch")


def accept(ctx: Context, request: ActionRequest) -> None:
    if ctx.actor.role == "department" or (ctx.actor.role == "admin" and request.department):
        assignment = _own_assignment(ctx, request)
        assignment.state = next_assignment_state(assignment.state, "accept")
        assignment.accepted_at = ctx.now
        ctx.record("assignment_accepted", department=assignment.department)
        ctx.clock("assignment_accept", department=assignment.department)
        return
    ctx.move("accept")
    ctx.record("accepted", unit=ctx.case.accepting_unit, note=request.note)
    ctx.clock("accept")


def first_contact(ctx: Context, request: ActionRequest) -> None:
    ctx.step("first_contact", "first_contact", note=request.note)


def advance_aid(ctx: Context, request: ActionRequest) -> None:
    ctx.step("advance_aid", "advance_aid", note=_required(request.note, "先行救助内容"))


def add_assist(ctx: Context, request: ActionRequest) -> None:
    case = ctx.case
    if case.state not in _ACTIVE:
        raise IllegalTransition("add_assist", case.state, "工单不在办理中，不能增加协办部门")
    department = _unit(ctx.session, _required(request.department or "", "协办部门"),
                       ("department",), "部门")
    existing = {a.department: a for a in _assignments(ctx)}
    current = existing.get(department)
    if current is not None and current.state != "returned":
        raise ActionRefused("该部门已在办理此工单", 400)
    if current is None:
        ctx.session.add(Assignment(case_id=case.id, department=department, role="assist",
                                   state="pending", created_at=ctx.now))
    else:
        current.role, current.state, current.return_reason = "assist", "pending", None
    case.co_departments = [*case.co_departments, department]
    ctx.session.flush()
    ctx.record("assist_added", department=department, note=request.note)
    ctx.clock("add_assist", department=department)


def return_case(ctx: Context, request: ActionRequest) -> None:
    reason = _required(request.reason, "退回理由")
    if ctx.actor.role == "department" or (ctx.actor.role == "admin" and request.department):
        assignment = _own_assignment(ctx, request)
        assignment.state = next_assignment_state(assignment.state, "return")
        assignment.return_reason = reason
        ctx.record("assignment_returned", department=assignment.department, reason=reason)
        if assignment.role != "lead":
            ctx.clock("assignment_return", department=assignment.department)
            return
    ctx.move("return")
    for assignment in _assignments(ctx):
        if assignment.state not in ("replied", "returned"):
            assignment.state, assignment.return_reason = "returned", reason
    ctx.record("returned", unit=ctx.actor.unit_code, reason=reason)
    ctx.clock("return")


def hold(ctx: Context, request: ActionRequest) -> None:
    ctx.step("hold", "hold", reason=_required(request.reason, "挂起理由"))


def resume(ctx: Context, request: ActionRequest) -> None:
    ctx.step("resume", "resume", note=request.note)


def request_extension(ctx: Context, request: ActionRequest) -> None:
    extension = _required(request.extension or "", "延期时长")
    reason = _required(request.reason, "延期理由")
    assignment = _own_assignment(ctx, request)
    assignment.state = next_assignment_state(assignment.state, "request_extension")
    ctx.record("extension_requested", department=assignment.department, extension=extension,
               reason=reason)


def _requested(ctx: Context, request: ActionRequest) -> Assignment:
    waiting = [a for a in _assignments(ctx) if a.state == "extension_requested"
               and (request.department is None or a.department == request.department)]
    if not waiting:
        raise IllegalTransition("grant_extension", ctx.case.state, "没有待审批的延期申请")
    if len(waiting) > 1:
        raise ActionRefused("有多个部门申请延期，请指明部门", 400)
    return waiting[0]


def grant_extension(ctx: Context, request: ActionRequest) -> None:
    assignment = _requested(ctx, request)
    extension = request.extension
    if not extension:
        asked = ctx.session.scalars(
            select(Event).where(Event.case_id == ctx.case.id, Event.kind == "extension_requested")
            .order_by(Event.id.desc())).all()
        extension = next((str(e.data["extension"]) for e in asked
                          if e.data.get("department") == assignment.department), None)
    if not extension:
        raise ActionRefused("请填写延期时长", 400)
    assignment.state = next_assignment_state(assignment.state, "grant_extension")
    ctx.record("extension_granted", department=assignment.department, extension=extension,
               note=request.note)
    ctx.clock("grant_extension", department=assignment.department, extension=extension)


def deny_extension(ctx: Context, request: ActionRequest) -> None:
    assignment = _requested(ctx, request)
    reason = _required(request.reason, "驳回理由")
    assignment.state = next_assignment_state(assignment.state, "deny_extension")
    ctx.record("extension_denied", department=assignment.department, reason=reason)


def reply(ctx: Context, request: ActionRequest) -> None:
    text = _required(request.note, "答复内容")
    assignment = _own_assignment(ctx, request)
    assignment.state = next_assignment_state(assignment.state, "reply")
    assignment.reply, assignment.replied_at = text, ctx.now
    ctx.record("assignment_replied", department=assignment.department, note=text)
    ctx.clock("assignment_reply", department=assignment.department)


def resolve(ctx: Context, request: ActionRequest) -> None:
    note = _required(request.note, "办理结果")
    resolved = next_case_state(ctx.case.state, "resolve")  # the state's reason comes first
    assignments = _assignments(ctx)
    lead = next((a for a in assignments if a.role == "lead"), None)
    if lead is not None:
        why_not = can_resolve(lead.state, [a.state for a in assignments if a.role == "assist"])
        if why_not is not None:
            raise IllegalTransition("resolve", ctx.case.state, why_not)
    ctx.case.state = resolved
    ctx.record("resolved", note=note)
    ctx.clock("resolve")


def follow_up(ctx: Context, request: ActionRequest) -> None:
    """The call-back: 不满意 reopens the case once and tells the supervisors either way."""
    if request.satisfaction not in SATISFACTION:
        raise ActionRefused("请选择回访结果：满意、基本满意或不满意", 400)
    case = ctx.case
    ctx.move("follow_up")
    ctx.record("followed_up", satisfaction=request.satisfaction, note=request.note)
    ctx.clock("follow_up")
    if request.satisfaction != "不满意":
        ctx.step("close", "closed")
        return
    reopen = not case.reopened
    ctx.record("supervisor_notice", reason="回访不满意", reopened=reopen, note=request.note)
    if reopen:
        ctx.move("reopen")
        case.reopened = True
        ctx.record("reopened", reason="回访不满意")
        ctx.clock("reopen")


def answer(ctx: Context, request: ActionRequest) -> None:
    ctx.step("answer", "answered", note=_required(request.note, "答复内容"),
             answer_id=request.answer_id)


def transfer_out(ctx: Context, request: ActionRequest) -> None:
    ctx.step("transfer_out", "transferred_out", to="12345", reason=request.reason)


def merge(ctx: Context, request: ActionRequest) -> None:
    if request.target_case_id is None:
        raise ActionRefused("请填写要合并到的工单", 400)
    target = ctx.session.get(Case, request.target_case_id)
    if target is None or target.id == ctx.case.id:
        raise ActionRefused("要合并到的工单不存在", 400)
    if target.state in FINAL_STATES:
        raise IllegalTransition("merge", target.state, "目标工单已结束，不能合并到该工单")
    ctx.move("merge")
    ctx.case.merged_into = target.id
    ctx.record("merged", into=target.id, into_tracking_no=target.tracking_no,
               reason=request.reason)
    ctx.record("merge_received", case=target, from_case=ctx.case.id,
               from_tracking_no=ctx.case.tracking_no)
    target.updated_at = ctx.now
    ctx.clock("merge")


def mark_invalid(ctx: Context, request: ActionRequest) -> None:
    ctx.step("invalid", "invalid", reason=_required(request.reason, "无效原因"))


def supervise(ctx: Context, request: ActionRequest) -> None:
    note = _required(request.note, "督办意见")
    if ctx.case.state in FINAL_STATES:
        raise IllegalTransition("supervise", ctx.case.state, "工单已结束，不能督办")
    ctx.record("supervise", note=note, unit=ctx.actor.unit_code)


def reveal(ctx: Context, request: ActionRequest) -> None:
    ctx.record("reveal", fields=["person", "caller"], reason=request.reason)


ACTIONS: dict[str, Callable[[Context, ActionRequest], None]] = {
    "dispatch": dispatch, "accept": accept, "first_contact": first_contact,
    "advance_aid": advance_aid, "add_assist": add_assist, "return": return_case, "hold": hold,
    "resume": resume, "request_extension": request_extension,
    "grant_extension": grant_extension, "deny_extension": deny_extension, "reply": reply,
    "resolve": resolve, "follow_up": follow_up, "answer": answer, "transfer_out": transfer_out,
    "merge": merge, "invalid": mark_invalid, "supervise": supervise, "reveal": reveal,
}
assert set(ACTIONS) == set(ACTION_ROLES)
