"""Building the parts from settings: database, Redis, queue, classifier, intake services."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agents_ui.deps import ConsoleDeps
from cases.db import create_schema, make_engine, make_sessionmaker
from cases.directory import place_units
from hotline.settings import Settings
from intake.queueing import make_queue
from intake.services import IntakeServices
from nlp.analyser import Analyser
from nlp.training import current_version, ensure_model
from routing.catalogue import Catalogue, load_catalogue
from routing.classify import Classifier
from routing.clock_service import ClockService
from routing.jurisdiction import JurisdictionTree, Unit
from routing.sla_policy import load_sla_policy
from routing.timers import TimerIndex

log = logging.getLogger(__name__)


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    return engine, make_sessionmaker(engine)


def connect_redis(url: str) -> Redis:
    return Redis.from_url(url, health_check_interval=30)


def load_tree(sessions: sessionmaker[Session]) -> JurisdictionTree:
    with sessions() as session:
        return JurisdictionTree.from_units(
            Unit(code=u.code, name=u.name, level=u.kind, parent_code=u.parent_code,
                 aliases=tuple(u.aliases or ()))
            for u in place_units(session)
        )


def catalogue_of(settings: Settings) -> Catalogue:
    return load_catalogue(settings.catalogue_file)


def build_classifier(settings: Settings, sessions: sessionmaker[Session] | None = None) -> Classifier:
    """Model (trained now if absent), jurisdiction tree from the database, catalogue."""
    if sessions is None:
        _, sessions = open_database(settings)
    tree = load_tree(sessions)
    ensure_model(settings.model_dir)
    analyser = Analyser.load(settings.model_dir, tree.places())
    return Classifier(analyser, tree, catalogue_of(settings))


def current_classifier(settings: Settings, sessions: sessionmaker[Session]) -> Callable[[], Classifier]:
    """The classifier of the current model version, rebuilt when a new version is trained."""
    box: list[tuple[str | None, Classifier]] = []
    lock = threading.Lock()

    def get() -> Classifier:
        version = current_version(settings.model_dir)
        if not box or box[0][0] != version:
            with lock:
                if not box or box[0][0] != version:
                    classifier = build_classifier(settings, sessions)
                    box[:] = [(current_version(settings.model_dir), classifier)]
        return box[0][1]

    return get


def intake_services(
    settings: Settings, sessions: sessionmaker[Session], redis: Redis,
    classifier: Callable[[], Classifier] | None, **extra: Any,
) -> IntakeServices:
    return IntakeServices(
        sessions=sessions, redis=redis, queue=make_queue(redis),
        max_attempts=settings.job_retries, classifier=classifier, extra=dict(extra),
    )


def clock_service(settings: Settings, redis: Redis) -> ClockService:
    """SLA clocks for case actions: the county's policy, the working calendar, the timer index."""
    from hotline.commands.calendar import load_calendar

    return ClockService(load_sla_policy(settings.sla_file), load_calendar(settings),
                        TimerIndex(redis))


def console_deps(
    settings: Settings, sessions: sessionmaker[Session], redis: Redis, services: IntakeServices,
    classifier: Callable[[], Classifier],
) -> ConsoleDeps:
    return ConsoleDeps(
        sessions=sessions, redis=redis, intake=services, catalogue=catalogue_of(settings),
        tree=lambda: load_tree(sessions), classifier=classifier,
        clocks=clock_service(settings, redis),
        session_idle_minutes=settings.session_idle_minutes,
        secure_cookies=settings.production,
    )
