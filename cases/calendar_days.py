"""The holidays and make-up working days (调休) an admin imported, one row per day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Date, DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cases.db import Base

DAY_KINDS = ("holiday", "workday")


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday | workday
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def import_calendar_days(
    session: Session, days: Mapping[dt.date, str], now: dt.datetime | None = None
) -> int:
    """Insert or replace `days` in one transaction; the number of days written."""
    for day, kind in days.items():
        if kind not in DAY_KINDS:
            raise ValueError(f"{day.isoformat()} 的类型 {kind!r} 无效，应为 holiday 或 workday")
    imported_at = now or dt.datetime.now(dt.UTC)
    try:
        for day, kind in sorted(days.items()):
            session.merge(CalendarDay(date=day, kind=kind, imported_at=imported_at))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(days)


def load_calendar_days(session: Session) -> dict[dt.date, str]:
    """Every imported day and its kind."""
    rows = session.execute(select(CalendarDay.date, CalendarDay.kind)).all()
    return {day: kind for day, kind in rows}
