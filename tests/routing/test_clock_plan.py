"""plan_clocks: which clocks a case starts at opening, with exact deadlines and warnings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from cases.opening import ClockSpec
from routing.calendar import WorkingCalendar
from routing.clock_plan import plan_clocks, planner
from routing.route import Route
from routing.sla_policy import SlaPolicy

TZ = ZoneInfo("Asia/Shanghai")
EVE_OF_NATIONAL_DAY = datetime(2026, 9, 30, 16, 0, tzinfo=TZ)


def route(state: str, urgency: str, categories: Sequence[str], keys: Sequence[str],
          lead: str | None = "mz_jz", co: Sequence[str] = ()) -> Route:
    return Route("530329102000", lead if state == "dispatched" else None,
                 tuple(co) if state == "dispatched" else (), tuple(categories), urgency, state,
                 tuple(keys), "测试", (), 0.9, "test")


def table(specs: Sequence[ClockSpec]) -> list[tuple[str, str | None, str, str, str]]:
    return [(s.kind, s.department, s.duration, s.deadline.astimezone(TZ).isoformat(),
             s.warn_at.astimezone(TZ).isoformat()) for s in specs]


def test_a_dispatched_normal_case_across_national_day(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    keys = ("dispatch", "accept", "first_contact", "resolve:dibao", "followup")
    specs = plan_clocks(route("dispatched", "normal", ["dibao"], keys), EVE_OF_NATIONAL_DAY,
                        policy, calendar)
    # Dispatched by routing itself: the dispatch clock was met at once and is not created;
    # followup waits for the resolution.
    assert table(specs) == [
        ("accept", "mz_jz", "1wd", "2026-10-08T17:30:00+08:00", "2026-10-08T15:45:00+08:00"),
        ("first_contact", "mz_jz", "3wd", "2026-10-10T17:30:00+08:00",
         "2026-10-10T10:15:00+08:00"),
        ("resolve", "mz_jz", "30wd", "2026-11-17T17:30:00+08:00", "2026-11-06T12:00:00+08:00"),
    ]
    assert all(s.started_at == EVE_OF_NATIONAL_DAY for s in specs)


def test_an_urgent_linshi_case_with_an_assisting_department(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    keys = ("dispatch", "accept", "first_contact", "advance_aid", "resolve:linshi",
            "resolve:yiliao", "followup")
    specs = plan_clocks(route("dispatched", "urgent", ["linshi", "yiliao"], keys, co=["yb"]),
                        EVE_OF_NATIONAL_DAY, policy, calendar)
    assert table(specs) == [
        ("advance_aid", None, "48h", "2026-10-02T16:00:00+08:00", "2026-10-02T04:00:00+08:00"),
        ("accept", "mz_jz", "2h", "2026-09-30T18:00:00+08:00", "2026-09-30T17:30:00+08:00"),
        ("first_contact", "mz_jz", "24h", "2026-10-01T16:00:00+08:00",
         "2026-10-01T10:00:00+08:00"),
        ("resolve", "mz_jz", "15wd", "2026-10-27T17:30:00+08:00", "2026-10-22T10:15:00+08:00"),
        ("accept", "yb", "2h", "2026-09-30T18:00:00+08:00", "2026-09-30T17:30:00+08:00"),
        ("resolve", "yb", "15wd", "2026-10-27T17:30:00+08:00", "2026-10-22T10:15:00+08:00"),
    ]


def test_a_triaged_critical_case_runs_dispatch_and_advance_aid_from_received(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    specs = plan_clocks(route("triage", "critical", ["linshi"], ("dispatch", "advance_aid")),
                        EVE_OF_NATIONAL_DAY, policy, calendar)
    assert table(specs) == [
        ("dispatch", None, "15m", "2026-09-30T16:15:00+08:00", "2026-09-30T16:11:15+08:00"),
        ("advance_aid", None, "24h", "2026-10-01T16:00:00+08:00", "2026-10-01T10:00:00+08:00"),
    ]


def test_a_normal_triaged_case_starts_dispatch_in_working_hours(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    friday_evening = datetime(2026, 9, 25, 19, 0, tzinfo=TZ)
    specs = plan_clocks(route("triage", "normal", ["dibao"], ("dispatch",)), friday_evening,
                        policy, calendar)
    # 4 working hours from the next working moment: Monday 9/28 08:30 → 14:30 (lunch skipped).
    assert table(specs) == [
        ("dispatch", None, "4wh", "2026-09-28T14:30:00+08:00", "2026-09-28T11:30:00+08:00"),
    ]


def test_clocks_that_do_not_apply_are_not_created(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    # advance_aid is for linshi only; a 咨询 has no resolve limit; answered cases start none.
    assert plan_clocks(route("triage", "urgent", ["dibao"], ("dispatch", "advance_aid")),
                       EVE_OF_NATIONAL_DAY, policy, calendar)[-1].kind == "dispatch"
    specs = plan_clocks(route("dispatched", "normal", ["zixun"], ("accept", "first_contact")),
                        EVE_OF_NATIONAL_DAY, policy, calendar)
    assert [s.kind for s in specs] == ["accept", "first_contact"]
    assert plan_clocks(route("answered", "normal", ["zixun"], ()), EVE_OF_NATIONAL_DAY,
                       policy, calendar) == ()


def test_the_worker_planner_gives_the_policy_version(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> None:
    plan = planner(policy, calendar)
    specs, version = plan(route("triage", "critical", ["linshi"], ("dispatch",)),
                          EVE_OF_NATIONAL_DAY)
    assert version == policy.version and [s.kind for s in specs] == ["dispatch"]
