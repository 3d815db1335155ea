"""Sign-in: sessions in Redis, logout and disabling end them at once, throttling, CSRF, cookies."""

from __future__ import annotations

import json
import re
from typing import Any

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.auth import SESSION_COOKIE
from agents_ui.deps import ConsoleDeps
from agents_ui.sessions import SESSIONS_CHANNEL, SessionStore, session_id_of
from agents_ui.throttle import ACCOUNT_RULE, ADDRESS_RULE
from cases.tables import User
from hotline.app import create_app
from intake.services import IntakeServices

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def login_response(client: TestClient, username: str, password: str, next_path: str = "") -> Any:
    page = client.get("/console/login")
    match = _CSRF.search(page.text)
    assert match, page.text
    return client.post("/console/login", data={
        "username": username, "password": password, "csrf_token": match.group(1), "next": next_path,
    }, follow_redirects=False)


def sign_in(client: TestClient, credentials: dict[str, Any], role: str) -> str:
    """Sign the client in as the demo user of `role`; returns the session's CSRF token."""
    user = credentials["users"][role]
    response = login_response(client, user["username"], user["password"])
    assert response.status_code == 303, response.text
    return csrf_of(client)


def session_cookie_header(response: Any) -> str:
    return str(next(h for h in response.headers.get_list("set-cookie")
                    if h.startswith(SESSION_COOKIE)))


def csrf_of(client: TestClient) -> str:
    page = client.get("/console/admin/users")  # any page renders the meta tag, even a 403
    match = _META.search(page.text)
    assert match and match.group(1), page.text
    return match.group(1)


