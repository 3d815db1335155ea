"""The console websocket: events reach every console of the right scope and none of the others."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from agents_ui.auth import SESSION_COOKIE
from agents_ui.deps import ConsoleDeps
from agents_ui.live import CLOSE_FORBIDDEN_ORIGIN, CLOSE_SIGNED_OUT
from agents_ui.sessions import SESSIONS_CHANNEL, SessionStore, session_id_of
from cases.accounts import create_user
from cases.tables import User
from hotline.app import create_app
from intake.services import IntakeServices
from tests.intake.conftest import run_jobs

ORIGIN = {"origin": "http://testserver"}
PASSWORD = "kf83-Lq2x-pw"
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')

CALL = {
    "call_id": "call-live-1",
    "caller_number": "13987654321",
    "text": "来电人称其父亲住在白石镇白石村，没有劳动能力也没有收入，一个月就靠几百块过日子，"
            "请求帮助申请低保。",
    "person": {"name": "杨老四", "address": "白石镇白石村3组"},
}


def sign_in(client: TestClient, username: str, password: str) -> str:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post("/console/login", data={
        "username": username, "password": password, "csrf_token": token.group(1), "next": "",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.cookies[SESSION_COOKIE]


@pytest.fixture
def app(services: IntakeServices, console_deps: ConsoleDeps) -> Starlette:
    return create_app(services, console_deps)


@pytest.fixture
def others(sessions: sessionmaker[Session], credentials: dict[str, Any]) -> dict[str, str]:
    """Users of the same roles as the demo ones, bound to other units."""
    now = dt.datetime.now(dt.UTC)
    with sessions() as session:
        create_user(session, username="songlin", password=PASSWORD, role="township",
                    unit_code="530329201000", display_name="松林乡经办人 刘洋", now=now)
        create_user(session, username="education", password=PASSWORD, role="department",
                    unit_code="jy", display_name="教体局 孙丽", now=now)
        create_user(session, username="qingshan-sup", password=PASSWORD, role="supervisor",
                    unit_code="530329202000", display_name="青山乡督办 何静", now=now)
        session.commit()
    return {"songlin": PASSWORD, "education": PASSWORD, "qingshan-sup": PASSWORD}


@pytest.fixture
def clients(app: Starlette) -> Iterator[dict[str, TestClient]]:
    with ExitStack() as stack:
        made: dict[str, TestClient] = {}

        class Clients(dict[str, TestClient]):
            def __missing__(self, name: str) -> TestClient:
                made[name] = stack.enter_context(TestClient(app))
                self[name] = made[name]
                return made[name]

        yield Clients()


def connect(stack: ExitStack, client: TestClient) -> WebSocketTestSession:
    socket = stack.enter_context(client.websocket_connect("/console/ws", headers=ORIGIN))
    assert socket.receive_json()["type"] == "hello"  # subscribed: nothing published is missed
    return socket


def test_a_case_event_reaches_exactly_the_consoles_that_may_see_it(
    clients: dict[str, TestClient], credentials: dict[str, Any], others: dict[str, str],
    services: IntakeServices, redis: Redis,
) -> None:
    logins = {role: (u["username"], u["password"]) for role, u in credentials["users"].items()}
    logins.update({name: (name, password) for name, password in others.items()})
    tokens = {name: sign_in(clients[name], *login) for name, login in logins.items()}
    with ExitStack() as stack:
        sockets = {name: connect(stack, clients[name]) for name in logins}
        call = clients["agent"].post("/api/v1/intake/call", json=CALL, headers={
            "Authorization": f"Bearer {credentials['call']['api_key']}"})
        assert call.status_code == 202, call.text
        run_jobs(services)
        # Ordered after the case's events on the same subscription: a console that has not
        # received the case event before this close never will.
        for name in logins:
            redis.publish(SESSIONS_CHANNEL, json.dumps(
                {"type": "logout", "session_id": session_id_of(tokens[name])}))

        received: dict[str, list[dict[str, Any]]] = {}
        for name, socket in sockets.items():
            received[name] = []
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    received[name].append(socket.receive_json())
            assert closed.value.code == CLOSE_SIGNED_OUT

    case = received["agent"][0]["case"]
    assert case["accepting_unit"] == "530329102000" and case["lead_department"] == "mz_jz"
    kinds = [m["event"]["kind"] for m in received["agent"]]
    assert kinds[0] == "received" and len(kinds) >= 2
    seeing = {name for name, messages in received.items() if messages}
    assert seeing == {"agent", "admin", "township", "department", "supervisor"}
    for name in seeing:
        assert [m["event"]["kind"] for m in received[name]] == kinds
        assert all(m["type"] == "case_event" and m["case"]["id"] == case["id"]
                   for m in received[name])


def test_a_grassroots_worker_gets_the_events_of_what_they_reported(
    clients: dict[str, TestClient], credentials: dict[str, Any], services: IntakeServices,
    redis: Redis,
) -> None:
    worker = credentials["users"]["grassroots"]
    token = sign_in(clients["grassroots"], worker["username"], worker["password"])
    agent = credentials["users"]["agent"]
    sign_in(clients["agent"], agent["username"], agent["password"])
    bearer = clients["grassroots"].post("/api/v1/auth/token", json=credentials["referral"])
    with ExitStack() as stack:
        socket = connect(stack, clients["grassroots"])
        agent_socket = connect(stack, clients["agent"])
        call = clients["agent"].post("/api/v1/intake/call", json=CALL, headers={
            "Authorization": f"Bearer {credentials['call']['api_key']}"})
        referral = clients["grassroots"].post("/api/v1/intake/referral", json={
            "text": "本村村民一个人住，八十多岁，最近摔了一跤起不来床，没人照顾。",
            "village_code": "530329201202", "person": {"name": "李有福", "tags": ["独居", "高龄"]},
        }, headers={"Authorization": f"Bearer {bearer.json()['token']}"})
        assert call.status_code == referral.status_code == 202
        run_jobs(services)
        redis.publish(SESSIONS_CHANNEL, json.dumps(
            {"type": "logout", "session_id": session_id_of(token)}))
        mine: list[dict[str, Any]] = []
        with pytest.raises(WebSocketDisconnect):
            while True:
                mine.append(socket.receive_json())
        everything = [agent_socket.receive_json() for _ in range(4)]
    assert len({m["case"]["id"] for m in everything}) == 2
    assert mine and {m["case"]["accepting_unit"] for m in mine} == {"530329201000"}


def test_a_foreign_origin_is_refused(clients: dict[str, TestClient],
                                     credentials: dict[str, Any]) -> None:
    agent = credentials["users"]["agent"]
    sign_in(clients["agent"], agent["username"], agent["password"])
    for origin in ({"origin": "http://evil.example"}, {"origin": "http://testserver.evil.example"},
                   {}):
        with pytest.raises(WebSocketDisconnect) as refused:
            with clients["agent"].websocket_connect("/console/ws", headers=origin):
                pass
        assert refused.value.code == CLOSE_FORBIDDEN_ORIGIN


def test_a_signed_out_browser_is_refused(clients: dict[str, TestClient]) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with clients["nobody"].websocket_connect("/console/ws", headers=ORIGIN):
            pass
    assert refused.value.code == CLOSE_SIGNED_OUT


def test_logging_out_closes_the_socket_and_disabling_closes_every_one(
    clients: dict[str, TestClient], credentials: dict[str, Any], sessions: sessionmaker[Session],
    redis: Redis,
) -> None:
    agent = credentials["users"]["agent"]
    sign_in(clients["agent"], agent["username"], agent["password"])
    sign_in(clients["agent-2"], agent["username"], agent["password"])
    csrf = _META.search(clients["agent"].get("/console/admin/users").text)
    assert csrf and csrf.group(1)
    with ExitStack() as stack:
        first = connect(stack, clients["agent"])
        second = connect(stack, clients["agent-2"])
        out = clients["agent"].post("/console/logout", data={"csrf_token": csrf.group(1)},
                                    follow_redirects=False)
        assert out.status_code == 303
        with pytest.raises(WebSocketDisconnect) as closed:
            first.receive_json()
        assert closed.value.code == CLOSE_SIGNED_OUT
        with pytest.raises(WebSocketDisconnect):
            with clients["agent"].websocket_connect("/console/ws", headers=ORIGIN):
                pass
        with sessions() as session:
            user_id = session.scalar(select(User.id).where(User.username == "agent"))
        assert user_id is not None
        SessionStore(redis, 30).end_all_of_user(user_id)
        with pytest.raises(WebSocketDisconnect) as closed:
            second.receive_json()
        assert closed.value.code == CLOSE_SIGNED_OUT


def test_a_failed_intake_is_announced_to_hotline_consoles_only(
    clients: dict[str, TestClient], credentials: dict[str, Any], redis: Redis,
) -> None:
    tokens = {role: sign_in(clients[role], credentials["users"][role]["username"],
                            credentials["users"][role]["password"])
              for role in ("agent", "township")}
    with ExitStack() as stack:
        agent, township = connect(stack, clients["agent"]), connect(stack, clients["township"])
        redis.publish("hotline:events", json.dumps(
            {"type": "intake_failed", "intake_id": "abc", "error": "ValueError"}))
        redis.publish(SESSIONS_CHANNEL, json.dumps(
            {"type": "logout", "session_id": session_id_of(tokens["township"])}))
        assert agent.receive_json() == {"type": "intake_failed", "intake_id": "abc",
                                        "error": "ValueError"}
        with pytest.raises(WebSocketDisconnect) as closed:
            township.receive_json()
        assert closed.value.code == CLOSE_SIGNED_OUT
