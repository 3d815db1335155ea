"""Opening a case from an intake: case, people, assignments, clocks, timeline — one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningInsert

from cases.db import Base, table_of
from cases.people import PersonData, link_person
from cases.tables import Assignment, Case, Clock, Event, Intake, TrainingExample


@dataclass(frozen=True)
class ClockSpec:
    kind: str
    duration: str  # "4wh", "3wd", "48h"
    started_at: dt.datetime
    deadline: dt.datetime
    warn_at: dt.datetime
    department: str | None = None  # the assignment this clock belongs to, if any


@dataclass(frozen=True)
class CaseOpening:
    """Everything routing decided about an intake, ready to be written."""

    state: str
    urgency: str
    categories: tuple[str, ...]
    lead_department: str | None
    co_departments: tuple[str, ...]
    accepting_unit: str | None
    explanation: str
    triage_reasons: tuple[str, ...] = ()
    confidence: float = 0.0
    model_version: str = ""
    policy_version: str = ""
    signals: dict[str, Any] = field(default_factory=dict)
    person: PersonData = PersonData()
    caller: PersonData = PersonData()
    clocks: tuple[ClockSpec, ...] = ()


@dataclass(frozen=True)
class Opened:
    case: Case
    events: list[Event]
    created: bool  # False when an earlier run of the job had already opened it
    clocks: list[Clock] = field(default_factory=list)  # those written now (for the timer index)


def tracking_number(case_id: int, created_at: dt.datetime) -> str:
    local = created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{local:%Y%m%d}{case_id:06d}"


def open_case(session: Session, intake: Intake, opening: CaseOpening, now: dt.datetime,
              linked: Sequence[TrainingExample] = ()) -> Opened:
    """Write the case and everything with it, and mark the intake processed; commit once.

    `linked` rows (an agent's correction made with the case) get the new case's id in the
    same transaction.

    Idempotent on the intake: a second run (a retried or duplicated job) hits the
    unique constraint on cases.intake_id and returns the case the first run made.
    The rows are written with a handful of Core statements prepared beforehand, so the
    write transaction (SQLite's single writer) is held for as short a time as possible.
    """
    if intake.case_id is not None:  # the intake row says a case was opened before
        existing = session.get(Case, intake.case_id)
        if existing is not None:
            return Opened(existing, [], created=False)
    try:
        opened = _write(session, intake, opening, now)
        for row in linked:
            row.case_id = opened.case.id
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalars(select(Case).where(Case.intake_id == intake.id)).one()
        return Opened(existing, [], created=False)
    return opened


# Built once: Core statements over the tables (no ORM unit of work, compiled once and cached).
_CASES = table_of(Case)
_INSERT_CASE = insert(_CASES).returning(_CASES.c.id)
_SET_TRACKING_NO = (update(_CASES).where(_CASES.c.id == bindparam("case_id"))
                    .values(tracking_no=bindparam("number")))
_INTAKES = table_of(Intake)
_MARK_PROCESSED = (update(_INTAKES).where(_INTAKES.c.id == bindparam("intake_id"))
                   .values(state="processed", case_id=bindparam("case_id"),
                           processed_at=bindparam("now")))


def _write(session: Session, intake: Intake, opening: CaseOpening, now: dt.datetime) -> Opened:
    values = _case_values(intake, opening, now)
    events = _event_values(intake, opening, now)
    values["person_id"] = link_person(session, opening.person, now)
    values["caller_id"] = link_person(session, opening.caller, now)
    case_id: int = session.execute(_INSERT_CASE, values).scalar_one()
    values.update(id=case_id, tracking_no=tracking_number(case_id, now))
    session.execute(_SET_TRACKING_NO, {"case_id": case_id, "number": values["tracking_no"]})

    assignment_ids: dict[str, int] = {}
    if opening.state == "dispatched" and opening.lead_department:
        rows = [{"case_id": case_id, "department": department, "role": role,
                 "state": "pending", "created_at": now, "accepted_at": None,
                 "replied_at": None, "reply": None}
                for role, department in [("lead", opening.lead_department)]
                + [("assist", d) for d in opening.co_departments]]
        assignment_ids = {row["department"]: row["id"] for row in _inserted(session, Assignment, rows)}

    clocks = [Clock(**row) for row in _inserted(session, Clock, [
        {"case_id": case_id, "assignment_id": assignment_ids.get(spec.department or ""),
         "kind": spec.kind, "duration": spec.duration, "policy_version": opening.policy_version,
         "state": "running", "started_at": spec.started_at, "deadline": spec.deadline,
         "warn_at": spec.warn_at, "pauses": [], "extensions": []}
        for spec in opening.clocks])]
    for row in events:
        row["case_id"] = case_id
    written = [Event(**row) for row in _inserted(session, Event, events)]
    session.execute(_MARK_PROCESSED, {"intake_id": intake.id, "case_id": case_id, "now": now})
    # The loaded intake reflects what was written, without a second UPDATE at commit.
    for name, value in (("state", "processed"), ("case_id", case_id), ("processed_at", now)):
        set_committed_value(intake, name, value)
    case = Case(**values)
    # The case as written, attached to the session without reading it back.
    make_transient_to_detached(case)
    session.add(case)
    return Opened(case, written, created=True, clocks=clocks)


_INSERT_RETURNING_ID: dict[type[Base], ReturningInsert[Any]] = {
    model: insert(table_of(model)).returning(table_of(model).c.id, sort_by_parameter_order=True)
    for model in (Assignment, Clock, Event)
}


def _inserted(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert `rows` in one statement and return them with their new ids."""
    if not rows:
        return rows
    ids = session.execute(_INSERT_RETURNING_ID[model], rows).scalars().all()
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    return rows


def _case_values(intake: Intake, opening: CaseOpening, now: dt.datetime) -> dict[str, Any]:
    return {
        "intake_id": intake.id,
        "channel": intake.channel,
        "state": opening.state,
        "urgency": opening.urgency,
        "category": opening.categories[0] if opening.categories else None,
        "categories": list(opening.categories),
        "lead_department": opening.lead_department,
        "co_departments": list(opening.co_departments),
        "accepting_unit": opening.accepting_unit,
        "text": str(intake.payload.get("text", "")),
        "explanation": opening.explanation,
        "triage_reasons": list(opening.triage_reasons),
        "confidence": opening.confidence,
        "model_version": opening.model_version,
        "policy_version": opening.policy_version,
        "signals": opening.signals,
        "escalation_level": 0,
        "reopened": False,
        "created_at": now,
        "updated_at": now,
    }


def _event_values(intake: Intake, opening: CaseOpening, now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"at": now, "kind": "received", "actor": f"{intake.channel}:{intake.source}",
         "data": {"intake_id": intake.id, "channel": intake.channel}},
        {"at": now, "kind": opening.state, "actor": "system",
         "data": {"categories": list(opening.categories), "urgency": opening.urgency,
                  "lead_department": opening.lead_department,
                  "co_departments": list(opening.co_departments),
                  "accepting_unit": opening.accepting_unit,
                  "explanation": opening.explanation,
                  "triage_reasons": list(opening.triage_reasons),
                  "model_version": opening.model_version}},
    ]
