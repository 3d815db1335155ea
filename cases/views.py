"""Cases as JSON-ready dicts: for the API, the console and the published events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.masking import mask_address, mask_id_number, mask_name, mask_phone
from cases.tables import Assignment, Case, Clock, Event, Person


def person_view(person: Person | None, masked: bool = True) -> dict[str, Any] | None:
    if person is None:
        return None
    if not masked:
        return {"id": person.id, "name": person.name, "phone": person.phone,
                "id_number": person.id_number, "address": person.address,
                "village_code": person.village_code, "tags": person.tags, "masked": False}
    return {"id": person.id, "name": mask_name(person.name), "phone": mask_phone(person.phone),
            "id_number": mask_id_number(person.id_number), "address": mask_address(person.address),
            "village_code": person.village_code, "tags": person.tags, "masked": True}


def case_summary(case: Case) -> dict[str, Any]:
    """What a list row or a live event carries: no personal data."""
    return {
        "id": case.id,
        "tracking_no": case.tracking_no,
        "channel": case.channel,
        "state": case.state,
        "urgency": case.urgency,
        "category": case.category,
        "categories": case.categories,
        "lead_department": case.lead_department,
        "co_departments": case.co_departments,
        "accepting_unit": case.accepting_unit,
        "escalation_level": case.escalation_level,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def event_view(event: Event) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "kind": event.kind, "actor": event.actor,
            "data": event.data}


def clock_view(clock: Clock) -> dict[str, Any]:
    return {"id": clock.id, "kind": clock.kind, "assignment_id": clock.assignment_id,
            "duration": clock.duration, "state": clock.state,
            "started_at": clock.started_at.isoformat(), "deadline": clock.deadline.isoformat(),
            "warn_at": clock.warn_at.isoformat(), "policy_version": clock.policy_version}


def assignment_view(assignment: Assignment) -> dict[str, Any]:
    return {"id": assignment.id, "department": assignment.department, "role": assignment.role,
            "state": assignment.state, "created_at": assignment.created_at.isoformat(),
            "accepted_at": assignment.accepted_at.isoformat() if assignment.accepted_at else None,
            "replied_at": assignment.replied_at.isoformat() if assignment.replied_at else None,
            "reply": assignment.reply, "return_reason": assignment.return_reason}


def case_detail(session: Session, case: Case, masked: bool = True) -> dict[str, Any]:
    """The whole case: summary, people (masked unless asked), assignments, clocks, timeline."""
    view = case_summary(case)
    view.update(
        text=case.text,
        explanation=case.explanation,
        triage_reasons=case.triage_reasons,
        confidence=case.confidence,
        model_version=case.model_version,
        policy_version=case.policy_version,
        reopened=case.reopened,
        merged_into=case.merged_into,
        person=person_view(session.get(Person, case.person_id) if case.person_id else None, masked),
        caller=person_view(session.get(Person, case.caller_id) if case.caller_id else None, masked),
        assignments=[assignment_view(a) for a in session.scalars(
            select(Assignment).where(Assignment.case_id == case.id).order_by(Assignment.id))],
        clocks=[clock_view(c) for c in session.scalars(
            select(Clock).where(Clock.case_id == case.id).order_by(Clock.id))],
        timeline=[event_view(e) for e in session.scalars(
            select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))],
    )
    return view


def event_message(event: Event, case: Case) -> dict[str, Any]:
    """The JSON published on Redis for every case change; the console relays it by scope."""
    return {"type": "case_event", "event": event_view(event), "case": case_summary(case)}
