"""The SLA policies cases started under, kept by version so an old one can be read again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from cases.db import Base, UTCDateTime


class SlaPolicySnapshot(Base):
    __tablename__ = "sla_policies"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # the policy's canonical JSON snapshot
    first_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def remember_policy(session: Session, version: str, content: str, at: dt.datetime) -> None:
    """Keep the snapshot of `version` unless it is kept already; the caller commits.

    Safe inside a larger transaction: two processes keeping the same version at
    once do not fail each other's transaction.
    """
    if session.get(SlaPolicySnapshot, version) is not None:
        return
    values = {"version": version, "content": content, "first_used_at": at}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite.insert(SlaPolicySnapshot).values(**values)
                        .on_conflict_do_nothing(index_elements=["version"]))
    elif dialect == "postgresql":
        session.execute(postgresql.insert(SlaPolicySnapshot).values(**values)
                        .on_conflict_do_nothing(index_elements=["version"]))
    else:
        session.add(SlaPolicySnapshot(**values))
        session.flush()


def policy_snapshot(session: Session, version: str) -> str | None:
    """The stored snapshot of `version`, or None if it was never kept."""
    row = session.get(SlaPolicySnapshot, version)
    return row.content if row is not None else None
