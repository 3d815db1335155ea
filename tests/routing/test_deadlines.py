"""Deadline arithmetic: exact timestamps on the statutory calendar (Zammad-style tables).

2026 facts from the package (State Council notice): 09-25..27 中秋 off,
10-01..07 国庆 off, Sunday 09-20 and Saturday 10-10 are make-up working days.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.calendar import WorkingCalendar, WorkingHours
from routing.deadlines import Pause, add, deadline_with_pauses, elapsed, warning_at
from routing.duration import Duration, Unit, parse_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar()


def dt(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_the_2026_facts_the_tables_rely_on() -> None:
    assert CAL.is_working_day(date(2026, 9, 30))
    assert not any(CAL.is_working_day(date(2026, 10, day)) for day in range(1, 8))
    assert CAL.is_working_day(date(2026, 10, 8))
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert not CAL.is_working_day(date(2026, 10, 11))
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert not CAL.is_working_day(date(2026, 9, 25))  # 中秋


@pytest.mark.parametrize(
    ("start", "duration", "deadline"),
    [
        # across 国庆 2026
        (dt(2026, 9, 30, 16, 0), "3wd", dt(2026, 10, 10, 17, 30)),
        (dt(2026, 9, 30, 16, 0), "4wh", dt(2026, 10, 8, 11, 0)),
        (dt(2026, 9, 30, 16, 0), "1wd", dt(2026, 10, 8, 17, 30)),
        (dt(2026, 9, 30, 16, 0), "48h", dt(2026, 10, 2, 16, 0)),
        (dt(2026, 9, 30, 16, 0), "15m", dt(2026, 9, 30, 16, 15)),
        (dt(2026, 9, 30, 17, 20), "30m", dt(2026, 9, 30, 17, 50)),
        (dt(2026, 10, 3, 10, 0), "1wh", dt(2026, 10, 8, 9, 30)),
        (dt(2026, 10, 3, 10, 0), "1wd", dt(2026, 10, 8, 17, 30)),
        # across the lunch break
        (dt(2026, 9, 29, 11, 30), "1wh", dt(2026, 9, 29, 14, 30)),
        (dt(2026, 9, 29, 10, 0), "4wh", dt(2026, 9, 29, 16, 0)),
        (dt(2026, 9, 29, 12, 30), "1wh", dt(2026, 9, 29, 15, 0)),
        (dt(2026, 9, 29, 11, 0), "1wh", dt(2026, 9, 29, 12, 0)),  # ends at the period's end
        (dt(2026, 9, 29, 11, 0), "2h", dt(2026, 9, 29, 13, 0)),
        # starting on a 调休 day
        (dt(2026, 10, 10, 9, 0), "1wd", dt(2026, 10, 12, 17, 30)),
        (dt(2026, 10, 10, 16, 30), "2wh", dt(2026, 10, 12, 9, 30)),
        (dt(2026, 9, 20, 11, 0), "2wh", dt(2026, 9, 20, 15, 0)),
        # Friday evening
        (dt(2026, 10, 16, 18, 0), "4wh", dt(2026, 10, 19, 14, 30)),
        (dt(2026, 10, 16, 18, 0), "5wh", dt(2026, 10, 19, 15, 30)),
        (dt(2026, 10, 16, 18, 0), "1wd", dt(2026, 10, 19, 17, 30)),
        (dt(2026, 10, 16, 18, 0), "15m", dt(2026, 10, 16, 18, 15)),
        (dt(2026, 9, 24, 18, 0), "1wh", dt(2026, 9, 28, 9, 30)),  # then 中秋
        # working days: the day it starts never counts
        (dt(2026, 10, 17, 10, 0), "1wd", dt(2026, 10, 19, 17, 30)),  # Saturday
        (dt(2026, 10, 14, 7, 0), "1wd", dt(2026, 10, 15, 17, 30)),  # before opening
        (dt(2026, 10, 14, 18, 0), "1wd", dt(2026, 10, 15, 17, 30)),  # after closing
        (dt(2026, 10, 12, 9, 0), "15wd", dt(2026, 11, 2, 17, 30)),
        (dt(2026, 10, 12, 9, 0), "30wd", dt(2026, 11, 23, 17, 30)),
    ],
)
def test_add(start: datetime, duration: str, deadline: datetime) -> None:
    result = add(start, parse_duration(duration), CAL)
    assert result == deadline
    assert result.tzinfo == SHANGHAI


def test_add_takes_any_zone_and_answers_in_the_calendars() -> None:
    start = datetime(2026, 9, 30, 8, 0, tzinfo=ZoneInfo("UTC"))
    result = add(start, parse_duration("3wd"), CAL)
    assert result.isoformat() == "2026-10-10T17:30:00+08:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="缺少时区"):
        add(datetime(2026, 9, 30, 16, 0), parse_duration("3wd"), CAL)
    with pytest.raises(ValueError, match="缺少时区"):
        elapsed(dt(2026, 9, 30), datetime(2026, 10, 1), [], CAL, "h")
    with pytest.raises(ValueError, match="缺少时区"):
        deadline_with_pauses(
            dt(2026, 9, 30), Duration(1, "h"), [(datetime(2026, 9, 30, 1), None)], [], CAL
        )


def test_county_working_hours() -> None:
    hours = WorkingHours.parse(["09:00-12:00", "13:30-17:00"])
    county = WorkingCalendar(hours=hours)
    assert add(dt(2026, 9, 30, 16, 0), parse_duration("3wd"), county) == dt(2026, 10, 10, 17, 0)
    assert add(dt(2026, 9, 30, 16, 0), parse_duration("4wh"), county) == dt(2026, 10, 8, 12, 0)
    assert add(dt(2026, 9, 30, 16, 0), parse_duration("5wh"), county) == dt(2026, 10, 8, 14, 30)


@pytest.mark.parametrize(
    ("start", "duration", "pauses", "deadline"),
    [
        # working hours: paused working time is added back
        (dt(2026, 10, 12, 9, 0), "4wh", [], dt(2026, 10, 12, 15, 0)),
        (
            dt(2026, 10, 12, 9, 0),
            "4wh",
            [(dt(2026, 10, 12, 10), dt(2026, 10, 12, 11))],
            dt(2026, 10, 12, 16, 0),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            "4wh",
            [
                (dt(2026, 10, 12, 11, 30), dt(2026, 10, 12, 14, 30))
            ],  # only 1 h of it is working time
            dt(2026, 10, 12, 16, 0),
        ),
        (
            dt(2026, 9, 30, 16, 0),
            "4wh",
            [(dt(2026, 9, 30, 16, 30), dt(2026, 10, 8, 9, 0))],  # on hold across 国庆
            dt(2026, 10, 8, 14, 30),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            "4wh",
            [
                (dt(2026, 10, 12, 10), dt(2026, 10, 12, 11)),
                (dt(2026, 10, 12, 10, 30), dt(2026, 10, 12, 11, 30)),
            ],
            dt(2026, 10, 12, 16, 30),  # overlapping pauses count once
        ),
        # working days: measured in working time after the start day
        (dt(2026, 10, 12, 9, 0), "3wd", [], dt(2026, 10, 15, 17, 30)),
        (
            dt(2026, 10, 12, 9, 0),
            "3wd",
            [(dt(2026, 10, 13, 10), dt(2026, 10, 14, 10))],
            dt(2026, 10, 16, 17, 30),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            "3wd",
            [(dt(2026, 10, 14, 14), dt(2026, 10, 14, 16))],
            dt(2026, 10, 16, 10, 30),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            "3wd",
            [(dt(2026, 10, 12, 10), dt(2026, 10, 12, 17))],
            dt(2026, 10, 15, 17, 30),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            "3wd",
            [(dt(2026, 10, 16, 9), dt(2026, 10, 20, 9))],
            dt(2026, 10, 15, 17, 30),
        ),
        # calendar hours: paused time is added back, nights and holidays count
        (
            dt(2026, 10, 12, 9, 0),
            "24h",
            [(dt(2026, 10, 12, 10), dt(2026, 10, 12, 13, 30))],
            dt(2026, 10, 13, 12, 30),
        ),
        (
            dt(2026, 9, 30, 16, 0),
            "48h",
            [(dt(2026, 10, 1), dt(2026, 10, 2))],
            dt(2026, 10, 3, 16, 0),
        ),
        # an open pause after the deadline changes nothing
        (dt(2026, 10, 12, 9, 0), "1h", [(dt(2026, 10, 12, 11), None)], dt(2026, 10, 12, 10, 0)),
    ],
)
def test_deadline_with_pauses(
    start: datetime, duration: str, pauses: list[Pause], deadline: datetime
) -> None:
    assert deadline_with_pauses(start, parse_duration(duration), pauses, [], CAL) == deadline


def test_an_open_pause_before_the_deadline_means_no_deadline_yet() -> None:
    pauses: list[Pause] = [(dt(2026, 10, 13, 10), None)]
    assert deadline_with_pauses(dt(2026, 10, 12, 9), parse_duration("3wd"), pauses, [], CAL) is None
    extended = deadline_with_pauses(
        dt(2026, 10, 12, 9), parse_duration("1h"), pauses, [parse_duration("3wd")], CAL
    )
    assert extended is None


def test_pause_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="早于"):
        deadline_with_pauses(
            dt(2026, 10, 12, 9),
            Duration(1, "h"),
            [(dt(2026, 10, 12, 11), dt(2026, 10, 12, 10))],
            [],
            CAL,
        )


@pytest.mark.parametrize(
    ("start", "duration", "extensions", "pauses", "deadline"),
    [
        (dt(2026, 10, 12, 9, 0), "15wd", ["15wd"], [], dt(2026, 11, 23, 17, 30)),
        (dt(2026, 10, 12, 9, 0), "15wd", ["5wd", "10wd"], [], dt(2026, 11, 23, 17, 30)),
        (dt(2026, 10, 12, 9, 0), "4wh", ["2wh"], [], dt(2026, 10, 12, 17, 0)),
        (dt(2026, 10, 12, 9, 0), "4wh", ["3wh"], [], dt(2026, 10, 13, 9, 0)),
        (dt(2026, 10, 12, 9, 0), "2h", ["1wd"], [], dt(2026, 10, 13, 17, 30)),
        (dt(2026, 9, 28, 9, 0), "3wd", ["2wd"], [], dt(2026, 10, 10, 17, 30)),
        (
            dt(2026, 10, 12, 9, 0),
            "15wd",
            ["15wd"],
            [(dt(2026, 10, 13, 8, 30), dt(2026, 10, 14, 17, 30))],  # two whole working days on hold
            dt(2026, 11, 25, 17, 30),
        ),
    ],
)
def test_deadline_with_extensions(
    start: datetime,
    duration: str,
    extensions: list[str],
    pauses: list[Pause],
    deadline: datetime,
) -> None:
    granted = [parse_duration(text) for text in extensions]
    assert deadline_with_pauses(start, parse_duration(duration), pauses, granted, CAL) == deadline


@pytest.mark.parametrize(
    ("start", "end", "pauses", "unit", "expected"),
    [
        (dt(2026, 9, 30, 16, 0), dt(2026, 10, 8, 11, 0), [], "wh", timedelta(hours=4)),
        (dt(2026, 9, 30, 16, 0), dt(2026, 10, 10, 17, 30), [], "wd", timedelta(hours=21)),
        (dt(2026, 9, 30, 16, 0), dt(2026, 9, 30, 17, 30), [], "wd", timedelta(0)),  # start day
        (dt(2026, 9, 30, 16, 0), dt(2026, 10, 2, 16, 0), [], "h", timedelta(hours=48)),
        (dt(2026, 9, 30, 16, 0), dt(2026, 10, 2, 16, 0), [], "m", timedelta(hours=48)),
        (
            dt(2026, 9, 30, 16, 0),
            dt(2026, 10, 2, 16, 0),
            [(dt(2026, 10, 1, 16, 0), None)],  # still on hold: time stopped a day ago
            "h",
            timedelta(hours=24),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            dt(2026, 10, 12, 16, 0),
            [(dt(2026, 10, 12, 11, 30), dt(2026, 10, 12, 14, 30))],
            "wh",
            timedelta(hours=4),
        ),
        (
            dt(2026, 10, 12, 9, 0),
            dt(2026, 10, 12, 8, 0),
            [],
            "wh",
            timedelta(0),
        ),  # end before start
        (dt(2026, 10, 16, 18, 0), dt(2026, 10, 19, 8, 30), [], "wh", timedelta(0)),  # a weekend
    ],
)
def test_elapsed(
    start: datetime, end: datetime, pauses: list[Pause], unit: Unit, expected: timedelta
) -> None:
    assert elapsed(start, end, pauses, CAL, unit) == expected


@pytest.mark.parametrize(
    ("start", "duration", "ratio", "expected"),
    [
        (dt(2026, 9, 30, 16, 0), "3wd", 0.75, dt(2026, 10, 10, 10, 15)),  # 2.25 working days
        (dt(2026, 9, 30, 16, 0), "3wd", 1.0, dt(2026, 10, 10, 17, 30)),
        (dt(2026, 9, 30, 16, 0), "3wd", 2.0, dt(2026, 10, 14, 17, 30)),  # second escalation
        (dt(2026, 10, 12, 9, 0), "4wh", 0.75, dt(2026, 10, 12, 12, 0)),
        (dt(2026, 10, 12, 9, 0), "1h", 0.75, dt(2026, 10, 12, 9, 45)),
        (dt(2026, 10, 12, 9, 0), "15m", 0.75, datetime(2026, 10, 12, 9, 11, 15, tzinfo=SHANGHAI)),
        (dt(2026, 10, 16, 18, 0), "4wh", 0.75, dt(2026, 10, 19, 11, 30)),
    ],
)
def test_warning_at(start: datetime, duration: str, ratio: float, expected: datetime) -> None:
    parsed = parse_duration(duration)
    deadline = add(start, parsed, CAL)
    assert warning_at(start, deadline, ratio, calendar=CAL, unit=parsed.unit) == expected


def test_warning_at_skips_pauses() -> None:
    start = dt(2026, 10, 12, 9, 0)
    pauses: list[Pause] = [(dt(2026, 10, 12, 9, 30), dt(2026, 10, 12, 10, 30))]
    deadline = deadline_with_pauses(start, parse_duration("4wh"), pauses, [], CAL)
    assert deadline == dt(2026, 10, 12, 16, 0)
    # 3 working hours of clock time: 09:00-09:30, then 10:30-12:00, then 14:00-15:00
    warn = warning_at(start, deadline, 0.75, calendar=CAL, unit="wh", pauses=pauses)
    assert warn == dt(2026, 10, 12, 15, 0)


@pytest.mark.skipif(WorkingCalendar().covered(2027), reason="chinese_calendar covers 2027")
def test_across_2026_into_an_unknown_2027_counts_weekends_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkingCalendar()
    with caplog.at_level(logging.WARNING, logger="routing.calendar"):
        deadline = add(dt(2026, 12, 15, 10, 0), parse_duration("30wd"), calendar)
        add(dt(2026, 12, 20, 10, 0), parse_duration("30wd"), calendar)
    # 12 working days left in 2026, then Fri 2027-01-01 counts as an ordinary Friday
    assert deadline == dt(2027, 1, 26, 17, 30)
    assert calendar.warnings() == ["2027年节假日安排尚未导入，按周末计算工作日，期限可能不准确"]
    assert [record.getMessage().count("2027") for record in caplog.records] == [1]


def test_across_2026_into_an_imported_2027() -> None:
    # Invented test data, not the State Council's notice: 元旦 off Fri-Sun,
    # Saturday 2027-01-09 a make-up working day, Monday 2027-01-18 off.
    imported = {
        date(2027, 1, 1): "holiday",
        date(2027, 1, 2): "holiday",
        date(2027, 1, 3): "holiday",
        date(2027, 1, 9): "workday",
        date(2027, 1, 18): "holiday",
    }
    calendar = WorkingCalendar(imported)
    assert add(dt(2026, 12, 15, 10, 0), parse_duration("30wd"), calendar) == dt(2027, 1, 27, 17, 30)
    assert add(dt(2026, 12, 31, 16, 0), parse_duration("4wh"), calendar) == dt(2027, 1, 4, 11, 0)
    assert add(dt(2027, 1, 8, 18, 0), parse_duration("1wd"), calendar) == dt(2027, 1, 9, 17, 30)
    assert calendar.warnings() == []
    assert calendar.warnings([2026, 2027]) == []


def test_a_year_nothing_covers_still_gets_a_deadline() -> None:
    calendar = WorkingCalendar()
    # Fri 2040-05-04 18:00: Monday and Tuesday 2040-05-07/08 are the first two working days.
    assert add(datetime(2040, 5, 4, 18, tzinfo=SHANGHAI), parse_duration("2wd"), calendar) == dt(
        2040, 5, 8, 17, 30
    )
    assert calendar.warnings() == ["2040年节假日安排尚未导入，按周末计算工作日，期限可能不准确"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48h", Duration(48, "h")),
        ("4wh", Duration(4, "wh")),
        ("3wd", Duration(3, "wd")),
        ("15m", Duration(15, "m")),
        (" 30m ", Duration(30, "m")),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "wd", "0wd", "-1h", "1.5h", "3d", "3 工作日", "4WH"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="时长"):
        parse_duration(text)


def test_duration_reads_back() -> None:
    assert str(parse_duration("3wd")) == "3wd"
    assert parse_duration("3wd").describe() == "3个工作日"
    assert parse_duration("4wh").describe() == "4工作小时"
    assert parse_duration("15m").calendar_time() == timedelta(minutes=15)
    with pytest.raises(ValueError, match="工作时间"):
        parse_duration("3wd").calendar_time()


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(SHANGHAI)
)


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.integers(1, 80))
def test_working_hours_added_are_working_hours_elapsed(start: datetime, hours: int) -> None:
    deadline = add(start, Duration(hours, "wh"), CAL)
    assert elapsed(start, deadline, [], CAL, "wh") == timedelta(hours=hours)
    assert any(begin < deadline <= end for begin, end in CAL.working_periods(deadline.date()))


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(1, 40))
def test_working_days_end_at_close_of_business_of_the_nth_working_day(
    start: datetime, days: int
) -> None:
    deadline = add(start, Duration(days, "wd"), CAL)
    assert deadline.time() == time(17, 30)
    assert CAL.is_working_day(deadline.date())
    between = [
        start.date() + timedelta(days=offset)
        for offset in range(1, (deadline.date() - start.date()).days + 1)
    ]
    assert sum(CAL.is_working_day(day) for day in between) == days
    assert elapsed(start, deadline, [], CAL, "wd") == timedelta(hours=7 * days)


@settings(max_examples=200, deadline=None)
@given(
    start=moments,
    duration=st.sampled_from(["15m", "2h", "4wh", "3wd"]),
    pause_offset=st.integers(0, 72 * 60),
    pause_minutes=st.integers(1, 72 * 60),
)
def test_a_pause_never_brings_a_deadline_forward_and_is_not_counted(
    start: datetime, duration: str, pause_offset: int, pause_minutes: int
) -> None:
    parsed = parse_duration(duration)
    pause_start = start + timedelta(minutes=pause_offset)
    pauses: list[Pause] = [(pause_start, pause_start + timedelta(minutes=pause_minutes))]
    plain = add(start, parsed, CAL)
    paused = deadline_with_pauses(start, parsed, pauses, [], CAL)
    assert paused is not None and paused >= plain
    assert elapsed(start, paused, pauses, CAL, parsed.unit) == elapsed(
        start, plain, [], CAL, parsed.unit
    )
