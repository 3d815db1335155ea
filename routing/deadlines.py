"""Deadline arithmetic on the working calendar: pure, exact, timezone-aware.

Three ways a clock runs:

- calendar time (`m`, `h`): every instant counts;
- working hours (`wh`): only the calendar's working periods count, so a start
  outside them counts from the next working moment;
- working days (`wd`): administrative practice — the day the clock starts
  never counts, whatever the hour or whether it is a working day, and `N wd`
  ends at the close of business of the N-th working day after it. Measured,
  a working day is its working time, so a pause or a fraction of a working-day
  clock (the 75% warning) is counted in working time after the start day.

Paused time (on_hold) does not count in any of them. Results are in the
calendar's time zone; a naive datetime is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta

from routing.calendar import WorkingCalendar
from routing.duration import UNITS, Duration, Unit

Pause = tuple[datetime, datetime | None]

# Stands for "never" (an open pause, calendar time without end); far beyond any deadline.
_FOREVER = datetime(9000, 1, 1, tzinfo=UTC)


def add(start: datetime, duration: Duration, calendar: WorkingCalendar) -> datetime:
    """The moment `duration` after `start`: `3wd` from Wed 2026-09-30 16:00 is 2026-10-10 17:30."""
    end = _advance(start, duration, calendar, [])
    assert end is not None  # without pauses a clock always reaches its end
    return end


def elapsed(
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause],
    calendar: WorkingCalendar,
    unit: Unit,
) -> timedelta:
    """The time that counted between `start` and `end` on a clock in `unit`, minus pauses.

    Calendar units give exact time; `wh` working time; `wd` the working time
    after the start day (7 hours to a full working day by default).
    """
    working, origin = _origin(start, calendar, unit)
    limit = calendar.local(end).astimezone(UTC)
    total = timedelta()
    merged = _merged(pauses, calendar)
    for segment_start, segment_end in _running(origin, calendar, working, merged):
        if segment_start >= limit:
            break
        total += min(segment_end, limit) - segment_start
    return total


def deadline_with_pauses(
    start: datetime,
    duration: Duration,
    pauses: Sequence[Pause],
    extensions: Sequence[Duration],
    calendar: WorkingCalendar,
) -> datetime | None:
    """The deadline of a clock that stood still while paused and was extended.

    Paused time is skipped in the clock's own unit; each approved extension is
    added after the previous deadline in its own unit (`15wd` more runs to the
    close of business 15 working days after it). None while an open pause
    (end None) holds the clock before it ran out: no deadline until it resumes.
    """
    merged = _merged(pauses, calendar)
    deadline = _advance(start, duration, calendar, merged)
    for extension in extensions:
        if deadline is None:
            return None
        deadline = _advance(deadline, extension, calendar, merged)
    return deadline


def warning_at(
    start: datetime,
    deadline: datetime,
    ratio: float = 0.75,
    *,
    calendar: WorkingCalendar,
    unit: Unit,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """The moment `ratio` of the clock's time from `start` to `deadline` has run.

    Measured in the clock's unit and skipping pauses: 0.75 is the yellow
    light; ratios above 1 give later points (2.0 for the second escalation).
    """
    if ratio < 0:
        raise ValueError(f"比例 {ratio} 不能为负数")
    total = elapsed(start, deadline, pauses, calendar, _checked(unit))
    working, origin = _origin(start, calendar, unit)
    moment = _walk(origin, total * ratio, calendar, working, _merged(pauses, calendar))
    if moment is None:
        raise ValueError("计时已暂停且未恢复，无法计算预警时间")
    return moment


def _advance(
    start: datetime,
    duration: Duration,
    calendar: WorkingCalendar,
    pauses: list[tuple[datetime, datetime]],
) -> datetime | None:
    working, origin = _origin(start, calendar, duration.unit)
    if duration.unit == "wd":
        amount = calendar.hours.per_day * duration.amount
    elif duration.unit == "wh":
        amount = timedelta(hours=duration.amount)
    else:
        amount = duration.calendar_time()
    return _walk(origin, amount, calendar, working, pauses)


def _walk(
    origin: datetime,
    amount: timedelta,
    calendar: WorkingCalendar,
    working: bool,
    pauses: list[tuple[datetime, datetime]],
) -> datetime | None:
    remaining = amount
    for segment_start, segment_end in _running(origin, calendar, working, pauses):
        # `<=` so that a clock which runs out exactly at a period's end ends there
        # (17:30), not at the start of the next period.
        if remaining <= segment_end - segment_start:
            return (segment_start + remaining).astimezone(calendar.tz)
        remaining -= segment_end - segment_start
    return None


def _checked(unit: str) -> Unit:
    if unit not in UNITS:
        raise ValueError(f"时长单位 {unit!r} 无效，应为 m、h、wh 或 wd")
    return unit


def _origin(start: datetime, calendar: WorkingCalendar, unit: str) -> tuple[bool, datetime]:
    """Whether the clock runs on working time, and the UTC moment it starts counting."""
    local = calendar.local(start)
    unit = _checked(unit)
    if unit == "wd":
        next_day = datetime.combine(local.date() + timedelta(days=1), time(0), calendar.tz)
        return True, next_day.astimezone(UTC)
    return unit == "wh", local.astimezone(UTC)


def _merged(pauses: Sequence[Pause], calendar: WorkingCalendar) -> list[tuple[datetime, datetime]]:
    """Pauses in UTC, sorted, overlaps joined; an open pause lasts forever."""
    spans: list[tuple[datetime, datetime]] = []
    for pause_start, pause_end in pauses:
        begin = calendar.local(pause_start).astimezone(UTC)
        finish = _FOREVER if pause_end is None else calendar.local(pause_end).astimezone(UTC)
        if finish < begin:
            raise ValueError(f"暂停结束时间 {pause_end} 早于开始时间 {pause_start}")
        spans.append((begin, finish))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def _running(
    origin: datetime,
    calendar: WorkingCalendar,
    working: bool,
    pauses: list[tuple[datetime, datetime]],
) -> Iterator[tuple[datetime, datetime]]:
    """The UTC spans, from `origin` on, in which the clock runs; stops at an open pause."""
    index = 0
    for segment_start, segment_end in _counted(origin, calendar, working):
        while index < len(pauses) and pauses[index][1] <= segment_start:
            index += 1
        cursor = segment_start
        for pause_start, pause_end in pauses[index:]:
            if pause_start >= segment_end:
                break
            if pause_start > cursor:
                yield cursor, pause_start
            if pause_end >= _FOREVER:
                return
            cursor = max(cursor, pause_end)
            if cursor >= segment_end:
                break
        if cursor < segment_end:
            yield cursor, segment_end


def _counted(
    origin: datetime, calendar: WorkingCalendar, working: bool
) -> Iterator[tuple[datetime, datetime]]:
    """Calendar time or working periods from `origin` on, in UTC, before pauses."""
    if not working:
        yield origin, _FOREVER
        return
    day = origin.astimezone(calendar.tz).date()
    while True:
        for begin, finish in calendar.utc_periods(day):
            if finish > origin:
                yield max(begin, origin), finish
        day += timedelta(days=1)
