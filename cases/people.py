"""People linked across cases by normalised phone and ID number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from cases.db import table_of
from cases.tables import Case, Person


@dataclass(frozen=True)
class PersonData:
    name: str | None = None
    phone: str | None = None  # E.164, already validated
    id_number: str | None = None  # validated
    address: str | None = None
    village_code: str | None = None
    tags: tuple[str, ...] = field(default=())

    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.id_number)


# Built once (this runs in every case opening): Core statements over the people table.
_PEOPLE = table_of(Person)
_KNOWN = select(_PEOPLE.c.id, _PEOPLE.c.name, _PEOPLE.c.phone, _PEOPLE.c.id_number,
                _PEOPLE.c.address, _PEOPLE.c.village_code, _PEOPLE.c.tags)
_BY_ID_NUMBER = _KNOWN.where(_PEOPLE.c.id_number == bindparam("id_number"))


def _by_phone(named: bool, without_id_number: bool) -> Select[Any]:
    query = _KNOWN.where(_PEOPLE.c.phone == bindparam("phone"))
    if named:
        query = query.where(or_(_PEOPLE.c.name == bindparam("name"), _PEOPLE.c.name.is_(None)))
    if without_id_number:
        query = query.where(_PEOPLE.c.id_number.is_(None))
    return query.order_by(_PEOPLE.c.id).limit(1)


_BY_PHONE = {(named, bare): _by_phone(named, bare) for named in (False, True) for bare in (False, True)}
_INSERT = insert(_PEOPLE).returning(_PEOPLE.c.id)
_FIELDS = ("name", "phone", "id_number", "address", "village_code")


def link_person(session: Session, data: PersonData, now: dt.datetime) -> int | None:
    """The id of the person, found by ID number, else by phone and name; created otherwise.

    Details learnt from this request fill gaps in the stored record; they never
    overwrite what is there (a later caller may be wrong about a name).
    """
    if data.is_empty():
        return None
    found = None
    if data.id_number:
        found = session.execute(_BY_ID_NUMBER, {"id_number": data.id_number}).first()
    if found is None and data.phone:
        query = _BY_PHONE[bool(data.name), bool(data.id_number)]
        found = session.execute(query, {"phone": data.phone, "name": data.name}).first()
    if found is None:
        new_id: int = session.execute(_INSERT, {
            **{name: getattr(data, name) for name in _FIELDS},
            "tags": list(data.tags), "created_at": now,
        }).scalar_one()
        return new_id
    gaps: dict[str, object] = {name: getattr(data, name) for name in _FIELDS
                               if getattr(data, name) and not getattr(found, name)}
    tags = sorted(set(found.tags or []) | set(data.tags))
    if tags != sorted(found.tags or []):
        gaps["tags"] = tags
    if gaps:
        session.execute(update(_PEOPLE).where(_PEOPLE.c.id == found.id).values(gaps))
    person_id: int = found.id
    return person_id


def people_by_phone(session: Session, phone: str) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.phone == phone).order_by(Person.id)))


def cases_of_people(session: Session, person_ids: list[int], limit: int = 50) -> list[Case]:
    """Cases where these people were the person in need or the caller, newest first."""
    if not person_ids:
        return []
    return list(
        session.scalars(
            select(Case)
            .where(or_(Case.person_id.in_(person_ids), Case.caller_id.in_(person_ids)))
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(limit)
        )
    )
