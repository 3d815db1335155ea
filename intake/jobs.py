"""The worker job: inbox row → classify → route → open the case → publish.

Jobs receive only the intake id and re-read the row, so a retried or duplicated
job sees the current state; opening the case is idempotent on the intake id.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from cases.corrections import record_correction
from cases.inbox import get_intake, record_failure
from cases.opening import CaseOpening, ClockSpec, open_case
from cases.people import PersonData
from cases.tables import Case, Intake, TrainingExample
from cases.views import event_message
from intake.events import publish
from intake.services import IntakeServices
from nlp.signals import Signals
from routing.agent_choice import AgentChoice, UnknownCode, apply_agent_choice, differs
from routing.catalogue import Catalogue
from routing.decide import RoutingContext
from routing.route import Route

log = logging.getLogger(__name__)

ClockPlanner = Callable[[Route, Any], tuple[tuple[ClockSpec, ...], str]]
AfterOpen = Callable[[Session, Case], None]


@dataclass
class Pipeline:
    """Loaded once per worker process (jieba and the model are never loaded per job)."""

    services: IntakeServices
    plan_clocks: ClockPlanner | None = None
    # Runs after the case is committed: e.g. index its SLA timers in Redis at once.
    after_open: AfterOpen | None = None


_pipeline: Pipeline | None = None


def install(pipeline: Pipeline) -> None:
    global _pipeline
    _pipeline = pipeline


def process_intake(intake_id: str) -> int | None:
    if _pipeline is None:
        raise RuntimeError("the worker pipeline is not installed (hotline worker does it at start)")
    services = _pipeline.services
    try:
        return _process(_pipeline, intake_id)
    except Exception as exc:
        with services.sessions() as session:
            final = record_failure(session, intake_id, f"{type(exc).__name__}: {exc}",
                                   services.max_attempts)
        if final:
            log.error("intake %s failed for good after %d attempts", intake_id,
                      services.max_attempts)
            publish(services.redis, [{"type": "intake_failed", "intake_id": intake_id,
                                      "error": type(exc).__name__}])
        raise


def _process(pipeline: Pipeline, intake_id: str) -> int | None:
    services = pipeline.services
    with services.sessions() as session:
        intake = get_intake(session, intake_id)
        if intake is None:
            log.warning("intake %s not found; nothing to do", intake_id)
            return None
        if intake.state == "processed":
            return intake.case_id
        if intake.state == "failed":
            return None
        if services.classifier is None:
            raise RuntimeError("no classifier installed")
        classifier = services.classifier()
        signals, route = classifier.classify(str(intake.payload["text"]), routing_context(intake))
        now = services.now()
        route, correction = agent_route(session, intake, route, classifier.catalogue, now)
        clocks: tuple[ClockSpec, ...] = ()
        policy_version = ""
        if pipeline.plan_clocks is not None:
            clocks, policy_version = pipeline.plan_clocks(route, now)
        opening = case_opening(intake, signals, route, clocks, policy_version)
        opened = open_case(session, intake, opening, now)
        if correction is not None and opened.created:
            correction.case_id = opened.case.id
            session.commit()
        if opened.created:
            publish(services.redis, [event_message(e, opened.case) for e in opened.events])
            if pipeline.after_open is not None:
                pipeline.after_open(session, opened.case)
        return opened.case.id


def agent_route(session: Session, intake: Intake, route: Route, catalogue: Catalogue,
                now: dt.datetime) -> tuple[Route, TrainingExample | None]:
    """The agent's confirmed or corrected route, when the intake carries one.

    A correction is kept as a training example, in the same transaction as the case.
    """
    chosen = intake.payload.get("agent_route")
    if not chosen:
        return route, None
    choice = AgentChoice(
        categories=tuple(chosen["categories"]), lead_department=chosen.get("lead_department"),
        co_departments=tuple(chosen.get("co_departments") or ()), urgency=chosen.get("urgency"),
    )
    try:
        corrected = apply_agent_choice(route, choice, catalogue)
    except UnknownCode as exc:
        log.warning("agent's route of intake %s ignored: %s", intake.id, exc)
        return route, None
    if not differs(route, corrected):
        return corrected, None
    return corrected, record_correction(
        session, case_id=None, text=str(intake.payload["text"]),
        categories=list(corrected.categories),
        departments=[d for d in (corrected.lead_department, *corrected.co_departments) if d],
        urgency=corrected.urgency, in_scope=corrected.state != "transferred_out",
        by=str(intake.payload.get("agent") or intake.source), now=now,
    )


def routing_context(intake: Intake) -> RoutingContext:
    payload = intake.payload
    person = payload.get("person") or {}
    village = payload.get("village_code") or person.get("village_code")
    return RoutingContext(
        channel=intake.channel,
        village_code=village,
        address=person.get("address"),
        caller_area=payload.get("caller_area"),
        accepting_unit=payload.get("accepting_unit"),
    )


def _person(data: dict[str, Any] | None) -> PersonData:
    if not data:
        return PersonData()
    return PersonData(
        name=data.get("name"), phone=data.get("phone"), id_number=data.get("id_number"),
        address=data.get("address"), village_code=data.get("village_code"),
        tags=tuple(data.get("tags") or ()),
    )


def case_opening(
    intake: Intake, signals: Signals, route: Route, clocks: tuple[ClockSpec, ...],
    policy_version: str,
) -> CaseOpening:
    payload = intake.payload
    person = _person(payload.get("person"))
    caller = _person(payload.get("caller") or payload.get("citizen"))
    if intake.channel == "call":
        caller = PersonData(name=caller.name, phone=payload.get("caller_number"),
                            id_number=caller.id_number)
        if payload.get("caller_is_person"):
            person = PersonData(
                name=person.name or caller.name, phone=person.phone or caller.phone,
                id_number=person.id_number or caller.id_number, address=person.address,
                village_code=person.village_code, tags=person.tags,
            )
    if payload.get("village_code") and not person.village_code:
        person = PersonData(**{**asdict(person), "village_code": payload["village_code"]})
    return CaseOpening(
        state=route.state,
        urgency=route.urgency,
        categories=route.categories,
        lead_department=route.lead_department,
        co_departments=route.co_departments,
        accepting_unit=route.accepting_unit,
        explanation=route.explanation,
        triage_reasons=route.triage_reasons,
        confidence=route.confidence,
        model_version=route.model_version,
        policy_version=policy_version,
        signals=signals_record(signals),
        person=person,
        caller=caller,
        clocks=clocks,
    )


def signals_record(signals: Signals) -> dict[str, Any]:
    """What the case keeps of the analysis: needs, urgency evidence, entities (no raw text)."""
    return {
        "needs": [{"category": n.category, "probability": round(n.probability, 4),
                   "evidence": list(n.evidence)} for n in signals.needs],
        "intent": signals.intent,
        "in_scope": signals.in_scope,
        "urgency_evidence": list(signals.urgency_evidence),
        "amounts": list(signals.amounts),
        "ages": list(signals.ages),
        "family": list(signals.family),
        "places": [{"text": p.text, "code": p.code, "level": p.level} for p in signals.places],
    }
