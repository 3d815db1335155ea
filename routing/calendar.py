"""The statutory working calendar: holidays, make-up working days (调休) and working hours.

A day's status comes, in order, from the days an admin imported, from the
`chinese_calendar` package (the State Council's notices for the years it
covers), and for a year neither covers from weekends alone. That last case is
a guess: it is logged once per year and reported by `warnings()`.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

logger = logging.getLogger("routing.calendar")

DEFAULT_TIMEZONE = "Asia/Shanghai"
HOLIDAY = "holiday"
WORKDAY = "workday"
DAY_KINDS: dict[str, str] = {
    "holiday": HOLIDAY,
    "休": HOLIDAY,
    "workday": WORKDAY,
    "班": WORKDAY,
}

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$")


class CalendarFileError(ValueError):
    """An imported calendar file that cannot be read; the message names the line."""


def uncovered_year_warning(year: int) -> str:
    return f"{year}年节假日安排尚未导入，按周末计算工作日，期限可能不准确"


@dataclass(frozen=True)
class WorkingHours:
    """The working periods of every working day, in local time, in order."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(14, 0), time(17, 30)),
    )

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("工作时间至少要有一个时段")
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"工作时段 {start:%H:%M}-{end:%H:%M} 的开始时间须早于结束时间")
            if previous_end is not None and start < previous_end:
                raise ValueError("工作时段须按时间先后排列且互不重叠")
            previous_end = end

    @classmethod
    def parse(cls, specs: Sequence[str]) -> WorkingHours:
        """Read periods written "08:30-12:00"."""
        periods: list[tuple[time, time]] = []
        for spec in specs:
            match = _PERIOD.match(spec) if isinstance(spec, str) else None
            if match is None:
                raise ValueError(f"无法识别的工作时段 {spec!r}，应写作 08:30-12:00")
            h1, m1, h2, m2 = (int(group) for group in match.groups())
            try:
                if (h2, m2) == (24, 0):
                    raise ValueError
                periods.append((time(h1, m1), time(h2, m2)))
            except ValueError:
                raise ValueError(f"工作时段 {spec!r} 中的时间无效") from None
        return cls(tuple(periods))

    @property
    def per_day(self) -> timedelta:
        """The working time of one full working day (7 hours by default)."""
        day = date(2000, 1, 1)
        spans = (
            datetime.combine(day, end) - datetime.combine(day, start) for start, end in self.periods
        )
        return sum(spans, timedelta())

    def describe(self) -> list[str]:
        return [f"{start:%H:%M}-{end:%H:%M}" for start, end in self.periods]


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Which days are working days and when work happens on them.

    `overrides` maps a date to "holiday" or "workday"; an imported day wins over
    the package, and any imported day in a year makes that year covered (an
    import is a whole year's notice: the days not listed follow the weekend).
    """

    def __init__(
        self,
        overrides: Mapping[date, str] | None = None,
        hours: WorkingHours | None = None,
        tz: str | ZoneInfo = DEFAULT_TIMEZONE,
    ) -> None:
        days: dict[date, str] = {}
        for day, kind in (overrides or {}).items():
            if kind not in (HOLIDAY, WORKDAY):
                raise ValueError(f"{day.isoformat()} 的类型 {kind!r} 无效，应为 holiday 或 workday")
            days[day] = kind
        # Read-only: the answers below are remembered per day.
        self.overrides: Mapping[date, str] = MappingProxyType(days)
        self.hours = hours or WorkingHours()
        try:
            self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"无法识别的时区 {tz!r}") from None
        self._imported_years = {day.year for day in self.overrides}
        self._package_years: dict[int, bool] = {}
        self._package_days: dict[date, bool] = {}
        self._utc_periods: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._guessed_years: set[int] = set()
        self._lock = threading.Lock()

    def covered(self, year: int) -> bool:
        """Whether the holidays of `year` are known (imported or in the package)."""
        return year in self._imported_years or self._package_covers(year)

    def uncovered_years(self, start: int, end: int) -> list[int]:
        """The years from `start` to `end` (inclusive) whose holidays are not known."""
        return [year for year in range(start, end + 1) if not self.covered(year)]

    def warnings(self, years: Iterable[int] | None = None) -> list[str]:
        """Chinese warnings for the supervisor's dashboard.

        Without `years`: for every year this calendar has had to guess so far.
        """
        chosen = sorted(set(years)) if years is not None else sorted(self._guessed_years)
        return [uncovered_year_warning(year) for year in chosen if not self.covered(year)]

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            raise TypeError("is_working_day 需要日期（date），不是时间（datetime）")
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == WORKDAY
        if self._package_covers(day.year):
            known = self._package_days.get(day)
            if known is None:
                # The package scans its whole table on every call (~90 µs): remember the answer.
                known = self._package_days[day] = bool(chinese_calendar.is_workday(day))
            return known
        if day.year not in self._imported_years:
            self._note_guess(day.year)
        return day.weekday() < 5

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of `day` as aware datetimes; empty on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz))
            for start, end in self.hours.periods
        ]

    def utc_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """`working_periods(day)` in UTC, remembered: deadline arithmetic asks again and again."""
        periods = self._utc_periods.get(day)
        if periods is None:
            periods = self._utc_periods[day] = tuple(
                (start.astimezone(UTC), end.astimezone(UTC))
                for start, end in self.working_periods(day)
            )
        return periods

    def local(self, moment: datetime) -> datetime:
        """`moment` in the calendar's time zone; a naive datetime is an error."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"时间 {moment.isoformat()} 缺少时区")
        return moment.astimezone(self.tz)

    def _package_covers(self, year: int) -> bool:
        known = self._package_years.get(year)
        if known is None:
            known = self._package_years[year] = _package_covers(year)
        return known

    def _note_guess(self, year: int) -> None:
        with self._lock:
            if year in self._guessed_years:
                return
            self._guessed_years.add(year)
        logger.warning(
            "working calendar: no holidays known for %d, counting weekends only; "
            "import them with `hotline calendar import`",
            year,
        )


def parse_calendar_csv(text: str) -> dict[date, str]:
    """Read an admin's calendar file: header `date,kind`, kind holiday|workday (or 休|班).

    Extra columns (a note, the holiday's name) are allowed and ignored.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    days: dict[date, str] = {}
    for line_number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if "date" not in header or "kind" not in header:
                raise CalendarFileError(
                    f"第{line_number}行：表头须包含 date 和 kind 两列，例如 date,kind"
                )
            continue
        date_cell = _cell(row, header.index("date"))
        kind_cell = _cell(row, header.index("kind"))
        day = _parse_date(date_cell, line_number)
        kind = DAY_KINDS.get(kind_cell.strip().lower())
        if kind is None:
            raise CalendarFileError(
                f"第{line_number}行：类型 {kind_cell.strip()!r} 无效，"
                "应为 holiday、workday、休 或 班"
            )
        if days.get(day, kind) != kind:
            raise CalendarFileError(f"第{line_number}行：{day.isoformat()} 重复出现且类型矛盾")
        days[day] = kind
    if header is None:
        raise CalendarFileError("日历文件为空：第1行应为表头 date,kind")
    if not days:
        raise CalendarFileError("日历文件只有表头，没有日期")
    return days


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _parse_date(cell: str, line_number: int) -> date:
    match = _DATE.match(cell)
    if match is not None:
        try:
            return date(*(int(group) for group in match.groups()))
        except ValueError:
            pass
    raise CalendarFileError(f"第{line_number}行：日期 {cell.strip()!r} 无效，应写作 2027-01-01")
