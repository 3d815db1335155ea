"""May this user (or machine client) see this case? Checked on every read, not just on lists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.tables import Assignment, Case, Intake, Unit

HOTLINE_WIDE = ("agent", "admin")


@dataclass(frozen=True)
class Viewer:
    kind: str  # user | client
    name: str  # username or client name
    role: str | None = None  # for users
    unit_code: str | None = None
    channel: str | None = None  # for clients


def units_below(session: Session, code: str) -> set[str]:
    """The unit and every unit under it in the jurisdiction tree."""
    found = {code}
    frontier = [code]
    while frontier:
        children = session.scalars(select(Unit.code).where(Unit.parent_code.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def may_see(session: Session, viewer: Viewer, case: Case) -> bool:
    if viewer.kind == "client":
        if viewer.channel == "call":
            return True
        intake = session.get(Intake, case.intake_id)
        return intake is not None and intake.source == viewer.name
    role = viewer.role
    if role in HOTLINE_WIDE:
        return True
    if role == "supervisor" and viewer.unit_code:
        return case.accepting_unit is None or case.accepting_unit in units_below(
            session, viewer.unit_code
        )
    if role == "township" and viewer.unit_code:
        return case.accepting_unit == viewer.unit_code
    if role == "department" and viewer.unit_code:
        return session.scalars(
            select(Assignment.id).where(
                Assignment.case_id == case.id, Assignment.department == viewer.unit_code
            )
        ).first() is not None
    if role == "grassroots":
        intake = session.get(Intake, case.intake_id)
        return intake is not None and intake.source == viewer.name
    return False
