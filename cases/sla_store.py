"""The SLA policies cases started under, kept by version so an old one can be read again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from cases.db import Base, UTCDateTime


class SlaPolicySnapshot(Base):
    __tablename__ = "sla_policies"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # the policy's canonical JSON snapshot
    first_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def remember_policy(session: Session, version: str, content: str, at: dt.datetime) -> bool:
    """Keep the snapshot of `version` unless it is kept already; True when it was new. Commits."""
    if session.get(SlaPolicySnapshot, version) is not None:
        return False
    session.add(SlaPolicySnapshot(version=version, content=content, first_used_at=at))
    try:
        session.commit()
    except IntegrityError:  # another process kept it first
        session.rollback()
        return False
    return True


def policy_snapshot(session: Session, version: str) -> str | None:
    """The stored snapshot of `version`, or None if it was never kept."""
    row = session.get(SlaPolicySnapshot, version)
    return row.content if row is not None else None
