"""The live queue: new, triage, at-risk and breached cases of one's scope, by time to breach."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, current_user, requires, viewer_of
from agents_ui.clock_display import LIVE_STATES, most_pressing, worst_level
from agents_ui.templating import URGENCY_NAMES, render, templates
from cases.access import may_see, units_below
from cases.tables import Assignment, Case, Clock, Intake
from cases.workflow import OPEN_STATES, STATE_NAMES
from routing.catalogue import Catalogue

ALL_ROLES = ("agent", "township", "department", "grassroots", "supervisor", "admin")
NEW_STATES = ("received", "triage", "dispatched")
QUEUE_LIMIT = 300
_URGENCY_RANK = {"critical": 0, "urgent": 1, "normal": 2}


def in_scope(query: Select[Any], session: Session, user: SessionUser) -> Select[Any]:
    """The SQL form of `cases.access.may_see` for lists (pages still check each case they show)."""
    role, unit = user.role, user.unit_code
    if role in ("agent", "admin"):
        return query
    if role == "township":
        return query.where(Case.accepting_unit == unit)
    if role == "department":
        assigned = select(Assignment.case_id).where(Assignment.department == unit)
        return query.where(Case.id.in_(assigned))
    if role == "supervisor":
        return query.where(or_(Case.accepting_unit.is_(None),
                               Case.accepting_unit.in_(units_below(session, unit))))
    if role == "grassroots":
        reported = select(Intake.id).where(Intake.source == user.username)
        return query.where(Case.intake_id.in_(reported))
    return query.where(Case.id.is_(None))


def queue_row(case: Case, clocks: list[Clock], catalogue: Catalogue, now: dt.datetime,
              unit_name: Any, new_to_me: bool = False) -> dict[str, Any] | None:
    """A case's queue row, or None when it is neither new nor at risk nor breached.

    `new_to_me`: a department's own part waits to be accepted, whatever the case's state.
    """
    level = worst_level(clocks, now)
    if case.state not in OPEN_STATES:
        return None
    if case.state not in NEW_STATES and not new_to_me and level not in ("warned", "breached"):
        return None
    pressing = most_pressing(clocks, now)
    category = catalogue.categories.get(case.category or "")
    return {
        "id": case.id, "tracking_no": case.tracking_no, "state": case.state,
        "state_name": STATE_NAMES.get(case.state, case.state), "urgency": case.urgency,
        "urgency_name": URGENCY_NAMES.get(case.urgency, case.urgency),
        "category_name": category.name if category is not None else "待分类",
        "accepting_unit": case.accepting_unit, "accepting_name": unit_name(case.accepting_unit),
        "lead_name": catalogue.departments.get(case.lead_department or "", ""),
        "excerpt": case.text[:48], "created_at": case.created_at.isoformat(),
        "level": level if level != "stopped" else "none",
        "clock": pressing,
        "sort_key": _sort_key(case, pressing),
    }


def _sort_key(case: Case, pressing: dict[str, Any] | None) -> list[Any]:
    """Earliest deadline first; cases without a running clock after, most urgent first."""
    if pressing is None:
        return [1, _URGENCY_RANK.get(case.urgency, 3), case.created_at.isoformat()]
    return [0, pressing["deadline"], _URGENCY_RANK.get(case.urgency, 3)]


def clocks_of(session: Session, case_ids: list[int]) -> dict[int, list[Clock]]:
    found: dict[int, list[Clock]] = defaultdict(list)
    if case_ids:
        for clock in session.scalars(select(Clock).where(Clock.case_id.in_(case_ids))):
            found[clock.case_id].append(clock)
    return found


def queue_rows(request: Request, user: SessionUser) -> list[dict[str, Any]]:
    deps = deps_of(request)
    now = deps.now()
    unit_name = unit_namer(request)
    with deps.sessions() as session:
        at_risk = select(Clock.case_id).where(Clock.state.in_(LIVE_STATES),
                                              or_(Clock.state != "running", Clock.warn_at <= now))
        waiting = pending_assignments(session, user)
        query = select(Case).where(
            Case.state.in_(OPEN_STATES),
            or_(Case.state.in_(NEW_STATES), Case.id.in_(at_risk), Case.id.in_(waiting)),
        ).order_by(Case.created_at.desc()).limit(QUEUE_LIMIT)
        cases = list(session.scalars(in_scope(query, session, user)))
        clocks = clocks_of(session, [c.id for c in cases])
        mine = set(session.scalars(waiting))
        rows = [queue_row(c, clocks[c.id], deps.catalogue, now, unit_name, c.id in mine)
                for c in cases]
    return sorted((r for r in rows if r is not None), key=lambda r: r["sort_key"])


def pending_assignments(session: Session, user: SessionUser) -> Select[Any]:
    """Cases where this department user's own part is still to be accepted."""
    if user.role != "department":
        return select(Assignment.case_id).where(Assignment.id.is_(None))
    return select(Assignment.case_id).where(Assignment.department == user.unit_code,
                                            Assignment.state == "pending")


