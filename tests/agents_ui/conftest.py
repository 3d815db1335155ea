"""The whole web app (intake API + console) on the test database and Redis, with the demo county."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.deps import ConsoleDeps
from hotline.app import create_app
from hotline.settings import Settings
from hotline.wiring import catalogue_of, clock_service, load_tree
from intake.services import IntakeServices
from routing.classify import Classifier


@pytest.fixture
def console_deps(settings: Settings, sessions: sessionmaker[Session], redis: Redis,
                 services: IntakeServices, classifier: Classifier) -> ConsoleDeps:
    return ConsoleDeps(
        sessions=sessions, redis=redis, intake=services, catalogue=catalogue_of(settings),
        tree=lambda: load_tree(sessions), classifier=lambda: classifier,
        clocks=clock_service(settings, redis),
    )


@pytest.fixture
def console(services: IntakeServices, console_deps: ConsoleDeps) -> Iterator[TestClient]:
    """A client of the full app; cookies persist between its requests like a browser's."""
    with TestClient(create_app(services, console_deps)) as client:
        yield client
