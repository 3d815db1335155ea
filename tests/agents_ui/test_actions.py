"""Case actions over HTTP: role and object checks, CSRF, 409 reasons, publishing, reveal, clocks."""

from __future__ import annotations

import json
from typing import Any

from redis import Redis
from redis.client import PubSub
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.deps import ConsoleDeps
from cases.tables import Case, Clock, Event, TrainingExample
from hotline.app import create_app
from hotline.settings import Settings
from hotline.wiring import clock_service
from intake.services import EVENTS_CHANNEL, IntakeServices
from tests.agents_ui.test_auth import sign_in
from tests.cases.test_actions import make_case

OTHER_TOWNSHIP = "530329103000"  # 龙泉镇, not the demo township user's 白石镇


def new_case(sessions: sessionmaker[Session], **opening: Any) -> int:
    with sessions() as session:
        return make_case(session, **opening).id


def post_action(client: TestClient, csrf: str, case_id: int, action: str,
                body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/console/api/cases/{case_id}/actions/{action}", json=body or {},
                       headers={"X-CSRF-Token": csrf})


def subscribe(redis: Redis) -> PubSub:
    pubsub: PubSub = redis.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(EVENTS_CHANNEL)
    pubsub.get_message(timeout=1)
    return pubsub


def published(pubsub: PubSub) -> list[dict[str, Any]]:
    found = []
    while (message := pubsub.get_message(timeout=0.5)) is not None:
        found.append(json.loads(message["data"]))
    return found


def test_township_accepts_its_case_and_the_event_is_published(
    console: TestClient, credentials: dict[str, Any], sessions: sessionmaker[Session],
    redis: Redis,
) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "township")
    pubsub = subscribe(redis)
    response = post_action(console, csrf, case_id, "accept", {"note": "已签收"})
    assert response.status_code == 200, response.text
    assert response.json()["case"]["state"] == "accepted"
    assert response.json()["case"]["person"]["name"] == "张**"  # masked by default
    [message] = published(pubsub)
    assert message["type"] == "case_event"
    assert message["event"]["kind"] == "accepted" and message["event"]["actor"] == "township"
    assert message["case"]["id"] == case_id and message["case"]["state"] == "accepted"


def test_another_townships_case_is_refused(console: TestClient, credentials: dict[str, Any],
                                           sessions: sessionmaker[Session]) -> None:
    case_id = new_case(sessions, accepting=OTHER_TOWNSHIP)
    csrf = sign_in(console, credentials, "township")
    response = post_action(console, csrf, case_id, "accept")
    assert response.status_code == 403
    assert response.json() == {"error": "您无权查看或处理此工单"}
    with sessions() as session:
        assert session.get(Case, case_id).state == "dispatched"  # type: ignore[union-attr]


def test_illegal_transition_is_409_with_the_reason(console: TestClient,
                                                   credentials: dict[str, Any],
                                                   sessions: sessionmaker[Session]) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "township")
    response = post_action(console, csrf, case_id, "resolve", {"note": "已办结"})
    assert response.status_code == 409
    assert response.json() == {"error": "当前状态为“已派单”，不能办结（仅限：已签收、办理中）"}


def test_wrong_role_csrf_unknown_action_bad_body(console: TestClient,
                                                 credentials: dict[str, Any],
                                                 sessions: sessionmaker[Session]) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "agent")
    wrong_role = post_action(console, csrf, case_id, "accept")
    assert wrong_role.status_code == 403
    assert wrong_role.json() == {"error": "12349接线员不能执行“签收”"}
    no_csrf = console.post(f"/console/api/cases/{case_id}/actions/transfer_out", json={})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]
    assert post_action(console, csrf, case_id, "fly").status_code == 404
    assert post_action(console, csrf, 999999, "transfer_out").json() == {"error": "工单不存在"}
    bad = console.post(f"/console/api/cases/{case_id}/actions/merge", content=b"{not json",
                       headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400 and bad.json() == {"error": "请求内容不是有效的JSON"}
    typed = post_action(console, csrf, case_id, "merge", {"target_case_id": "x"})
    assert typed.status_code == 400 and typed.json() == {"error": "字段 target_case_id 应为整数"}


def test_grassroots_takes_no_actions(console: TestClient, credentials: dict[str, Any],
                                     sessions: sessionmaker[Session]) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "grassroots")
    response = post_action(console, csrf, case_id, "accept")
    assert response.status_code == 403 and response.json() == {"error": "您的角色无权进行此操作"}


