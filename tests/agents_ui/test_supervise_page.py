"""督办: the supervisor's page, and the at-risk data it shows with names people read."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from intake.jobs import install
from intake.services import IntakeServices
from tests.agents_ui.test_auth import sign_in
from tests.intake.conftest import run_jobs
from tests.intake.test_channels import bearer, call_payload


def test_a_supervisor_sees_clocks_at_risk_with_unit_names(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
    settings: Any, sessions: Any,
) -> None:
    from hotline.runtime import worker_pipeline

    install(worker_pipeline(settings, services, sessions))
    console.post("/api/v1/intake/call", headers=bearer(credentials, "call"),
                 json=call_payload(call_id="sup-1"))
    run_jobs(services)
    sign_in(console, credentials, "supervisor")
    page = console.get("/console/supervise")
    assert page.status_code == 200 and "督办 · 时限监控" in page.text
    at_risk = console.get("/api/v1/sla/at-risk").json()
    assert at_risk["clocks"], at_risk
    first = at_risk["clocks"][0]
    assert first["case"]["accepting_unit_name"] == "白石镇"
    assert first["clock"]["department_name"]


def test_other_roles_do_not_open_it(console: TestClient, credentials: dict[str, Any]) -> None:
    sign_in(console, credentials, "township")
    assert console.get("/console/supervise").status_code == 403
