"""Real parts for every test: the embedded Redis (once per session), a fresh SQL database per test.

Set HOTLINE_TEST_REDIS_URL / HOTLINE_TEST_DATABASE_URL to run the same suite against an
external Redis and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from cases.db import Base, create_schema, make_engine, make_sessionmaker
from hotline.app import create_app
from hotline.demo.seed import seed
from hotline.embedded_redis import EmbeddedRedis
from hotline.settings import Settings
from hotline.wiring import build_classifier, catalogue_of, intake_services
from intake.jobs import Pipeline, install
from intake.services import IntakeServices
from routing.classify import Classifier

EXTERNAL_REDIS = os.environ.get("HOTLINE_TEST_REDIS_URL", "")
EXTERNAL_DB = os.environ.get("HOTLINE_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if EXTERNAL_REDIS:
        yield EXTERNAL_REDIS
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return EXTERNAL_DB or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if EXTERNAL_DB:
        from cases import tables  # noqa: F401

        Base.metadata.drop_all(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained model for the whole test session (training takes seconds, not per test)."""
    from nlp.training import ensure_model

    path = tmp_path_factory.mktemp("model")
    ensure_model(path)
    return path


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str, model_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, redis_url=redis_url,
                    model_path=model_dir, reconcile_after_s=0.0, job_retries=3)


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