def test_login_sets_a_server_side_session_cookie(console: TestClient, credentials: dict[str, Any],
                                                  redis: Redis) -> None:
    user = credentials["users"]["agent"]
    response = login_response(console, user["username"], user["password"], "/console/search?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/search?q=x"
    cookie = session_cookie_header(response)
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()
    token = console.cookies[SESSION_COOKIE]
    stored = SessionStore(redis, 30).get(token)
    assert stored is not None and stored.username == "agent" and stored.role == "agent"
    assert redis.ttl(f"hotline:session:{session_id_of(token)}") == 30 * 60


def test_an_outside_next_goes_home_instead(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    user = credentials["users"]["agent"]
    for target in ("//evil.example/", "https://evil.example/", "/api/v1/classify"):
        console.cookies.clear()
        response = login_response(console, user["username"], user["password"], target)
        assert response.headers["location"] == "/console/queue"


def test_wrong_password_is_refused_in_chinese(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    response = login_response(console, "agent", "not-the-password")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    assert SESSION_COOKIE not in console.cookies


def test_login_without_the_form_token_is_refused(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    user = credentials["users"]["agent"]
    console.get("/console/login")
    response = console.post("/console/login", data={
        "username": user["username"], "password": user["password"], "csrf_token": "forged",
    }, follow_redirects=False)
    assert response.status_code == 403
    assert SESSION_COOKIE not in console.cookies


def test_signed_out_pages_redirect_and_api_answers_401(console: TestClient) -> None:
    page = console.get("/console/admin/users", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2Fadmin%2Fusers"
    api = console.post("/console/api/cases/1/reveal")
    if api.status_code != 404:  # present once the actions module is registered
        assert api.status_code == 401 and api.json() == {"error": "请先登录"}


def test_account_is_locked_after_repeated_failures(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    user = credentials["users"]["township"]
    for _ in range(ACCOUNT_RULE.limit):
        assert login_response(console, user["username"], "wrong").status_code == 400
    locked = login_response(console, user["username"], user["password"])
    assert locked.status_code == 429
    assert "登录失败次数过多，请15分钟后再试" in locked.text
    assert int(locked.headers["retry-after"]) <= ACCOUNT_RULE.window_seconds
    # Another account from the same address is not locked by this one's failures.
    assert login_response(console, credentials["users"]["agent"]["username"],
                          credentials["users"]["agent"]["password"]).status_code == 303


def test_address_is_locked_after_many_failures_across_accounts(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    for i in range(ADDRESS_RULE.limit):
        assert login_response(console, f"nobody{i}", "wrong").status_code == 400
    user = credentials["users"]["agent"]
    locked = login_response(console, user["username"], user["password"])
    assert locked.status_code == 429
    assert "分钟后再试" in locked.text


def test_success_clears_the_account_count(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    user = credentials["users"]["department"]
    for _ in range(ACCOUNT_RULE.limit - 1):
        login_response(console, user["username"], "wrong")
    assert login_response(console, user["username"], user["password"]).status_code == 303
    console.cookies.clear()
    for _ in range(ACCOUNT_RULE.limit - 1):
        login_response(console, user["username"], "wrong")
    assert login_response(console, user["username"], user["password"]).status_code == 303


def test_logout_needs_csrf_and_ends_the_session_at_once(
    console: TestClient, credentials: dict[str, Any], redis: Redis
) -> None:
    csrf = sign_in(console, credentials, "agent")
    token = console.cookies[SESSION_COOKIE]
    refused = console.post("/console/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(SESSIONS_CHANNEL)
    pubsub.get_message(timeout=1)
    done = console.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/login"
    message = pubsub.get_message(timeout=2)
    assert message is not None
    assert json.loads(message["data"]) == {"type": "logout", "session_id": session_id_of(token)}
    # The old cookie, replayed, no longer signs anyone in.
    console.cookies.set(SESSION_COOKIE, token)
    assert console.get("/console/admin/users", follow_redirects=False).status_code == 303


def test_sliding_idle_timeout(redis: Redis) -> None:
    store = SessionStore(redis, idle_minutes=2)
    token, stored = store.create(user_id=1, username="a", display_name="A", role="agent",
                                 unit_code="hotline")
    key = f"hotline:session:{stored.session_id}"
    redis.expire(key, 5)
    assert store.get(token) is not None
    assert redis.ttl(key) == 120
    redis.delete(key)  # what expiry does when the user stays idle
    assert store.get(token) is None


def test_secure_cookie_when_served_over_https(
    services: IntakeServices, console_deps: ConsoleDeps, credentials: dict[str, Any]
) -> None:
    console_deps.secure_cookies = True
    with TestClient(create_app(services, console_deps), base_url="https://testserver") as client:
        user = credentials["users"]["agent"]
        response = login_response(client, user["username"], user["password"])
        cookie = session_cookie_header(response)
        assert "secure" in cookie.lower()


def test_disabling_a_user_ends_their_sessions_at_once(
    services: IntakeServices, console_deps: ConsoleDeps, credentials: dict[str, Any],
    sessions: sessionmaker[Session], redis: Redis,
) -> None:
    app = create_app(services, console_deps)
    with TestClient(app) as admin, TestClient(app) as township:
        admin_csrf = sign_in(admin, credentials, "admin")
        sign_in(township, credentials, "township")
        assert township.get("/console/login", follow_redirects=False).status_code == 303
        with sessions() as session:
            user_id = session.scalars(select(User.id).where(User.username == "township")).one()
        listing = admin.get("/console/admin/users")
        assert f"/console/admin/users/{user_id}/disable" in listing.text
        pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
        pubsub.subscribe(SESSIONS_CHANNEL)
        pubsub.get_message(timeout=1)
        no_token = admin.post(f"/console/admin/users/{user_id}/disable", follow_redirects=False)
        assert no_token.status_code == 403
        done = admin.post(f"/console/admin/users/{user_id}/disable",
                          data={"csrf_token": admin_csrf}, follow_redirects=True)
        assert "已停用用户 township" in done.text
        message = pubsub.get_message(timeout=2)
        assert message is not None
        assert json.loads(message["data"]) == {"type": "logout", "user_id": user_id}
        assert township.get("/console/admin/users", follow_redirects=False).status_code == 303
        township.cookies.clear()
        password = credentials["users"]["township"]["password"]
        assert login_response(township, "township", password).status_code == 400
        admin.post(f"/console/admin/users/{user_id}/enable", data={"csrf_token": admin_csrf})
        assert login_response(township, "township", password).status_code == 303


def test_only_admins_manage_users(
    console: TestClient, credentials: dict[str, Any]
) -> None:
    sign_in(console, credentials, "supervisor")
    page = console.get("/console/admin/users")
    assert page.status_code == 403 and "无权" in page.text


def test_an_admin_cannot_disable_themselves(console: TestClient, credentials: dict[str, Any],
                                             sessions: sessionmaker[Session]) -> None:
    csrf = sign_in(console, credentials, "admin")
    with sessions() as session:
        admin_id = session.scalars(select(User.id).where(User.username == "admin")).one()
    response = console.post(f"/console/admin/users/{admin_id}/disable", data={"csrf_token": csrf})
    assert response.status_code == 409 and "不能停用" in response.text


def test_expired_sessions_leave_the_users_index(redis: Redis) -> None:
    store = SessionStore(redis, idle_minutes=5)
    _, first = store.create(user_id=7, username="a", display_name="A", role="agent",
                            unit_code="hotline")
    redis.delete(f"hotline:session:{first.session_id}")  # timed out
    _, second = store.create(user_id=7, username="a", display_name="A", role="agent",
                             unit_code="hotline")
    members = {m.decode() if isinstance(m, bytes) else m
               for m in redis.smembers("hotline:user-sessions:7")}
    assert members == {second.session_id}
    assert store.end_all_of_user(7) == 1


def test_signing_in_again_ends_the_previous_session(
    console: TestClient, credentials: dict[str, Any], redis: Redis
) -> None:
    sign_in(console, credentials, "agent")
    first = console.cookies[SESSION_COOKIE]
    user = credentials["users"]["agent"]
    page = console.get("/console/login?next=/console/search", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/search"
    # A login form opened in another tab, posted while this one is still signed in.
    console.cookies.clear()
    form_token = _CSRF.search(console.get("/console/login").text)
    assert form_token
    console.cookies.set(SESSION_COOKIE, first)
    response = console.post("/console/login", data={
        "username": user["username"], "password": user["password"],
        "csrf_token": form_token.group(1), "next": ""}, follow_redirects=False)
    assert response.status_code == 303
    assert SessionStore(redis, 30).get(first) is None
    assert first not in session_cookie_header(response)