def test_agent_dispatch_correction_becomes_a_training_example(
    console: TestClient, credentials: dict[str, Any], sessions: sessionmaker[Session],
) -> None:
    case_id = new_case(sessions, state="triage", lead=None, accepting=None)
    csrf = sign_in(console, credentials, "agent")
    response = post_action(console, csrf, case_id, "dispatch", {
        "categories": ["yiliao"], "lead_department": "yb", "co_departments": ["mz_jz"],
        "accepting_unit": "530329102000"})
    assert response.status_code == 200, response.text
    case = response.json()["case"]
    assert (case["state"], case["lead_department"]) == ("dispatched", "yb")
    assert [a["department"] for a in case["assignments"]] == ["yb", "mz_jz"]
    with sessions() as session:
        example = session.scalars(select(TrainingExample)).one()
        assert (example.categories, example.departments) == (["yiliao"], ["yb", "mz_jz"])


def test_extension_duration_is_checked(console: TestClient, credentials: dict[str, Any],
                                       sessions: sessionmaker[Session]) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "department")
    response = post_action(console, csrf, case_id, "request_extension",
                           {"extension": "几天", "reason": "材料不全"})
    assert response.status_code == 400 and response.json()["error"].startswith("延期时长格式不正确")


def test_not_satisfied_call_back_publishes_a_supervisor_notice(
    console: TestClient, credentials: dict[str, Any], sessions: sessionmaker[Session],
    redis: Redis,
) -> None:
    case_id = new_case(sessions, state="triage")
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.state = "resolved"
        session.commit()
    csrf = sign_in(console, credentials, "agent")
    pubsub = subscribe(redis)
    response = post_action(console, csrf, case_id, "follow_up",
                           {"satisfaction": "不满意", "note": "没人联系过我"})
    assert response.status_code == 200
    kinds = [m["event"]["kind"] for m in published(pubsub)]
    assert kinds[:3] == ["followed_up", "supervisor_notice", "reopened"]
    assert response.json()["case"]["state"] == "in_progress"


def test_reveal_shows_the_full_values_and_is_on_the_timeline(
    console: TestClient, credentials: dict[str, Any], sessions: sessionmaker[Session],
) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "supervisor")
    response = console.post(f"/console/api/cases/{case_id}/reveal", json={"reason": "核实"},
                            headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    person = response.json()["case"]["person"]
    assert (person["name"], person["phone"], person["masked"]) == (
        "张小花", "+8613812345678", False)
    with sessions() as session:
        event = session.scalars(select(Event).where(Event.case_id == case_id,
                                                    Event.kind == "reveal")).one()
        assert (event.actor, event.data["reason"]) == ("supervisor", "核实")


def test_supervise_is_published(console: TestClient, credentials: dict[str, Any],
                                sessions: sessionmaker[Session], redis: Redis) -> None:
    case_id = new_case(sessions)
    csrf = sign_in(console, credentials, "supervisor")
    pubsub = subscribe(redis)
    response = post_action(console, csrf, case_id, "supervise", {"note": "请今日内联系当事人"})
    assert response.status_code == 200
    [message] = published(pubsub)
    assert message["event"]["kind"] == "supervise"
    assert message["event"]["data"]["note"] == "请今日内联系当事人"


def test_actions_move_the_sla_clocks(
    settings: Settings, services: IntakeServices, console_deps: ConsoleDeps,
    credentials: dict[str, Any], sessions: sessionmaker[Session], redis: Redis,
) -> None:
    console_deps.clocks = clock_service(settings, redis)
    case_id = new_case(sessions, state="triage", lead=None)
    with TestClient(create_app(services, console_deps)) as client:
        csrf = sign_in(client, credentials, "agent")
        assert post_action(client, csrf, case_id, "dispatch",
                           {"lead_department": "mz_jz"}).status_code == 200
        with sessions() as session:
            kinds = sorted(c.kind for c in session.scalars(
                select(Clock).where(Clock.case_id == case_id, Clock.state == "running")))
        assert kinds == ["accept", "first_contact", "resolve"]
        client.cookies.clear()
        csrf = sign_in(client, credentials, "township")
        assert post_action(client, csrf, case_id, "accept").status_code == 200
        with sessions() as session:
            accept = session.scalars(select(Clock).where(Clock.case_id == case_id,
                                                         Clock.kind == "accept")).one()
            assert accept.state in ("met", "met_late")
