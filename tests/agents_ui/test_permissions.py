"""Every route of the app × every role × own / other unit, against `agents_ui.permissions`.

A route that the table does not list fails here, and so does a table entry with
no route. For each console route every role is tried: the roles the table names
must get through (not 401/403, not sent to the login page), the others get 403,
a signed-out visitor 401 (JSON) or the login page; state-changing requests
without the CSRF token are refused. Routes about one case are tried with a case
of the user's own unit and one of another unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from agents_ui.deps import ConsoleDeps
from agents_ui.permissions import PERMISSIONS, Permission
from cases.accounts import create_user
from cases.people import PersonData
from hotline.app import create_app
from intake.services import IntakeServices
from tests.agents_ui.test_auth import csrf_of, login_response
from tests.cases.test_actions import make_case

BAISHI, LONGQUAN = "530329102000", "530329103000"
ROLES = ("agent", "township", "department", "grassroots", "supervisor", "admin")
HOTLINE_WIDE = ("agent", "admin")
ORIGIN = {"origin": "http://testserver"}


def route_keys(app: Starlette) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for route in app.routes:
        if isinstance(route, Route):
            methods = sorted((route.methods or {"GET"}) - {"HEAD"})
            for method in methods:
                keys[f"{method} {route.path}"] = route
        elif isinstance(route, WebSocketRoute):
            keys[f"WS {route.path}"] = route
        elif isinstance(route, Mount):
            keys[f"MOUNT {route.path}"] = route
        else:
            keys[f"? {route!r}"] = route
    return keys


@dataclass
class World:
    app: Starlette
    own_case: int
    other_case: int
    clients: dict[str, TestClient]
    csrf: dict[str, str]
    anonymous: TestClient

    def url(self, path: str, case_id: int | None = None) -> str:
        return (path.replace("{case_id:int}", str(case_id or self.own_case))
                .replace("{user_id:int}", "999999").replace("{intake_id}", "0" * 32)
                .replace("{call_id}", "no-such-call").replace("{action}", "reveal"))


@pytest.fixture
def world(services: IntakeServices, console_deps: ConsoleDeps, credentials: dict[str, Any],
          sessions: sessionmaker[Session]) -> Iterator[World]:
    """Two cases (白石镇/社会救助股/reported by the demo grassroots worker, and 龙泉镇/医保局),
    a client signed in for every role; the supervisor is one of 白石镇, so 龙泉镇 is not theirs."""
    with sessions() as session:
        own = make_case(session, message_id="own", accepting=BAISHI, lead="mz_jz",
                        channel="referral", source="grassroots")
        other = make_case(session, message_id="other", accepting=LONGQUAN, lead="yb",
                          person=PersonData(name="钱多多", phone="+8613900002222"))
        create_user(session, username="supervisor-baishi", password="s3cret-Baishi!",
                    role="supervisor", unit_code=BAISHI, display_name="白石镇督办 孙丽",
                    now=dt.datetime.now(dt.UTC))
        session.commit()
        own_id, other_id = own.id, other.id
    app = create_app(services, console_deps)
    clients = {role: TestClient(app) for role in ROLES}
    anonymous = TestClient(app)
    for client in [*clients.values(), anonymous]:
        client.__enter__()
    try:
        csrf = {}
        for role, client in clients.items():
            if role == "supervisor":
                username, password = "supervisor-baishi", "s3cret-Baishi!"
            else:
                username = credentials["users"][role]["username"]
                password = credentials["users"][role]["password"]
            assert login_response(client, username, password).status_code == 303
            csrf[role] = csrf_of(client)
        yield World(app, own_id, other_id, clients, csrf, anonymous)
    finally:
        for client in [*clients.values(), anonymous]:
            client.__exit__(None, None, None)


def call(client: TestClient, key: str, url: str, csrf: str | None) -> Any:
    method = key.split(" ", 1)[0]
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    return client.request(method, url, json={}, headers=headers, follow_redirects=False)


def sent_to_login(response: Any) -> bool:
    """Refused for want of a session (logging out also ends at the login page, without `next`)."""
    location = str(response.headers.get("location", ""))
    return bool(response.status_code == 303 and location.startswith("/console/login?next="))


def test_every_route_is_in_the_table_and_every_entry_is_a_route(world: World) -> None:
    keys = set(route_keys(world.app))
    assert sorted(keys - set(PERMISSIONS)) == [], "routes missing from agents_ui/permissions.py"
    assert sorted(set(PERMISSIONS) - keys) == [], "table entries with no route"


def test_the_guards_agree_with_the_table(world: World) -> None:
    """Each endpoint's own `requires(...)` names the same roles and CSRF rule as the table."""
    for key, route in route_keys(world.app).items():
        permission = PERMISSIONS[key]
        if permission.auth != "session" or not isinstance(route, Route):
            continue
        assert getattr(route.endpoint, "allowed_roles", None) == permission.roles, key
        assert getattr(route.endpoint, "checks_csrf", None) == (not key.startswith("GET ")), key


