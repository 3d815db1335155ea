"""What a fired SLA timer does to its case: timeline events and escalation up the tree.

A breach raises the case to level 1 (one level above its accepting unit:
乡→县; a case without one goes to the county), the second escalation (200%)
to level 2 (县→市). Levels never go down, and several clocks breaching do not
push the case further than the furthest of them: the level says who
supervises the case now, not how many clocks ran out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cases.tables import Case, Clock, Event
from routing.jurisdiction import JurisdictionError, JurisdictionTree
from routing.sla_policy import CLOCK_NAMES

ACTOR = "sla"
STAGE_LEVELS = {"warn": 0, "breach": 1, "breach2": 2}
STAGE_EVENTS = {"warn": "sla_warned", "breach": "sla_breached", "breach2": "sla_breached"}

TreeSource = JurisdictionTree | Callable[[], JurisdictionTree]


def tree_of(source: TreeSource) -> JurisdictionTree:
    return source if isinstance(source, JurisdictionTree) else source()


def escalation_chain(tree: JurisdictionTree, accepting_unit: str | None) -> list[str | None]:
    """Who supervises the case at level 0, 1, 2…: its unit, then each level above it.

    Level 0 of a case without an accepting unit is the hotline itself (None).
    """
    if accepting_unit is None or accepting_unit not in tree:
        chain: list[str | None] = [None]
        try:
            code: str | None = tree.county().code
        except JurisdictionError:  # no tree imported yet: nobody above the hotline
            code = None
    else:
        chain = [accepting_unit]
        target = tree.escalation_target(accepting_unit)
        code = target.code if target is not None else None
    while code is not None:
        chain.append(code)
        parent = tree.escalation_target(code)
        code = parent.code if parent is not None else None
    return chain


def level_unit(tree: JurisdictionTree, case: Case, level: int) -> tuple[str | None, str]:
    """(code, name) of the unit that supervises `case` at `level`; the top stays the top."""
    chain = escalation_chain(tree, case.accepting_unit)
    code = chain[min(level, len(chain) - 1)]
    if code is None:
        return None, "12349热线"
    unit = tree.get(code)
    return code, unit.name if unit is not None else code


def record_fire(
    session: Session,
    case: Case,
    clock: Clock,
    stage: str,
    due: datetime,
    at: datetime,
    late: bool,
    tree: JurisdictionTree,
) -> list[Event]:
    """The events of one fired timer, added to the session; the case escalated if due."""
    target = STAGE_LEVELS[stage]
    level = max(case.escalation_level, target)
    code, name = level_unit(tree, case, level)
    data: dict[str, Any] = {
        "clock": clock.kind, "clock_name": CLOCK_NAMES.get(clock.kind, clock.kind),
        "clock_id": clock.id, "assignment_id": clock.assignment_id,
        "deadline": clock.deadline.isoformat(), "due": due.isoformat(),
        "second": stage == "breach2", "late": late,
        "level": level, "level_unit": code, "level_name": name,
    }
    events = [Event(case_id=case.id, at=at, kind=STAGE_EVENTS[stage], actor=ACTOR, data=data)]
    if target > case.escalation_level:
        case.escalation_level = target
        events.append(Event(case_id=case.id, at=at, kind="escalated", actor=ACTOR,
                            data={**data, "message": _message(clock, name, stage)}))
    case.updated_at = at
    session.add_all(events)
    return events


def _message(clock: Clock, unit_name: str, stage: str) -> str:
    clock_name = CLOCK_NAMES.get(clock.kind, clock.kind)
    how = "超时已达两倍" if stage == "breach2" else "已超时"
    return f"{clock_name}时限{how}，升级至{unit_name}督办"
