"""People linked across cases by normalised phone and ID number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

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


def link_person(session: Session, data: PersonData, now: dt.datetime) -> Person | None:
    """Find the person by ID number, else by phone and name; create them otherwise.

    Details learnt from this request fill gaps in the stored record; they never
    overwrite what is there (a later caller may be wrong about a name).
    """
    if data.is_empty():
        return None
    person: Person | None = None
    if data.id_number:
        person = session.scalars(select(Person).where(Person.id_number == data.id_number)).first()
    if person is None and data.phone:
        query = select(Person).where(Person.phone == data.phone)
        if data.name:
            query = query.where(or_(Person.name == data.name, Person.name.is_(None)))
        if data.id_number:
            query = query.where(Person.id_number.is_(None))
        person = session.scalars(query.order_by(Person.id)).first()
    if person is None:
        person = Person(
            name=data.name, phone=data.phone, id_number=data.id_number, address=data.address,
            village_code=data.village_code, tags=list(data.tags), created_at=now,
        )
        session.add(person)
        session.flush()
        return person
    person.name = person.name or data.name
    person.phone = person.phone or data.phone
    person.id_number = person.id_number or data.id_number
    person.address = person.address or data.address
    person.village_code = person.village_code or data.village_code
    person.tags = sorted(set(person.tags or []) | set(data.tags))
    return person


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
