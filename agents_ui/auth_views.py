"""Login, logout, and the admin's page to disable and enable users."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    current_user,
    error_response,
    requires,
    session_store,
)
from agents_ui.templating import render
from agents_ui.throttle import LoginThrottle
from cases.accounts import authenticate
from cases.tables import User

LOGIN_CSRF_COOKIE = "hotline_login_csrf"
HOME = "/console/queue"


def safe_next(target: str | None) -> str:
    """Only a path of this console; anything else (another site, `//evil`) goes home."""
    if not target or not target.startswith("/console/") or "\\" in target:
        return HOME
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_page(request: Request, *, status_code: int = 200, message: str = "", username: str = "",
               next_path: str = HOME) -> Response:
    # Before sign-in no session holds a CSRF token: a cookie and the form field must match.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status_code=status_code, message=message,
                      username=username, next=next_path, login_csrf=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=deps_of(request).secure_cookies, path="/console/login")
    return response


async def login_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if current_user(request) is not None:
        return RedirectResponse(next_path, status_code=303)
    return login_page(request, next_path=next_path)


async def login(request: Request) -> Response:
    deps = deps_of(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent_token = str(form.get(CSRF_FIELD, ""))
    if not cookie_token or not secrets.compare_digest(cookie_token, sent_token):
        return login_page(request, status_code=403, message="页面已过期，请重新登录",
                          username=username, next_path=next_path)
    if not username or not password:
        return login_page(request, status_code=400, message="请输入用户名和密码",
                          username=username, next_path=next_path)
    address = client_address(request)
    throttle = LoginThrottle(deps.redis)
    refusal = throttle.check(username, address)
    if refusal is not None:
        response = login_page(request, status_code=429, message=refusal.message,
                              username=username, next_path=next_path)
        response.headers["Retry-After"] = str(refusal.wait_seconds)
        return response

    def check() -> User | None:
        with deps.sessions() as session:
            user = authenticate(session, username, password)
            if user is not None:
                session.expunge(user)
            return user

    user = await run_in_threadpool(check)
    if user is None:
        throttle.failed(username, address)
        return login_page(request, status_code=400, message="用户名或密码错误",
                          username=username, next_path=next_path)
    throttle.succeeded(username, address)
    store = session_store(request)
    previous = current_user(request)
    if previous is not None:  # signing in again replaces the session, never keeps two
        store.end(previous.session_id)
    token, _ = store.create(
        user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        unit_code=user.unit_code,
    )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=deps.secure_cookies, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@requires("agent", "township", "department", "grassroots", "supervisor", csrf=True)
async def logout(request: Request) -> Response:
    user = current_user(request)
    assert user is not None  # requires() let the request through
    session_store(request).end(user.session_id)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=deps_of(request).secure_cookies)
    return response


@requires("admin")
async def admin_users(request: Request) -> Response:
    def load() -> list[User]:
        with deps_of(request).sessions() as session:
            users = list(session.scalars(select(User).order_by(User.role, User.username)))
            session.expunge_all()
            return users

    users = await run_in_threadpool(load)
    return render(request, "admin_users.html", users=users,
                  message=request.query_params.get("done", ""))


async def _set_active(request: Request, active: bool) -> Response:
    me = current_user(request)
    assert me is not None
    user_id = int(request.path_params["user_id"])
    if user_id == me.id:
        return error_response(request, 409, "不能停用或启用自己的账号")

    def change() -> str | None:
        with deps_of(request).sessions() as session:
            user = session.get(User, user_id)
            if user is None:
                return None
            user.active = active
            session.commit()
            return user.username

    username = await run_in_threadpool(change)
    if username is None:
        return error_response(request, 404, "没有这个用户")
    if not active:
        session_store(request).end_all_of_user(user_id)
    done = f"已{'启用' if active else '停用'}用户 {username}"
    return RedirectResponse(f"/console/admin/users?done={done}", status_code=303)


@requires("admin", csrf=True)
async def disable_user(request: Request) -> Response:
    return await _set_active(request, False)


@requires("admin", csrf=True)
async def enable_user(request: Request) -> Response:
    return await _set_active(request, True)


routes: list[BaseRoute] = [
    Route("/console/login", login_form, methods=["GET"]),
    Route("/console/login", login, methods=["POST"]),
    Route("/console/logout", logout, methods=["POST"]),
    Route("/console/admin/users", admin_users, methods=["GET"]),
    Route("/console/admin/users/{user_id:int}/disable", disable_user, methods=["POST"]),
    Route("/console/admin/users/{user_id:int}/enable", enable_user, methods=["POST"]),
]
