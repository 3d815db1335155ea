"""SLA views for supervisors: clocks at risk and on-time rates, within the caller's scope.

`GET /api/v1/sla/at-risk?limit=` — open clocks sorted by time to breach, with their
case, and the calendar's warnings for the years they run into.
`GET /api/v1/sla/stats?period=day|week|month&from=YYYY-MM-DD&to=YYYY-MM-DD` — the
on-time rate by unit, category, clock and period, of the clocks whose deadline
fell in those dates (local time) and whose outcome is known.

Auth: a bearer token from `POST /api/v1/auth/token` (or the console's session).
Agents, supervisors and admins; township users see their unit's cases, department
users their own assignments' clocks; supervisors the units below theirs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import current_user
from agents_ui.deps import ConsoleDeps
from cases.access import HOTLINE_WIDE, units_below
from cases.directory import unit_names
from cases.tables import Assignment, Case, Clock, Unit, User
from cases.views import case_summary, clock_view
from intake.auth import AuthError, bearer, user_id_for_token
from intake.errors import problem
from routing.calendar import WorkingCalendar
from routing.clock_service import ClockService
from routing.sla_policy import CLOCK_NAMES
from routing.timers import OPEN_CLOCK_STATES

ROLES = ("agent", "admin", "supervisor", "township", "department")
PERIODS = ("day", "week", "month")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Caller:
    role: str
    unit_code: str


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.response = problem(status, code, message)


def caller_of(deps: ConsoleDeps, request: Request) -> Caller:
    """The user behind the bearer token (or the console session), if allowed here."""
    if request.headers.get("authorization"):
        try:
            user_id = user_id_for_token(deps.redis, bearer(request))
        except AuthError as exc:
            raise Refused(401, "unauthorized", str(exc)) from None
        if user_id is None:
            raise Refused(401, "unauthorized", "令牌无效或已过期，请重新登录")
        with deps.sessions() as session:
            user = session.get(User, user_id)
            if user is None or not user.active:
                raise Refused(401, "unauthorized", "账号不存在或已停用")
            role, unit = user.role, user.unit_code
    else:
        signed_in = current_user(request)
        if signed_in is None:
            raise Refused(401, "unauthorized", "缺少 Authorization: Bearer 凭据")
        role, unit = signed_in.role, signed_in.unit_code
    if role not in ROLES:
        raise Refused(403, "forbidden", "无权查看时限统计")
    return Caller(role, unit)


ClockRows = Select[Clock, Case, str]


def scoped(query: ClockRows, session: Session, caller: Caller) -> ClockRows:
    """Only the clocks this caller may see (the rules of `cases.access.may_see`)."""
    if caller.role in HOTLINE_WIDE:
        return query
    if caller.role == "supervisor":
        return query.where(or_(Case.accepting_unit.is_(None),
                               Case.accepting_unit.in_(units_below(session, caller.unit_code))))
    if caller.role == "township":
        return query.where(Case.accepting_unit == caller.unit_code)
    if caller.role == "department":
        return query.where(Assignment.department == caller.unit_code)
    return query.where(false())


def calendar_of(deps: ConsoleDeps) -> WorkingCalendar | None:
    clocks = deps.clocks
    return clocks.book.calendar if isinstance(clocks, ClockService) else None


def _base() -> ClockRows:
    return (select(Clock, Case, Assignment.department)
            .join(Case, Case.id == Clock.case_id)
            .outerjoin(Assignment, Assignment.id == Clock.assignment_id))


async def at_risk(request: Request) -> Response:
    return await run_in_threadpool(_at_risk, request)


def _at_risk(request: Request) -> Response:
    deps = deps_of(request)
    try:
        caller = caller_of(deps, request)
        limit = _int(request.query_params.get("limit"), DEFAULT_LIMIT, "limit", 1, MAX_LIMIT)
    except Refused as exc:
        return exc.response
    now = deps.now()
    with deps.sessions() as session:
        query = _base().where(Clock.state.in_(OPEN_CLOCK_STATES), Clock.stopped_at.is_(None),
                              Clock.paused_at.is_(None))
        rows = session.execute(
            scoped(query, session, caller).order_by(Clock.deadline, Clock.id).limit(limit)).all()
        names = unit_names(session)
        items = [{"case": {**case_summary(case),
                           "accepting_unit_name": names.get(case.accepting_unit or "")},
                  "clock": {**clock_view(clock), "department": department,
                            "department_name": names.get(department or ""),
                            "name": CLOCK_NAMES.get(clock.kind, clock.kind),
                            "remaining_s": int((clock.deadline - now).total_seconds()),
                            "level": _level(clock, now)}}
                 for clock, case, department in rows]
    calendar = calendar_of(deps)
    last = max((clock.deadline for clock, _, _ in rows), default=now)
    warnings = calendar.warnings(range(now.year, last.year + 1)) if calendar else []
    return JSONResponse({"now": now.isoformat(), "count": len(items), "clocks": items,
                         "warnings": warnings})


async def stats(request: Request) -> Response:
    return await run_in_threadpool(_stats, request)


def _stats(request: Request) -> Response:
    deps = deps_of(request)
    now = deps.now()
    calendar = calendar_of(deps)
    zone = calendar.tz if calendar else dt.timezone(dt.timedelta(hours=8))
    params = request.query_params
    try:
        caller = caller_of(deps, request)
        period = params.get("period", "month")
        if period not in PERIODS:
            raise Refused(422, "validation_failed", "period 应为 day、week 或 month")
        last = _date(params.get("to"), now.astimezone(zone).date(), "to")
        first = _date(params.get("from"), last - dt.timedelta(days=DEFAULT_DAYS), "from")
        if first > last:
            raise Refused(422, "validation_failed", "from 不能晚于 to")
    except Refused as exc:
        return exc.response
    start = dt.datetime.combine(first, dt.time(0), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
    with deps.sessions() as session:
        query = _base().where(Clock.deadline >= start, Clock.deadline < end,
                              Clock.state != "cancelled")
        rows = session.execute(scoped(query, session, caller)).all()
        names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    tallies: dict[str, dict[str, list[int]]] = {
        name: defaultdict(lambda: [0, 0]) for name in ("unit", "category", "clock", "period")}
    open_count = 0
    for clock, case, department in rows:
        outcome = _outcome(clock, now)
        if outcome is None:
            open_count += 1
            continue
        keys = {"unit": department or case.accepting_unit or "",
                "category": case.category or "", "clock": clock.kind,
                "period": _bucket(clock.deadline.astimezone(zone).date(), period)}
        for name, key in keys.items():
            tallies[name][key][0 if outcome else 1] += 1
    total = [sum(v[0] for v in tallies["clock"].values()),
             sum(v[1] for v in tallies["clock"].values())]
    return JSONResponse({
        "from": first.isoformat(), "to": last.isoformat(), "period": period,
        "overall": _row("", "", total), "open": open_count,
        "by_unit": _rows(tallies["unit"], names),
        "by_category": _rows(tallies["category"],
                             {code: c.name for code, c in deps.catalogue.categories.items()}),
        "by_clock": _rows(tallies["clock"], dict(CLOCK_NAMES)),
        "by_period": sorted(_rows(tallies["period"], {}), key=lambda r: str(r["key"])),
        "warnings": calendar.warnings(range(first.year, last.year + 1)) if calendar else [],
    })


def _outcome(clock: Clock, now: dt.datetime) -> bool | None:
    """True on time, False late, None not known yet (still running before its deadline)."""
    if clock.state == "met":
        return True
    if clock.state in ("met_late", "breached") or clock.deadline <= now:
        return False
    return None


def _level(clock: Clock, now: dt.datetime) -> str:
    if clock.state == "breached" or clock.deadline <= now:
        return "breached"
    if clock.state == "warned" or clock.warn_at <= now:
        return "warned"
    return "running"


def _bucket(day: dt.date, period: str) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def _rows(tally: dict[str, list[int]], names: dict[str, str]) -> list[dict[str, Any]]:
    rows = [_row(key, names.get(key, key) or "未定", counts) for key, counts in tally.items()]
    return sorted(rows, key=lambda r: (-(r["on_time"] + r["late"]), str(r["key"])))


def _row(key: str, name: str, counts: Iterable[int]) -> dict[str, Any]:
    on_time, late = counts
    decided = on_time + late
    return {"key": key, "name": name, "on_time": on_time, "late": late, "total": decided,
            "on_time_rate": round(on_time / decided, 4) if decided else None}


def _int(raw: str | None, default: int, name: str, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Refused(422, "validation_failed", f"{name} 应为 {low} 到 {high} 之间的整数")
    return int(raw)


def _date(raw: str | None, default: dt.date, name: str) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Refused(422, "validation_failed", f"{name} 应为日期，例如 2026-10-01") from None


routes: list[BaseRoute] = [
    Route("/api/v1/sla/at-risk", at_risk, methods=["GET"]),
    Route("/api/v1/sla/stats", stats, methods=["GET"]),
]
