"""Imported calendar days in SQL: upsert in one transaction, read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, Table, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from cases.calendar_days import CalendarDay, import_calendar_days, load_calendar_days
from cases.db import Base, make_engine, make_sessionmaker

TABLE: Table = Base.metadata.tables[CalendarDay.__tablename__]
IMPORTED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def calendar_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    TABLE.drop(engine, checkfirst=True)
    Base.metadata.create_all(engine, tables=[TABLE])
    yield engine
    engine.dispose()


@pytest.fixture
def session(calendar_engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(calendar_engine)() as session:
        yield session


def test_import_and_load(session: Session) -> None:
    days = {dt.date(2027, 1, 1): "holiday", dt.date(2027, 2, 6): "workday"}
    assert import_calendar_days(session, days, now=IMPORTED_AT) == 2
    assert load_calendar_days(session) == days
    row = session.get(CalendarDay, dt.date(2027, 1, 1))
    assert row is not None
    assert row.imported_at.replace(tzinfo=dt.UTC) == IMPORTED_AT


def test_a_second_import_replaces_days(calendar_engine: Engine) -> None:
    sessions = make_sessionmaker(calendar_engine)
    with sessions() as session:
        import_calendar_days(
            session, {dt.date(2027, 1, 1): "holiday", dt.date(2027, 1, 2): "holiday"}
        )
    with sessions() as session:
        import_calendar_days(
            session, {dt.date(2027, 1, 2): "workday", dt.date(2027, 1, 3): "holiday"}
        )
    with sessions() as session:
        assert load_calendar_days(session) == {
            dt.date(2027, 1, 1): "holiday",
            dt.date(2027, 1, 2): "workday",
            dt.date(2027, 1, 3): "holiday",
        }
        assert session.scalar(select(func.count()).select_from(TABLE)) == 3


def test_a_bad_kind_writes_nothing(session: Session) -> None:
    import_calendar_days(session, {dt.date(2027, 1, 1): "holiday"})
    with pytest.raises(ValueError, match="2027-01-05"):
        import_calendar_days(session, {dt.date(2027, 1, 4): "holiday", dt.date(2027, 1, 5): "休"})
    assert load_calendar_days(session) == {dt.date(2027, 1, 1): "holiday"}


def test_a_failed_import_is_rolled_back(session: Session) -> None:
    import_calendar_days(session, {dt.date(2027, 1, 1): "holiday"})
    replacement = {dt.date(2027, 1, 1): "workday", dt.date(2027, 1, 4): "holiday"}
    with pytest.raises(StatementError):
        import_calendar_days(session, replacement, now="not a time")  # type: ignore[arg-type]
    assert load_calendar_days(session) == {dt.date(2027, 1, 1): "holiday"}


def test_nothing_imported(session: Session) -> None:
    assert load_calendar_days(session) == {}
