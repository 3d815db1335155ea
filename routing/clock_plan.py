"""Which SLA clocks a case starts, and when they fall due (pure).

At opening (`plan_clocks`): `dispatch` runs from received unless routing
dispatched the case itself (then it was met at once and is not created);
`advance_aid` runs from received; `accept`, `first_contact` and `resolve` run
from dispatch. `followup` starts later, when the case is resolved.

Per assignment: every department signs (`accept`) and answers (`resolve`) for
its own part; `first_contact` belongs to the lead. An assisting department's
`resolve` has the lead category's limit: the case resolves only when every
department has replied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from cases.opening import ClockSpec
from routing.calendar import WorkingCalendar
from routing.deadlines import Pause, deadline_with_pauses, warning_at
from routing.duration import Duration
from routing.route import Route
from routing.sla_policy import SlaPolicy, SlaPolicyError, Thresholds

DISPATCH_CLOCKS = ("accept", "first_contact", "resolve")


def plan_clocks(
    route: Route, received_at: datetime, policy: SlaPolicy, calendar: WorkingCalendar
) -> tuple[ClockSpec, ...]:
    """The clocks that start when a case on `route` is opened at `received_at`."""
    keys = set(route.sla_keys)
    specs: list[ClockSpec] = []
    if "dispatch" in keys and route.state != "dispatched":
        specs.extend(_spec("dispatch", _limit(policy, "dispatch", route.urgency, route.categories),
                           received_at, calendar, policy))
    if "advance_aid" in keys:
        specs.extend(_spec("advance_aid",
                           _limit(policy, "advance_aid", route.urgency, route.categories),
                           received_at, calendar, policy))
    if route.state == "dispatched" and route.lead_department is not None:
        resolve_categories = tuple(
            key.split(":", 1)[1] for key in route.sla_keys if key.startswith("resolve:")
        )
        specs.extend(dispatch_clock_specs(
            route.urgency, _lead_first(route.category, resolve_categories),
            route.lead_department, route.co_departments, received_at, policy, calendar,
            kinds=tuple(k for k in ("accept", "first_contact") if k in keys) + ("resolve",),
        ))
    return tuple(specs)


def dispatch_clock_specs(
    urgency: str,
    categories: Sequence[str],
    lead_department: str,
    co_departments: Sequence[str],
    dispatched_at: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    kinds: Sequence[str] = DISPATCH_CLOCKS,
) -> list[ClockSpec]:
    """The clocks that start on dispatch, on the lead's and the assisting assignments."""
    specs: list[ClockSpec] = []
    resolve = resolve_limit(policy, urgency, categories) if "resolve" in kinds else None
    for department in (lead_department, *co_departments):
        lead = department == lead_department
        if "accept" in kinds:
            specs.extend(_spec("accept", policy.duration("accept", urgency), dispatched_at,
                               calendar, policy, department))
        if lead and "first_contact" in kinds:
            specs.extend(_spec("first_contact", policy.duration("first_contact", urgency),
                               dispatched_at, calendar, policy, department))
        specs.extend(_spec("resolve", resolve, dispatched_at, calendar, policy, department))
    return specs


def resolve_limit(policy: SlaPolicy, urgency: str, categories: Sequence[str]) -> Duration | None:
    """The lead category's `resolve` limit, else the first category that has one."""
    for category in categories:
        try:
            limit = policy.duration("resolve", urgency, category)
        except SlaPolicyError:
            continue
        if limit is not None:
            return limit
    return None


def clock_times(
    started_at: datetime,
    duration: Duration,
    calendar: WorkingCalendar,
    thresholds: Thresholds,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> tuple[datetime, datetime] | None:
    """(breach, warning) moments of a clock; None while an open pause holds it.

    The breach is the time limit's end (at `thresholds.breach` of it when the
    policy says otherwise); the warning is at `thresholds.warn` of the limit.
    Both skip paused time and count approved extensions.
    """
    end = deadline_with_pauses(started_at, duration, pauses, extensions, calendar)
    if end is None:
        return None
    warn = warning_at(started_at, end, thresholds.warn, calendar=calendar, unit=duration.unit,
                      pauses=pauses)
    return ratio_point(started_at, end, duration, calendar, thresholds.breach, pauses), warn


def ratio_point(
    started_at: datetime,
    end: datetime,
    duration: Duration,
    calendar: WorkingCalendar,
    ratio: float,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """The moment `ratio` of the limit has run (2.0: the second escalation)."""
    if ratio == 1.0:
        return end
    return warning_at(started_at, end, ratio, calendar=calendar, unit=duration.unit, pauses=pauses)


def _spec(
    kind: str,
    duration: Duration | None,
    started_at: datetime,
    calendar: WorkingCalendar,
    policy: SlaPolicy,
    department: str | None = None,
) -> list[ClockSpec]:
    if duration is None:
        return []
    times = clock_times(started_at, duration, calendar, policy.thresholds)
    assert times is not None  # without pauses a clock always has a deadline
    deadline, warn = times
    return [ClockSpec(kind=kind, duration=str(duration), started_at=started_at, deadline=deadline,
                      warn_at=warn, department=department)]


def _limit(
    policy: SlaPolicy, clock: str, urgency: str, categories: Sequence[str]
) -> Duration | None:
    """A clock limited to some categories (advance_aid: linshi) applies if any category is one."""
    for category in categories or (None,):
        limit = policy.duration(clock, urgency, category)
        if limit is not None:
            return limit
    return None


def _lead_first(lead: str | None, categories: Sequence[str]) -> tuple[str, ...]:
    if lead is not None and lead in categories:
        return (lead, *(c for c in categories if c != lead))
    return tuple(categories)


def planner(
    policy: SlaPolicy, calendar: WorkingCalendar
) -> Callable[[Route, datetime], tuple[tuple[ClockSpec, ...], str]]:
    """The worker's `plan_clocks(route, now) -> (clocks, policy version)`."""

    def plan(route: Route, received_at: datetime) -> tuple[tuple[ClockSpec, ...], str]:
        return plan_clocks(route, received_at, policy, calendar), policy.version

    return plan
