from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cases.tables import Case
from hotline.demo.requests import DEMO_REQUESTS, seed_demo_requests
from intake.services import IntakeServices
from tests.intake.conftest import run_jobs


def test_demo_requests_become_cases_once(services: IntakeServices,
                                         credentials: dict[str, Any]) -> None:
    assert seed_demo_requests(services.sessions, services.queue, 3) == len(DEMO_REQUESTS)
    assert seed_demo_requests(services.sessions, services.queue, 3) == 0
    run_jobs(services)
    with services.sessions() as session:
        cases = list(session.scalars(select(Case)))
    assert len(cases) == len(DEMO_REQUESTS)
    states = {c.state for c in cases}
    assert "dispatched" in states
    assert any(c.urgency == "critical" for c in cases)
