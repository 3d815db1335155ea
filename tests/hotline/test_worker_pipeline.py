"""The worker's pipeline: a new case has its SLA clocks planned and due in the Redis index at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from cases.tables import Case, Clock
from hotline.runtime import worker_pipeline
from hotline.settings import Settings
from intake.jobs import install
from intake.services import IntakeServices
from routing.timers import DUE_KEY
from tests.intake.conftest import run_jobs
from tests.intake.test_channels import bearer


def test_clocks_of_a_new_case_are_indexed_by_the_worker(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any],
    settings: Settings, sessions: sessionmaker[Session],
) -> None:
    install(worker_pipeline(settings, services, sessions))
    client.post("/api/v1/intake/call", headers=bearer(credentials, "call"), json={
        "call_id": "p-1", "caller_number": "13900002222",
        "text": "白石镇三岔村昨晚家里失火，房子烧了一半，一家四口没地方住，被子衣服都没了"})
    run_jobs(services)
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        clocks = list(session.scalars(select(Clock).where(Clock.case_id == case.id)))
    assert case.policy_version
    assert {c.kind for c in clocks} >= {"accept", "first_contact", "resolve"}
    indexed = {m.decode() for m in services.redis.zrange(DUE_KEY, 0, -1)}
    for clock in clocks:
        assert f"{clock.id}:breach" in indexed
