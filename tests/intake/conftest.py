"""An intake app on the test database and Redis, with the demo county and its credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotline.app import create_app
from hotline.demo.seed import seed
from hotline.settings import Settings
from hotline.wiring import build_classifier, catalogue_of, intake_services
from intake.jobs import Pipeline, install
from intake.services import IntakeServices
from routing.classify import Classifier


@pytest.fixture
def credentials(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Any]:
    return seed(sessions, catalogue_of(settings), settings.data_dir)


@pytest.fixture
def classifier(settings: Settings, sessions: sessionmaker[Session],
               credentials: dict[str, Any]) -> Classifier:
    return build_classifier(settings, sessions)


@pytest.fixture
def services(settings: Settings, sessions: sessionmaker[Session], redis: Redis,
             classifier: Classifier) -> IntakeServices:
    services = intake_services(settings, sessions, redis, lambda: classifier)
    install(Pipeline(services))
    return services


@pytest.fixture
def client(services: IntakeServices) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


def run_jobs(services: IntakeServices) -> None:
    """Run every queued job in this process, as a non-forking worker would."""
    SimpleWorker([services.queue], connection=services.redis).work(burst=True, logging_level="ERROR")
