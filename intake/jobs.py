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
from cases.inbox import Failure, get_intake, get_intakes, record_failure
from cases.opening import CaseOpening, ClockSpec, Opened, open_case
from cases.people import PersonData
from cases.tables import Intake, TrainingExample
from cases.views import event_message
from intake.events import publish
from intake.queueing import finish_taken, give_back, retry_later, take_waiting
from intake.services import IntakeServices
from nlp.signals import Signals
from routing.agent_choice import AgentChoice, UnknownCode, apply_agent_choice, differs
from routing.catalogue import Catalogue
from routing.classify import Classifier
from routing.decide import RoutingContext
from routing.route import Route

log = logging.getLogger(__name__)

ClockPlanner = Callable[[Route, Any], tuple[tuple[ClockSpec, ...], str]]
AfterOpen = Callable[[Opened], None]


@dataclass
class Pipeline:
    """Loaded once per worker process (jieba and the model are never loaded per job)."""

    services: IntakeServices
    plan_clocks: ClockPlanner | None = None
    # Runs after the case is committed: e.g. index its new SLA clocks in Redis at once.
    after_open: AfterOpen | None = None
    # How many waiting intakes one job may take off the queue and handle too (0: none).
    drain: int = 16


_pipeline: Pipeline | None = None


def install(pipeline: Pipeline) -> None:
    global _pipeline
    _pipeline = pipeline


def process_intake(intake_id: str) -> int | None:
    """The rq job: this intake, then the intakes queued behind it (see `drain`)."""
    if _pipeline is None:
        raise RuntimeError("the worker pipeline is not installed (hotline worker does it at start)")
    try:
        case_id = _process(_pipeline, intake_id)
    except Exception as exc:
        count_failure(_pipeline.services, intake_id, exc)
        raise
    drain(_pipeline)
    return case_id


def count_failure(services: IntakeServices, intake_id: str, exc: Exception) -> Failure:
    """Count a failed attempt on the intake; `final` when it was the last (it is `failed` now)."""
    with services.sessions() as session:
        failure = record_failure(session, intake_id, f"{type(exc).__name__}: {exc}",
                                 services.max_attempts)
    if failure.final:
        log.error("intake %s failed for good after %d attempts", intake_id, services.max_attempts)
        publish(services.redis, [{"type": "intake_failed", "intake_id": intake_id,
                                  "error": type(exc).__name__}])
    return failure


def drain(pipeline: Pipeline) -> int:
    """Handle intakes waiting on the queue in this job's pass; return how many were handled.

    rq's bookkeeping of one job costs more than opening its case, so under a backlog a
    job takes up to `pipeline.drain` waiting jobs off the queue, classifies their texts
    in one pass and opens each case in its own transaction. A taken intake that fails
    counts an attempt, as in a job of its own, and its job is scheduled again after the
    retry interval (or deleted once the intake is `failed`). If this worker dies
    meanwhile, the taken intakes are still pending in the inbox and the reconciler
    enqueues them again.
    """
    if pipeline.drain <= 0:
        return 0
    queue = pipeline.services.queue
    taken = take_waiting(queue, pipeline.drain)
    if not taken:
        return 0
    try:
        handled, failed = _process_many(pipeline, taken)
    except Exception:
        log.warning("could not handle %d waiting intakes here; handed back", len(taken),
                    exc_info=True)
        give_back(queue, taken)
        return 0
    services = pipeline.services
    for intake_id, exc in failed:
        failure = count_failure(services, intake_id, exc)
        if failure.final:
            handled.append(intake_id)
        else:
            intervals = services.retry_intervals or (0,)
            retry_later(queue, intake_id, intervals[min(max(failure.attempts, 1), len(intervals)) - 1])
    finish_taken(queue, handled)
    return len(handled)


def _classifier(services: IntakeServices) -> Classifier:
    if services.classifier is None:
        raise RuntimeError("no classifier installed")
    return services.classifier()


def _process(pipeline: Pipeline, intake_id: str) -> int | None:
    services = pipeline.services
    with services.sessions() as session:
        intake = get_intake(session, intake_id)
        if intake is None:
            log.warning("intake %s not found; nothing to do", intake_id)
            return None
        if intake.state != "pending":
            return intake.case_id  # processed before (a repeated job), or failed for good
        classifier = _classifier(services)
        signals, route = classifier.classify(str(intake.payload["text"]), routing_context(intake))
        return _open(pipeline, session, intake, classifier, signals, route)


def _process_many(
    pipeline: Pipeline, intake_ids: list[str]
) -> tuple[list[str], list[tuple[str, Exception]]]:
    """Intakes classified together, each case opened in its own transaction: (handled, failed)."""
    services = pipeline.services
    handled: list[str] = []
    failed: list[tuple[str, Exception]] = []
    with services.sessions() as session:
        pending = [i for i in get_intakes(session, intake_ids) if i.state == "pending"]
        handled += sorted(set(intake_ids) - {i.id for i in pending})  # done before, or gone
        if not pending:
            return handled, failed
        classifier = _classifier(services)
        analysed = classifier.classify_many([str(i.payload["text"]) for i in pending],
                                            [routing_context(i) for i in pending])
        for intake, (signals, route) in zip(pending, analysed, strict=True):
            intake_id = intake.id
            try:
                _open(pipeline, session, intake, classifier, signals, route)
                handled.append(intake_id)
            except Exception as exc:
                session.rollback()
                log.warning("intake %s failed in a drained batch", intake_id, exc_info=True)
                failed.append((intake_id, exc))
    return handled, failed


def _open(pipeline: Pipeline, session: Session, intake: Intake, classifier: Classifier,
          signals: Signals, route: Route) -> int:
    """Open the case as routed (or as the agent decided), then publish and index its clocks."""
    services = pipeline.services
    now = services.now()
    route, correction = agent_route(session, intake, route, classifier.catalogue, now)
    clocks: tuple[ClockSpec, ...] = ()
    policy_version = ""
    if pipeline.plan_clocks is not None:
        clocks, policy_version = pipeline.plan_clocks(route, now)
    opening = case_opening(intake, signals, route, clocks, policy_version)
    opened = open_case(session, intake, opening, now,
                       linked=[correction] if correction is not None else [])
    if opened.created:
        publish(services.redis, [event_message(e, opened.case) for e in opened.events])
        if pipeline.after_open is not None:
            pipeline.after_open(opened)
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
