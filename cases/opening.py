"""Opening a case from an intake: case, people, assignments, clocks, timeline — one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.people import PersonData, link_person
from cases.tables import Assignment, Case, Clock, Event, Intake


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


def tracking_number(case_id: int, created_at: dt.datetime) -> str:
    local = created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{local:%Y%m%d}{case_id:06d}"


def open_case(session: Session, intake: Intake, opening: CaseOpening, now: dt.datetime) -> Opened:
    """Write the case and everything with it, and mark the intake processed; commit once.

    Idempotent on the intake: a second run (a retried or duplicated job) hits the
    unique constraint on cases.intake_id and returns the case the first run made.
    """
    existing = session.scalars(select(Case).where(Case.intake_id == intake.id)).first()
    if existing is not None:
        return Opened(existing, [], created=False)
    try:
        opened = _write(session, intake, opening, now)
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalars(select(Case).where(Case.intake_id == intake.id)).one()
        return Opened(existing, [], created=False)
    return opened


def _write(session: Session, intake: Intake, opening: CaseOpening, now: dt.datetime) -> Opened:
    person = link_person(session, opening.person, now)
    caller = link_person(session, opening.caller, now)
    case = Case(
        intake_id=intake.id,
        channel=intake.channel,
        state=opening.state,
        urgency=opening.urgency,
        category=opening.categories[0] if opening.categories else None,
        categories=list(opening.categories),
        lead_department=opening.lead_department,
        co_departments=list(opening.co_departments),
        accepting_unit=opening.accepting_unit,
        person_id=person.id if person else None,
        caller_id=caller.id if caller else None,
        text=str(intake.payload.get("text", "")),
        explanation=opening.explanation,
        triage_reasons=list(opening.triage_reasons),
        confidence=opening.confidence,
        model_version=opening.model_version,
        policy_version=opening.policy_version,
        signals=opening.signals,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    case.tracking_no = tracking_number(case.id, now)

    assignments: dict[str, Assignment] = {}
    if opening.state == "dispatched" and opening.lead_department:
        for role, department in [("lead", opening.lead_department)] + [
            ("assist", d) for d in opening.co_departments
        ]:
            assignment = Assignment(
                case_id=case.id, department=department, role=role, state="pending", created_at=now
            )
            session.add(assignment)
            assignments[department] = assignment
        session.flush()

    for spec in opening.clocks:
        assignment_id = assignments[spec.department].id if spec.department in assignments else None
        session.add(
            Clock(
                case_id=case.id, assignment_id=assignment_id, kind=spec.kind,
                duration=spec.duration, policy_version=opening.policy_version, state="running",
                started_at=spec.started_at, deadline=spec.deadline, warn_at=spec.warn_at,
                pauses=[], extensions=[],
            )
        )

    events = [
        Event(case_id=case.id, at=now, kind="received", actor=f"{intake.channel}:{intake.source}",
              data={"intake_id": intake.id, "channel": intake.channel}),
        Event(case_id=case.id, at=now, kind=opening.state, actor="system",
              data={"categories": list(opening.categories), "urgency": opening.urgency,
                    "lead_department": opening.lead_department,
                    "co_departments": list(opening.co_departments),
                    "accepting_unit": opening.accepting_unit,
                    "explanation": opening.explanation,
                    "triage_reasons": list(opening.triage_reasons),
                    "model_version": opening.model_version}),
    ]
    session.add_all(events)
    intake.state = "processed"
    intake.case_id = case.id
    intake.processed_at = now
    session.flush()
    return Opened(case, events, created=True)
