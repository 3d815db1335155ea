"""Search over the cases this user may see: tracking number, phone, ID number, name, text,
state, unit and dates.

`GET /console/api/search?q=&tracking_no=&phone=&id_number=&name=&state=&unit=&from=&to=`.
The user's scope is applied in SQL (the same rules as `cases.access.may_see`),
phone and ID numbers are normalised as the intake stores them, and the people in
the results are masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, current_user, requires
from cases.access import HOTLINE_WIDE, units_below
from cases.masking import mask_name, mask_phone
from cases.tables import Assignment, Case, Intake, Person
from cases.views import case_summary
from cases.workflow import CASE_STATES
from intake.identity import InvalidIdentity, normalise_id_number, normalise_phone

CHINA = dt.timezone(dt.timedelta(hours=8))
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadQuery(ValueError):
    """A search parameter that cannot be right; the message names it, in Chinese."""


def e164_phone(raw: str) -> str:
    """The number as the intake stores it (E.164)."""
    try:
        return normalise_phone(raw)
    except InvalidIdentity as exc:
        raise BadQuery(str(exc)) from None


def id_number_of(raw: str) -> str:
    """18 characters, upper-case X, a real birth date and a correct GB 11643 check character."""
    try:
        return normalise_id_number(raw)
    except InvalidIdentity as exc:
        raise BadQuery(str(exc)) from None


def local_day(raw: str, name: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise BadQuery(f"{name}日期格式应为 YYYY-MM-DD") from None
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


def scoped(query: Select[Case], session: Session, user: SessionUser) -> Select[Case]:
    """Only the cases this user may see (mirrors `cases.access.may_see`)."""
    if user.role in HOTLINE_WIDE:
        return query
    if user.role == "supervisor":
        return query.where(or_(Case.accepting_unit.is_(None),
                               Case.accepting_unit.in_(units_below(session, user.unit_code))))
    if user.role == "township":
        return query.where(Case.accepting_unit == user.unit_code)
    if user.role == "department":
        return query.where(exists().where(Assignment.case_id == Case.id,
                                          Assignment.department == user.unit_code))
    if user.role == "grassroots":
        return query.where(exists().where(Intake.id == Case.intake_id,
                                          Intake.source == user.username))
    return query.where(false())


def _people(session: Session, *conditions: Any) -> Any:
    ids = select(Person.id).where(*conditions)
    return or_(Case.person_id.in_(ids), Case.caller_id.in_(ids))


def build_query(session: Session, user: SessionUser, params: QueryParams) -> Select[Case]:
    query = scoped(select(Case), session, user)
    if value := params.get("tracking_no", "").strip():
        query = query.where(Case.tracking_no == value)
    if value := params.get("phone", "").strip():
        query = query.where(_people(session, Person.phone == e164_phone(value)))
    if value := params.get("id_number", "").strip():
        query = query.where(_people(session, Person.id_number == id_number_of(value)))
    if value := params.get("name", "").strip():
        query = query.where(_people(session, Person.name.contains(value, autoescape=True)))
    if value := params.get("q", "").strip():
        query = query.where(or_(Case.text.contains(value, autoescape=True),
                                Case.tracking_no == value))
    if value := params.get("state", "").strip():
        states = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in states if s not in CASE_STATES]
        if unknown:
            raise BadQuery(f"未知的工单状态：{'、'.join(unknown)}")
        query = query.where(Case.state.in_(states))
    if value := params.get("unit", "").strip():
        query = query.where(or_(
            Case.accepting_unit.in_(units_below(session, value)),
            exists().where(Assignment.case_id == Case.id, Assignment.department == value)))
    if value := params.get("from", "").strip():
        query = query.where(Case.created_at >= local_day(value, "起始"))
    if value := params.get("to", "").strip():
        query = query.where(Case.created_at < local_day(value, "截止") + dt.timedelta(days=1))
    return query


def _limit(params: QueryParams) -> int:
    raw = params.get("limit", "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadQuery(f"limit 应为 1 到 {MAX_LIMIT} 之间的整数")
    return int(raw)


def search(session: Session, user: SessionUser, params: QueryParams) -> dict[str, Any]:
    limit = _limit(params)
    query = build_query(session, user, params)
    found = list(session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc())
                                 .limit(limit + 1)))
    person_ids = {c.person_id or c.caller_id for c in found} - {None}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    results = []
    for case in found[:limit]:
        row = case_summary(case)
        person = people.get(case.person_id or case.caller_id or -1)
        row["person_name"] = mask_name(person.name) if person else None
        row["person_phone"] = mask_phone(person.phone) if person else None
        row["text"] = case.text[:80]
        results.append(row)
    return {"results": results, "count": len(results), "truncated": len(found) > limit}


@requires("agent", "township", "department", "grassroots", "supervisor")
async def search_cases(request: Request) -> Response:
    user = current_user(request)
    assert user is not None  # requires() let the request through

    def run() -> dict[str, Any]:
        with deps_of(request).sessions() as session:
            return search(session, user, request.query_params)

    try:
        return JSONResponse(await run_in_threadpool(run))
    except BadQuery as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)


routes: list[BaseRoute] = [
    Route("/console/api/search", search_cases, methods=["GET"]),
]