def session_keys(*auth: str) -> list[str]:
    """Table keys of these kinds that plain HTTP can call; logging out comes last."""
    return sorted((k for k, p in PERMISSIONS.items() if p.auth in auth and not k.startswith(
        ("WS ", "MOUNT "))), key=lambda k: k == "POST /console/logout")


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world: World, role: str) -> None:
    client, csrf = world.clients[role], world.csrf[role]
    wrong: list[str] = []
    for key in session_keys("session", "token"):
        permission: Permission = PERMISSIONS[key]
        url = world.url(key.split(" ", 1)[1])
        if not key.startswith("GET "):
            refused = call(client, key, url, None)
            if refused.status_code != 403:
                wrong.append(f"{key}: without CSRF → {refused.status_code}, expected 403")
        response = call(client, key, url, csrf)
        if role in permission.roles:
            if response.status_code in (401, 403) or sent_to_login(response):
                wrong.append(f"{key}: {role} may, got {response.status_code} {response.text[:80]}")
        elif response.status_code != 403:
            wrong.append(f"{key}: {role} may not, got {response.status_code}")
    assert wrong == []


def test_signed_out(world: World) -> None:
    wrong: list[str] = []
    for key in session_keys("session", "token"):
        path = key.split(" ", 1)[1]
        response = call(world.anonymous, key, world.url(path), None)
        if path.startswith(("/console/api/", "/api/")):
            if response.status_code != 401:
                wrong.append(f"{key}: {response.status_code}, expected 401")
        elif not (sent_to_login(response) or response.status_code == 401):
            wrong.append(f"{key}: {response.status_code}, expected the login page")
    for key in session_keys("public"):
        response = call(world.anonymous, key, world.url(key.split(" ", 1)[1]), None)
        # POST /console/login without its form token is a 403 of its own CSRF check.
        if response.status_code == 401 or sent_to_login(response) or (
                response.status_code == 403 and key != "POST /console/login"):
            wrong.append(f"{key}: public, got {response.status_code}")
    assert wrong == []


def test_machine_routes_do_not_take_a_console_session(world: World) -> None:
    """An admin's browser session is no API key: every machine route still refuses it."""
    wrong = []
    for key in session_keys("machine"):
        response = call(world.clients["admin"], key, world.url(key.split(" ", 1)[1]),
                        world.csrf["admin"])
        if not 400 <= response.status_code < 500 or response.status_code == 404:
            wrong.append(f"{key}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_own_and_other_unit(world: World, role: str) -> None:
    client, csrf = world.clients[role], world.csrf[role]
    wrong: list[str] = []
    for key, permission in sorted(PERMISSIONS.items()):
        if not permission.object_level or role not in permission.roles:
            continue
        path = key.split(" ", 1)[1]
        own = call(client, key, world.url(path, world.own_case), csrf)
        if own.status_code in (401, 403, 404):
            wrong.append(f"{key}: own case → {own.status_code} {own.text[:80]}")
        other = call(client, key, world.url(path, world.other_case), csrf)
        if role in HOTLINE_WIDE and other.status_code in (401, 403, 404):
            wrong.append(f"{key}: hotline-wide role refused another unit's case")
        if role not in HOTLINE_WIDE and other.status_code not in (403, 404):
            wrong.append(f"{key}: other unit's case → {other.status_code}, expected 403/404")
    assert wrong == []


def test_websocket_takes_a_signed_in_user_only(world: World) -> None:
    assert PERMISSIONS["WS /console/ws"].roles == frozenset(ROLES)
    with pytest.raises(WebSocketDisconnect):
        with world.anonymous.websocket_connect("/console/ws", headers=ORIGIN) as socket:
            socket.receive_text()
    for role in ROLES:
        with world.clients[role].websocket_connect("/console/ws", headers=ORIGIN):
            pass
