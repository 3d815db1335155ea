"""How an SLA clock looks on a screen: its colour level and time left, judged at `now`.

The scheduler marks clocks warned and breached; the screen also judges by the
times themselves so that a late scheduler never shows a breached clock as green.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.tables import Clock

LIVE_STATES = ("running", "warned", "breached")
CLOCK_NAMES = {
    "dispatch": "分派", "accept": "签收", "first_contact": "首次联系", "advance_aid": "先行救助",
    "resolve": "办结", "followup": "回访",
}
LEVEL_NAMES = {"running": "计时中", "warned": "即将超时", "breached": "已超时", "paused": "已暂停",
               "stopped": "已停止"}
_RANK = {"stopped": 0, "paused": 1, "running": 2, "warned": 3, "breached": 4}


def clock_level(clock: Clock, now: dt.datetime) -> str:
    if clock.state not in LIVE_STATES:
        return "stopped"
    if clock.paused_at is not None:
        return "paused"
    if clock.state == "breached" or clock.deadline <= now:
        return "breached"
    if clock.state == "warned" or clock.warn_at <= now:
        return "warned"
    return "running"


def clock_name(kind: str) -> str:
    base, _, category = kind.partition(":")
    return CLOCK_NAMES.get(base, base) + (f"（{category}）" if category else "")


def clock_display(clock: Clock, now: dt.datetime) -> dict[str, Any]:
    level = clock_level(clock, now)
    return {
        "id": clock.id, "kind": clock.kind, "name": clock_name(clock.kind),
        "assignment_id": clock.assignment_id, "state": clock.state, "level": level,
        "level_name": LEVEL_NAMES[level], "duration": clock.duration,
        "deadline": clock.deadline.isoformat(),
        "remaining_s": int((clock.deadline - now).total_seconds()),
    }


def most_pressing(clocks: list[Clock], now: dt.datetime) -> dict[str, Any] | None:
    """The live clock that breaches first (or has breached); None when none is running."""
    live = [c for c in clocks if clock_level(c, now) not in ("stopped", "paused")]
    if not live:
        return None
    return clock_display(min(live, key=lambda c: c.deadline), now)


def worst_level(clocks: list[Clock], now: dt.datetime) -> str:
    levels = [clock_level(c, now) for c in clocks]
    return max(levels, key=lambda level: _RANK[level]) if levels else "stopped"