def unit_namer(request: Request) -> Any:
    from agents_ui.templating import common_context

    return common_context(request)["unit_name"]


def failed_intakes(request: Request) -> list[dict[str, Any]]:
    deps = deps_of(request)
    with deps.sessions() as session:
        rows = session.scalars(select(Intake).where(Intake.state == "failed")
                               .order_by(Intake.received_at.desc()).limit(100))
        return [intake_row(i) for i in rows]


def intake_row(intake: Intake) -> dict[str, Any]:
    text = str(intake.payload.get("text", ""))
    return {"id": intake.id, "channel": intake.channel, "source": intake.source,
            "state": intake.state, "case_id": intake.case_id, "attempts": intake.attempts,
            "error": intake.last_error if intake.state == "failed" else None,
            "received_at": intake.received_at.isoformat(), "excerpt": text[:48]}


@requires(*ALL_ROLES)
async def queue_page(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    rows = await run_in_threadpool(queue_rows, request, user)
    failed = (await run_in_threadpool(failed_intakes, request)
              if user.role in ("agent", "admin") else [])
    return render(request, "queue.html", rows=rows, failed=failed, now=deps_of(request).now())


@requires(*ALL_ROLES)
async def queue_row_api(request: Request) -> Response:
    """One case's row as the queue shows it now; `row` is null when it left the queue."""
    return await run_in_threadpool(_queue_row_api, request)


def _queue_row_api(request: Request) -> Response:
    deps = deps_of(request)
    user = current_user(request)
    assert user is not None
    case_id = int(request.path_params["case_id"])
    with deps.sessions() as session:
        case = session.get(Case, case_id)
        if case is None or not may_see(session, viewer_of(user), case):
            return JSONResponse({"error": "没有这个案件，或无权查看"}, status_code=404)
        clocks = clocks_of(session, [case_id])[case_id]
        new_to_me = case_id in set(session.scalars(pending_assignments(session, user)))
        row = queue_row(case, clocks, deps.catalogue, deps.now(), unit_namer(request), new_to_me)
    html = templates.get_template("_queue_row.html").render(row=row) if row is not None else None
    return JSONResponse({"row": row, "html": html})


@requires(*ALL_ROLES)
async def intake_api(request: Request) -> Response:
    """Where an intake has got to (pending, processed → case, failed → why)."""
    return await run_in_threadpool(_intake_api, request)


def _intake_api(request: Request) -> Response:
    deps = deps_of(request)
    user = current_user(request)
    assert user is not None
    with deps.sessions() as session:
        intake = session.get(Intake, request.path_params["intake_id"])
        hotline_wide = user.role in ("agent", "admin")
        if intake is None or not (hotline_wide or intake.source == user.username):
            return JSONResponse({"error": "没有这条受理记录"}, status_code=404)
        return JSONResponse(intake_row(intake))


routes: list[BaseRoute] = [
    # every role: its own scope only (in_scope / may_see)
    Route("/console/queue", queue_page, methods=["GET"]),
    Route("/console/api/queue/{case_id:int}", queue_row_api, methods=["GET"]),
    # every role: hotline-wide roles any intake, others only what they posted themselves
    Route("/console/api/intakes/{intake_id}", intake_api, methods=["GET"]),
]
