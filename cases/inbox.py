"""The inbox: acknowledged requests waiting for, or done with, the worker."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from cases.db import table_of
from cases.tables import Intake

_INSERT = insert(table_of(Intake))


@dataclass(frozen=True)
class Received:
    intake: Intake
    duplicate: bool  # the same channel message was delivered before


def receive(
    session: Session,
    *,
    channel: str,
    source: str,
    message_id: str | None,
    payload: dict[str, Any],
    now: dt.datetime,
) -> Received:
    """Insert and commit an intake row; a repeated message returns the first one.

    The unique constraint on (channel, source, message_id) decides, not a prior
    look-up, so two deliveries racing each other still make one row.
    """
    values = {"id": uuid.uuid4().hex, "channel": channel, "source": source,
              "message_id": message_id, "payload": payload, "received_at": now,
              "state": "pending", "attempts": 0, "enqueued_at": now, "last_error": None,
              "case_id": None, "processed_at": None}
    try:
        # One Core statement (no unit of work): the web's share of SQLite's single writer.
        session.execute(_INSERT, values)
        session.commit()
    except IntegrityError:
        session.rollback()
        if message_id is None:
            raise
        existing = session.scalars(
            select(Intake).where(
                Intake.channel == channel, Intake.source == source, Intake.message_id == message_id
            )
        ).one()
        return Received(existing, duplicate=True)
    intake = Intake(**values)
    make_transient_to_detached(intake)  # the row as written, without reading it back
    session.add(intake)
    return Received(intake, duplicate=False)


def get_intake(session: Session, intake_id: str) -> Intake | None:
    return session.get(Intake, intake_id)


def get_intakes(session: Session, intake_ids: list[str]) -> list[Intake]:
    """The intakes of these ids that exist, in the order given."""
    found = {i.id: i for i in session.scalars(select(Intake).where(Intake.id.in_(intake_ids)))}
    return [found[i] for i in intake_ids if i in found]


def stale_pending(session: Session, older_than: dt.datetime, limit: int = 500) -> list[Intake]:
    """Pending rows last enqueued before `older_than`: their job may have been lost."""
    return list(
        session.scalars(
            select(Intake)
            .where(Intake.state == "pending", Intake.enqueued_at < older_than)
            .order_by(Intake.enqueued_at)
            .limit(limit)
        )
    )


def mark_requeued(session: Session, intake_id: str, now: dt.datetime) -> None:
    session.execute(
        update(Intake).where(Intake.id == intake_id, Intake.state == "pending").values(enqueued_at=now)
    )
    session.commit()


class Failure(NamedTuple):
    attempts: int  # attempts counted so far
    final: bool  # that was the last: the intake is `failed` now


def record_failure(session: Session, intake_id: str, error: str, max_attempts: int) -> Failure:
    """Count a failed attempt and keep its error.

    After the last attempt the intake is `failed`: visible to agents, never dropped.
    """
    session.execute(
        update(Intake)
        .where(Intake.id == intake_id, Intake.state == "pending")
        .values(attempts=Intake.attempts + 1, last_error=error[:2000])
    )
    intake = session.get(Intake, intake_id, populate_existing=True)
    attempts = intake.attempts if intake is not None else 0
    final = intake is not None and intake.state == "pending" and attempts >= max_attempts
    if final:
        session.execute(update(Intake).where(Intake.id == intake_id).values(state="failed"))
    session.commit()
    return Failure(attempts, final)


def count_by_state(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(Intake.state, func.count()).group_by(Intake.state)).all()
    return {state: count for state, count in rows}
