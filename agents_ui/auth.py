"""Who is signed in, and the `requires` guard every console endpoint wears.

Pages answer a signed-out visitor with a redirect to the login page, JSON
endpoints with 401; a wrong role gets 403 (a page or JSON, in Chinese). With
`csrf=True` the request must carry the session's CSRF token in the
`X-CSRF-Token` header or the `csrf_token` form field.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.websockets import WebSocket

from agents_ui.app import deps_of
from agents_ui.sessions import SessionStore
from cases.access import Viewer
from cases.accounts import ROLES

SESSION_COOKIE = "hotline_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class SessionUser:
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str
    session_id: str
    csrf_token: str


def session_store(connection: HTTPConnection) -> SessionStore:
    deps = deps_of(connection)
    return SessionStore(deps.redis, deps.session_idle_minutes)


def current_user(request: HTTPConnection) -> SessionUser | None:
    """The signed-in user of this request (looked up once per request), or None."""
    if "hotline_user" in request.scope:
        cached: SessionUser | None = request.scope["hotline_user"]
        return cached
    user: SessionUser | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        stored = session_store(request).get(token)
        if stored is not None:
            user = SessionUser(
                id=stored.user_id, username=stored.username, display_name=stored.display_name,
                role=stored.role, unit_code=stored.unit_code, session_id=stored.session_id,
                csrf_token=stored.csrf_token,
            )
    request.scope["hotline_user"] = user
    return user


def user_for_websocket(websocket: WebSocket) -> SessionUser | None:
    return current_user(websocket)


def viewer_of(user: SessionUser) -> Viewer:
    return Viewer(kind="user", name=user.username, role=user.role, unit_code=user.unit_code)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/console/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status_code: int, message: str) -> Response:
    """A Chinese error as JSON or as a page in the console's layout."""
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status_code)
    from agents_ui.templating import render  # the templates import this module

    return render(request, "base.html", status_code=status_code, message=message)


async def csrf_ok(request: Request, user: SessionUser) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # Starlette keeps the parsed form on the request; the endpoint reads it again.
            field = (await request.form()).get(CSRF_FIELD)
            sent = field if isinstance(field, str) else None
    return sent is not None and secrets.compare_digest(sent, user.csrf_token)


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)


def requires(*roles: str, csrf: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Guard an endpoint: signed in, one of `roles` (admin always may), CSRF when `csrf`."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"requires() needs roles from {ROLES}, got {roles}")
    allowed = frozenset(roles) | {"admin"}

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                if wants_json(request):
                    return JSONResponse({"error": "请先登录"}, status_code=401)
                return login_redirect(request)
            if user.role not in allowed:
                return error_response(request, 403, "您的角色无权进行此操作")
            if csrf and not await csrf_ok(request, user):
                return error_response(request, 403, "请求校验失败（CSRF），请刷新页面后重试")
            return await endpoint(request)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        guarded.checks_csrf = csrf  # type: ignore[attr-defined]
        return guarded

    return decorate
