"""GET /api/v1/sla/at-risk and /api/v1/sla/stats: order, scope by role, warnings, rates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.deps import ConsoleDeps
from cases.tables import Case
from intake.jobs import Pipeline, install
from intake.services import IntakeServices
from routing.clock_plan import planner
from routing.clock_service import ClockService
from routing.sla_policy import SlaPolicy, load_sla_policy
from routing.timers import TimerIndex
from tests.intake.conftest import run_jobs
from tests.routing.test_timers import BAISHI, local, open_test_case

LONGQUAN = "530329103000"  # 龙泉镇


@pytest.fixture
def policy() -> SlaPolicy:
    return load_sla_policy()


@pytest.fixture
def cases(sessions: sessionmaker[Session], policy: SlaPolicy,
          credentials: dict[str, Any]) -> dict[str, int]:
    """白石镇 dispatched to mz_jz; 龙泉镇 critical in triage; one without a township."""
    calendar = policy.working_calendar()
    return {
        "baishi": open_test_case(sessions, policy, calendar, received_at=local(2026, 9, 29, 9),
                                 state="dispatched", urgency="normal", categories=("dibao",),
                                 lead="mz_jz"),
        "longquan": open_test_case(sessions, policy, calendar, accepting_unit=LONGQUAN),
        "nowhere": open_test_case(sessions, policy, calendar, urgency="urgent",
                                  accepting_unit=None),
    }


def token(client: TestClient, credentials: dict[str, Any], role: str) -> dict[str, str]:
    user = credentials["users"][role]
    response = client.post("/api/v1/auth/token",
                           json={"username": user["username"], "password": user["password"]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def at(console_deps: ConsoleDeps, policy: SlaPolicy, redis: Redis, moment: datetime) -> None:
    console_deps.now = lambda: moment
    console_deps.clocks = ClockService(policy, policy.working_calendar(), TimerIndex(redis))


def test_at_risk_lists_open_clocks_by_time_to_breach(
    console: TestClient, console_deps: ConsoleDeps, credentials: dict[str, Any],
    cases: dict[str, int], policy: SlaPolicy, redis: Redis,
) -> None:
    at(console_deps, policy, redis, local(2026, 9, 29, 12, 12))
    response = console.get("/api/v1/sla/at-risk", headers=token(console, credentials,
                                                                "supervisor"))
    assert response.status_code == 200, response.text
    body = response.json()
    rows = [(r["case"]["id"], r["clock"]["kind"], r["clock"]["remaining_s"], r["clock"]["level"])
            for r in body["clocks"]]
    assert rows[:2] == [(cases["longquan"], "dispatch", 180, "warned"),
                        (cases["nowhere"], "dispatch", 48 * 60, "running")]
    deadlines = [r["clock"]["deadline"] for r in body["clocks"]]
    assert deadlines == sorted(deadlines) and body["count"] == len(rows) == 7
    assert body["warnings"] == []
    assert body["clocks"][0]["case"]["accepting_unit"] == LONGQUAN
    assert body["clocks"][0]["clock"]["name"] == "派单"


def test_township_and_department_users_see_only_their_own(
    console: TestClient, console_deps: ConsoleDeps, credentials: dict[str, Any],
    cases: dict[str, int], policy: SlaPolicy, redis: Redis,
) -> None:
    at(console_deps, policy, redis, local(2026, 9, 29, 12, 12))
    township = console.get("/api/v1/sla/at-risk",
                           headers=token(console, credentials, "township")).json()
    assert {r["case"]["id"] for r in township["clocks"]} == {cases["baishi"]}
    assert all(r["case"]["accepting_unit"] == BAISHI for r in township["clocks"])
    department = console.get("/api/v1/sla/at-risk",
                             headers=token(console, credentials, "department")).json()
    assert sorted(r["clock"]["kind"] for r in department["clocks"]) == \
        ["accept", "first_contact", "resolve"]
    assert {r["clock"]["department"] for r in department["clocks"]} == {"mz_jz"}


def test_who_may_not_ask(
    console: TestClient, credentials: dict[str, Any], cases: dict[str, int],
) -> None:
    grassroots = console.get("/api/v1/sla/at-risk",
                             headers=token(console, credentials, "grassroots"))
    assert grassroots.status_code == 403
    assert console.get("/api/v1/sla/stats").status_code == 401
    stale = console.get("/api/v1/sla/at-risk", headers={"Authorization": "Bearer ht_nope"})
    assert (stale.status_code, stale.json()["error"]) == (401, "unauthorized")
    bad = console.get("/api/v1/sla/stats?period=year",
                      headers=token(console, credentials, "agent"))
    assert bad.status_code == 422


def test_an_uncovered_year_is_a_warning_on_the_dashboard_data(
    console: TestClient, console_deps: ConsoleDeps, credentials: dict[str, Any],
    sessions: sessionmaker[Session], policy: SlaPolicy, redis: Redis,
) -> None:
    calendar = policy.working_calendar()
    open_test_case(sessions, policy, calendar, received_at=local(2026, 12, 20, 9),
                   state="dispatched", urgency="normal", categories=("dibao",), lead="mz_jz")
    at(console_deps, policy, redis, local(2026, 12, 21, 9))
    body = console.get("/api/v1/sla/at-risk",
                       headers=token(console, credentials, "agent")).json()
    assert body["clocks"][-1]["clock"]["deadline"].startswith("2027-")
    assert body["warnings"] == ["2027年节假日安排尚未导入，按周末计算工作日，期限可能不准确"]


def test_stats_give_the_on_time_rate_by_unit_category_clock_and_period(
    console: TestClient, console_deps: ConsoleDeps, credentials: dict[str, Any],
    sessions: sessionmaker[Session], cases: dict[str, int], policy: SlaPolicy, redis: Redis,
) -> None:
    at(console_deps, policy, redis, local(2026, 9, 30, 9))
    with sessions() as session:
        case = session.get(Case, cases["baishi"])
        assert case is not None
        console_deps.clocks.apply(session, case, "accept", local(2026, 9, 29, 10))
        session.commit()
    query = "/api/v1/sla/stats?period=day&from=2026-09-29&to=2026-09-30"
    response = console.get(query, headers=token(console, credentials, "supervisor"))
    assert response.status_code == 200, response.text
    body = response.json()
    # Decided: 白石镇's accept on time; both dispatch clocks breached. 龙泉镇's advance
    # aid (due 9/30 12:00) is still open.
    assert body["overall"] == {"key": "", "name": "", "on_time": 1, "late": 2, "total": 3,
                               "on_time_rate": 0.3333}
    assert body["open"] == 1
    assert {r["key"]: (r["on_time"], r["late"]) for r in body["by_unit"]} == \
        {"mz_jz": (1, 0), LONGQUAN: (0, 1), "": (0, 1)}
    assert {r["key"]: r["name"] for r in body["by_unit"]}[LONGQUAN] == "龙泉镇"
    assert {r["key"]: (r["on_time"], r["late"]) for r in body["by_category"]} == \
        {"dibao": (1, 0), "linshi": (0, 2)}
    assert {r["key"]: (r["on_time"], r["late"]) for r in body["by_clock"]} == \
        {"accept": (1, 0), "dispatch": (0, 2)}
    assert [(r["key"], r["on_time"], r["late"]) for r in body["by_period"]] == \
        [("2026-09-29", 0, 2), ("2026-09-30", 1, 0)]
    township = console.get(query, headers=token(console, credentials, "township")).json()
    assert (township["overall"]["on_time"], township["overall"]["late"]) == (1, 0)
    monthly = console.get("/api/v1/sla/stats?period=month&from=2026-09-01&to=2026-10-31",
                          headers=token(console, credentials, "agent")).json()
    assert [r["key"] for r in monthly["by_period"]] == ["2026-09"]


def test_a_call_opened_by_the_worker_has_its_clocks_planned_and_listed(
    console: TestClient, console_deps: ConsoleDeps, credentials: dict[str, Any],
    services: IntakeServices, sessions: sessionmaker[Session], policy: SlaPolicy, redis: Redis,
) -> None:
    calendar = policy.working_calendar()
    install(Pipeline(services, plan_clocks=planner(policy, calendar)))
    response = console.post(
        "/api/v1/intake/call",
        headers={"Authorization": f"Bearer {credentials['call']['api_key']}"},
        json={"call_id": "sla-1", "caller_number": "13987654321",
              "text": "来电人称其父亲住在白石镇白石村，没有劳动能力也没有收入，请求帮助申请低保。"})
    assert response.status_code == 202, response.text
    run_jobs(services)
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.policy_version == policy.version
    at(console_deps, policy, redis, case.created_at)
    body = console.get("/api/v1/sla/at-risk", headers=token(console, credentials, "agent")).json()
    kinds = {r["clock"]["kind"] for r in body["clocks"]}
    if case.state == "dispatched":  # routed at once: dispatch met, the unit's clocks running
        assert {"accept", "first_contact", "resolve"} <= kinds and "dispatch" not in kinds
    else:
        assert case.state == "triage" and "dispatch" in kinds
    assert all(r["case"]["id"] == case.id for r in body["clocks"])
