"""Jinja2 templates of the console, and `render`, which hands every page the same context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from agents_ui.app import deps_of
from agents_ui.auth import current_user
from cases.accounts import ROLE_NAMES
from cases.workflow import ACTION_NAMES, STATE_NAMES
from routing.duration import parse_duration

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
BEIJING = ZoneInfo("Asia/Shanghai")


def local_time(value: str | dt.datetime | None) -> str:
    """Times as people here read them: Beijing time, to the minute."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def duration_text(value: str) -> str:
    """"3wd" → "3个工作日"; what the policy file says, in words."""
    try:
        return parse_duration(value).describe()
    except ValueError:
        return value


templates.env.filters["local_time"] = local_time
templates.env.filters["duration_text"] = duration_text

URGENCY_NAMES = {"critical": "特急", "urgent": "紧急", "normal": "一般"}
HOTLINE_NAME = "12349社会救助服务热线"


def common_context(request: Request) -> dict[str, Any]:
    deps = deps_of(request)
    user = current_user(request)
    catalogue = deps.catalogue
    tree_cache: list[Any] = []

    def unit_name(code: str | None) -> str:
        """A unit's Chinese name; the jurisdiction tree is read only when a page asks."""
        if not code:
            return ""
        if code in catalogue.departments:
            return catalogue.departments[code]
        if code == "hotline":
            return HOTLINE_NAME
        if not tree_cache:
            tree_cache.append(deps.tree())
        unit = tree_cache[0].get(code)
        return str(unit.name) if unit is not None else code

    return {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "role_names": ROLE_NAMES,
        "state_names": STATE_NAMES,
        "action_names": ACTION_NAMES,
        "urgency_names": URGENCY_NAMES,
        "category_names": {code: c.name for code, c in catalogue.categories.items()},
        "department_names": dict(catalogue.departments),
        "unit_name": unit_name,
    }


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render a template with the signed-in user, CSRF token and the names of things."""
    full = common_context(request)
    full.update(context)
    return templates.TemplateResponse(request, name, full, status_code=status_code)
