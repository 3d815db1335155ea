"""The working calendar: the package's 2026, imported days, uncovered years, the CSV file."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.calendar import (
    CalendarFileError,
    WorkingCalendar,
    WorkingHours,
    parse_calendar_csv,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNCOVERED = 2040  # far beyond any chinese_calendar release


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 18), True),  # Friday
        (date(2026, 9, 19), False),  # Saturday
        (date(2026, 9, 20), True),  # Sunday, 调休 for 国庆
        (date(2026, 9, 25), False),  # 中秋, a Friday
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),
        (date(2026, 10, 5), False),  # a Monday inside 国庆
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, 调休 for 国庆
        (date(2026, 10, 11), False),
    ],
)
def test_2026_follows_the_state_council_notice(day: date, working: bool) -> None:
    assert WorkingCalendar().is_working_day(day) is working


def test_working_periods() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_periods(date(2026, 10, 10)) == [
        (
            datetime(2026, 10, 10, 8, 30, tzinfo=SHANGHAI),
            datetime(2026, 10, 10, 12, 0, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 10, 10, 14, 0, tzinfo=SHANGHAI),
            datetime(2026, 10, 10, 17, 30, tzinfo=SHANGHAI),
        ),
    ]
    assert calendar.working_periods(date(2026, 10, 1)) == []


def test_imported_days_override_the_package() -> None:
    calendar = WorkingCalendar({date(2026, 10, 9): "holiday", date(2026, 10, 11): "workday"})
    assert not calendar.is_working_day(date(2026, 10, 9))
    assert calendar.is_working_day(date(2026, 10, 11))
    # the days not imported still follow the package
    assert calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 1))


def test_an_uncovered_year_counts_weekends_warns_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkingCalendar()
    assert not calendar.covered(UNCOVERED)
    assert calendar.warnings() == []
    with caplog.at_level(logging.WARNING, logger="routing.calendar"):
        assert calendar.is_working_day(date(UNCOVERED, 1, 2))  # a Monday: no 元旦 known
        assert not calendar.is_working_day(date(UNCOVERED, 1, 7))  # Saturday
        assert calendar.is_working_day(date(UNCOVERED, 10, 1))
    records = [record for record in caplog.records if record.name == "routing.calendar"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert str(UNCOVERED) in records[0].getMessage()
    assert calendar.warnings() == [
        f"{UNCOVERED}年节假日安排尚未导入，按周末计算工作日，期限可能不准确"
    ]


def test_warnings_for_chosen_years_and_uncovered_years() -> None:
    calendar = WorkingCalendar()
    assert calendar.covered(2026)
    assert calendar.warnings([2026]) == []
    assert calendar.warnings([UNCOVERED + 1, 2026, UNCOVERED]) == [
        f"{UNCOVERED}年节假日安排尚未导入，按周末计算工作日，期限可能不准确",
        f"{UNCOVERED + 1}年节假日安排尚未导入，按周末计算工作日，期限可能不准确",
    ]
    assert calendar.uncovered_years(2025, 2026) == []
    assert calendar.uncovered_years(UNCOVERED - 1, UNCOVERED + 1) == [
        UNCOVERED - 1,
        UNCOVERED,
        UNCOVERED + 1,
    ]


def test_an_imported_year_is_covered_and_its_other_days_follow_the_weekend(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkingCalendar({date(UNCOVERED, 1, 2): "holiday", date(UNCOVERED, 1, 7): "workday"})
    with caplog.at_level(logging.WARNING, logger="routing.calendar"):
        assert not calendar.is_working_day(date(UNCOVERED, 1, 2))
        assert calendar.is_working_day(date(UNCOVERED, 1, 7))  # Saturday
        assert calendar.is_working_day(date(UNCOVERED, 1, 3))
        assert not calendar.is_working_day(date(UNCOVERED, 1, 8))
    assert calendar.covered(UNCOVERED)
    assert calendar.warnings() == []
    assert calendar.warnings([UNCOVERED]) == []
    assert caplog.records == []


def test_bad_calendar_input_is_refused() -> None:
    with pytest.raises(ValueError, match="holiday 或 workday"):
        WorkingCalendar({date(2027, 1, 1): "休"})
    with pytest.raises(ValueError, match="时区"):
        WorkingCalendar(tz="Asia/Nowhere")
    with pytest.raises(TypeError):
        WorkingCalendar().is_working_day(datetime(2026, 10, 1, tzinfo=SHANGHAI))


def test_working_hours() -> None:
    assert WorkingHours().per_day == timedelta(hours=7)
    hours = WorkingHours.parse(["9:00-12:00", "13:30 - 17:00"])
    assert hours.periods == ((time(9), time(12)), (time(13, 30), time(17)))
    assert hours.per_day == timedelta(hours=6, minutes=30)
    assert hours.describe() == ["09:00-12:00", "13:30-17:00"]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "至少"),
        (["08:30-12"], "无法识别"),
        (["12:00-08:30"], "早于"),
        (["08:30-12:00", "11:00-17:30"], "重叠"),
        (["14:00-17:30", "08:30-12:00"], "先后"),
        (["25:00-26:00"], "无效"),
        (["08:30-24:00"], "无效"),
    ],
)
def test_bad_working_hours(specs: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours.parse(specs)


def test_parse_calendar_csv() -> None:
    text = (
        "\ufeffdate,kind,note\n"
        "2027-01-01,holiday,元旦\n"
        "\n"
        "2027/2/6,班,春节调休\n"
        "2027-02-07,workday\n"
        "2027-02-10,休\n"
        "2027-02-10,holiday,重复但一致\n"
    )
    assert parse_calendar_csv(text) == {
        date(2027, 1, 1): "holiday",
        date(2027, 2, 6): "workday",
        date(2027, 2, 7): "workday",
        date(2027, 2, 10): "holiday",
    }


def test_parse_calendar_csv_with_columns_in_another_order() -> None:
    assert parse_calendar_csv("Kind,Date\nholiday,2027-10-01\n") == {date(2027, 10, 1): "holiday"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "为空"),
        ("date,kind\n", "只有表头"),
        ("day,type\n2027-01-01,holiday\n", "第1行：表头"),
        ("date,kind\n2027-01-01,holiday\n2027-13-01,holiday\n", "第3行：日期 '2027-13-01' 无效"),
        ("date,kind\n2027-01-01,holiday\n\n2027-01-02,rest\n", "第4行：类型 'rest' 无效"),
        ("date,kind\n2027-01-01\n", "第2行：类型 '' 无效"),
        ("date,kind\n2027-01-01,休\n2027-01-01,班\n", "第3行：2027-01-01 重复出现且类型矛盾"),
        ("date,kind\n01/02/2027,holiday\n", "第2行：日期"),
    ],
)
def test_parse_calendar_csv_names_the_line(text: str, message: str) -> None:
    with pytest.raises(CalendarFileError, match=message):
        parse_calendar_csv(text)
