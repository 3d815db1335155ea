"""Who may call each route of the app: the table the permission test matrix checks against.

Keys are "METHOD path" as the route declares its path ("GET" also covers HEAD;
"WS" a websocket, "MOUNT" a mounted app). A route missing here fails
`tests/agents_ui/test_permissions.py`, so a new route cannot slip in unguarded.

- `session` routes take a console sign-in; `roles` may call them (admin always),
  and every other method than GET also needs the session's CSRF token.
- `token` routes take a user's bearer token (`POST /api/v1/auth/token`) or a console
  session, with the same role rule; they only read, so no CSRF token.
- `machine` routes authenticate with an API key, an HMAC signature or a bearer
  token (intake/auth.py); a console session alone is not enough.
- `public` routes need nothing (the login page, health, static files).
- `object_level`: the route reads or changes one case and checks `may_see` on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.accounts import ROLES


@dataclass(frozen=True)
class Permission:
    auth: str  # session | token | machine | public
    roles: frozenset[str] = frozenset()
    object_level: bool = False


def session(*roles: str, object_level: bool = False) -> Permission:
    return Permission("session", frozenset(roles) | {"admin"}, object_level)


def token(*roles: str) -> Permission:
    return Permission("token", frozenset(roles) | {"admin"})


MACHINE = Permission("machine")
PUBLIC = Permission("public")
EVERYONE = tuple(r for r in ROLES if r != "admin")
HANDLERS = ("agent", "township", "department", "supervisor")  # grassroots only report and read

PERMISSIONS: dict[str, Permission] = {
    # health and the machine channels (intake/api.py, the phone system, SLA API)
    "GET /": PUBLIC,  # a redirect to the queue (or the API document)
    "GET /healthz": PUBLIC,
    "GET /api/v1/openapi.json": PUBLIC,
    "POST /api/v1/intake/call": MACHINE,
    "POST /api/v1/intake/app": MACHINE,
    "POST /api/v1/intake/referral": MACHINE,
    "POST /api/v1/auth/token": MACHINE,
    "GET /api/v1/intakes/{intake_id}": MACHINE,
    "GET /api/v1/cases/{case_id:int}": MACHINE,
    "GET /api/v1/people/lookup": MACHINE,
    "POST /api/v1/classify": MACHINE,
    "POST /api/v1/calls/events": MACHINE,
    "GET /api/v1/sla/at-risk": token(*HANDLERS),
    "GET /api/v1/sla/stats": token(*HANDLERS),
    # sign-in and users
    "GET /console/login": PUBLIC,
    "POST /console/login": PUBLIC,
    "POST /console/logout": session(*EVERYONE),
    "GET /console/admin/users": session("admin"),
    "POST /console/admin/users/{user_id:int}/disable": session("admin"),
    "POST /console/admin/users/{user_id:int}/enable": session("admin"),
    # cases: actions, reveal, search
    "POST /console/api/cases/{case_id:int}/actions/{action}": session(*HANDLERS,
                                                                       object_level=True),
    "POST /console/api/cases/{case_id:int}/reveal": session(*HANDLERS, object_level=True),
    "GET /console/api/search": session(*EVERYONE),
    "GET /console/search": session(*EVERYONE),
    "GET /console/supervise": session("supervisor"),
    # the agent's screens
    "WS /console/ws": session(*EVERYONE),
    "GET /console/queue": session(*EVERYONE),
    "GET /console/api/queue/{case_id:int}": session(*EVERYONE, object_level=True),
    "GET /console/api/intakes/{intake_id}": session(*EVERYONE),
    "GET /console/cases/{case_id:int}": session(*EVERYONE, object_level=True),
    "GET /console/api/calls/{call_id}": session("agent"),
    "POST /console/api/suggest": session("agent"),
    "GET /console/answers": session("agent"),
    "POST /console/answers": session("admin"),
    "GET /console/api/answers": session("agent"),
    "GET /console/cases/new": session("agent"),
    "POST /console/cases/new": session("agent"),
    "GET /console/intakes/{intake_id}": session("agent"),
    "POST /console/api/intakes/{intake_id}/follow-up": session("agent"),
    "MOUNT /static": PUBLIC,
}


def permission_for(key: str) -> Permission | None:
    return PERMISSIONS.get(key)
