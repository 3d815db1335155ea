"""Units: the jurisdiction tree, the departments and the hotline, as stored rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.tables import Unit

PLACE_KINDS = ("province", "city", "county", "township", "village")


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    parent_code: str | None
    aliases: tuple[str, ...] = ()


def upsert_units(session: Session, rows: Iterable[UnitRow]) -> tuple[int, int]:
    """Insert new units and update known ones; return (added, updated). The caller commits."""
    added = updated = 0
    for row in rows:
        unit = session.get(Unit, row.code)
        if unit is None:
            session.add(Unit(code=row.code, name=row.name, kind=row.kind,
                             parent_code=row.parent_code, aliases=list(row.aliases)))
            added += 1
        elif (unit.name, unit.kind, unit.parent_code, list(unit.aliases or [])) != (
            row.name, row.kind, row.parent_code, list(row.aliases)
        ):
            unit.name, unit.kind, unit.parent_code = row.name, row.kind, row.parent_code
            unit.aliases = list(row.aliases)
            updated += 1
    session.flush()
    return added, updated


def place_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind.in_(PLACE_KINDS)).order_by(Unit.code)))


def units_by_kind(session: Session, kind: str) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind == kind).order_by(Unit.code)))


def unit_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
