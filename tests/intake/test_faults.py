"""Faults: nothing acknowledged is ever lost, nothing is made twice."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select
from starlette.testclient import TestClient

from cases.db import make_engine, make_sessionmaker
from cases.inbox import get_intake
from cases.tables import Case, Intake
from hotline.app import create_app
from hotline.embedded_redis import EmbeddedRedis
from hotline.settings import Settings
from intake.jobs import Pipeline, install
from intake.queueing import make_queue
from intake.reconciler import reconcile_once
from intake.services import IntakeServices
from tests.intake.conftest import run_jobs
from tests.intake.test_channels import bearer, call_payload, counts

HERE = Path(__file__).parent


def cases_of(services: IntakeServices, intake_id: str) -> list[Case]:
    with services.sessions() as session:
        return list(session.scalars(select(Case).where(Case.intake_id == intake_id)))


def test_database_unavailable_at_intake_is_503_and_queues_nothing(
    services: IntakeServices, credentials: dict[str, Any], tmp_path: Path
) -> None:
    broken_url = (
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
        if services.sessions.kw["bind"].dialect.name == "postgresql"
        else f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"
    )
    broken_engine = make_engine(broken_url)
    broken = dataclasses.replace(services, sessions=make_sessionmaker(broken_engine))
    try:
        with TestClient(create_app(broken)) as client:
            response = client.post("/api/v1/intake/call", json=call_payload(),
                                   headers=bearer(credentials, "call"))
    finally:
        broken_engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "数据库" in response.json()["message"]
    assert services.queue.count == 0


class ExplodingClassifier:
    """Stands in for a classifier whose dependency is broken: every call raises."""

    def classify(self, text: str, context: Any = None) -> Any:
        raise ConnectionError("model store unreachable")


def test_a_job_that_raises_is_retried_then_failed_and_visible(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    services.retry_intervals = (0,)
    exploding = ExplodingClassifier()
    install(Pipeline(dataclasses.replace(services, classifier=lambda: exploding)))  # type: ignore[arg-type, return-value]
    intake_id = client.post("/api/v1/intake/call", json=call_payload(),
                            headers=bearer(credentials, "call")).json()["intake_id"]
    run_jobs(services)
    state = client.get(f"/api/v1/intakes/{intake_id}", headers=bearer(credentials, "call")).json()
    assert state["state"] == "failed"
    assert "model store unreachable" in state["error"]
    with services.sessions() as session:
        intake = get_intake(session, intake_id)
        assert intake is not None and intake.attempts == services.max_attempts
    assert cases_of(services, intake_id) == []
    # A failed intake is not picked up again behind anyone's back.
    assert reconcile_once(services, 0) == 0


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any],
    settings: Settings, tmp_path: Path,
) -> None:
    intake_id = client.post("/api/v1/intake/call", json=call_payload(),
                            headers=bearer(credentials, "call")).json()["intake_id"]
    marker = tmp_path / "job-started"
    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               HOTLINE_DATA_DIR=str(settings.data_dir), HOTLINE_MODEL_DIR=str(settings.model_dir),
               SLOW_WORKER_MARKER=str(marker))
    worker = subprocess.Popen([sys.executable, str(HERE / "slow_worker.py")], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, "the worker died before taking the job"
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    with services.sessions() as session:
        assert session.get(Intake, intake_id).state == "pending"  # type: ignore[union-attr]

    assert reconcile_once(services, 0) == 1
    run_jobs(services)
    assert len(cases_of(services, intake_id)) == 1
    assert counts(services)[:2] == (1, 1)


def test_redis_losing_every_job_after_the_202_loses_no_intake(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    intake_id = client.post("/api/v1/intake/call", json=call_payload(),
                            headers=bearer(credentials, "call")).json()["intake_id"]
    services.redis.flushdb()
    run_jobs(services)
    assert cases_of(services, intake_id) == []
    assert reconcile_once(services, 0) == 1
    run_jobs(services)
    assert len(cases_of(services, intake_id)) == 1


@pytest.mark.skipif(bool(os.environ.get("HOTLINE_TEST_REDIS_URL")),
                    reason="kills an embedded redis-server of its own")
def test_embedded_redis_killed_right_after_a_202_still_gives_the_case(
    services: IntakeServices, credentials: dict[str, Any], tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    try:
        own = dataclasses.replace(services, redis=Redis.from_url(url),
                                  queue=make_queue(Redis.from_url(url)))
        install(Pipeline(own))
        with TestClient(create_app(own)) as client:
            response = client.post("/api/v1/intake/call", json=call_payload(),
                                   headers=bearer(credentials, "call"))
        assert response.status_code == 202
        intake_id = response.json()["intake_id"]
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        server.process = None

        url = server.start()
        restarted = dataclasses.replace(own, redis=Redis.from_url(url),
                                        queue=make_queue(Redis.from_url(url)))
        install(Pipeline(restarted))
        reconcile_once(restarted, 0)
        run_jobs(restarted)
        assert len(cases_of(restarted, intake_id)) == 1
    finally:
        server.stop()
