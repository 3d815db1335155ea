"""Clocks follow their case: started, met, paused, resumed, extended, cancelled, restarted.

The console calls `apply` for every case or assignment action inside the
action's transaction, after it changed the case (and its assignments) and
before it commits. Durations come from the policy the case started under.
The timer index is told when that transaction commits (nothing on a rollback).

Which action does what:

- dispatch: `dispatch` met; `accept`/`first_contact`/`resolve` start on the assignments;
  add_assist: `accept` and `resolve` start on the new assisting department's assignment;
- accept (the case) / assignment_accept: that department's `accept` met (the case's
  accept without a department: the lead's);
- first_contact, advance_aid: that clock met;
- hold / resume: every open clock paused; resumed with its deadline moved by the pause;
- assignment_reply: that department's `resolve` met;
- grant_extension: that department's `resolve` extended by `extension` ("10wd");
- resolve: the clocks still open met (advance aid never recorded: cancelled), `followup` starts;
- follow_up: `followup` met; reopen: `followup` cancelled, the lead's `resolve` restarts;
- return: the clocks from dispatch cancelled, `dispatch` restarts (back to triage);
  assignment_return: that department's clocks cancelled;
- answer, transfer_out, merge, invalid, close: every open clock cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cases.tables import Assignment, Case, Clock, Event
from routing.calendar import WorkingCalendar
from routing.clock_plan import DISPATCH_CLOCKS, clock_times, dispatch_clock_specs, ratio_point
from routing.deadlines import deadline_with_pauses
from routing.duration import Duration, parse_duration
from routing.sla_policy import CLOCK_NAMES, SlaPolicy
from routing.timers import OPEN_CLOCK_STATES, PolicyBook, TimerIndex, clock_pauses

log = logging.getLogger(__name__)

ACTOR = "sla"
_PENDING = "sla_clocks_to_index"
_LISTENING = "sla_index_listening"
CANCELLING = ("answer", "transfer_out", "merge", "invalid", "close")


@dataclass(frozen=True)
class ClockSnapshot:
    """A clock's times as committed, for the index after the session is done with it."""

    id: int
    state: str
    stopped_at: datetime | None
    paused_at: datetime | None
    warn_at: datetime
    warned_at: datetime | None
    deadline: datetime
    breached_at: datetime | None
    second_at: datetime | None
    second_breached_at: datetime | None

    @classmethod
    def of(cls, clock: Clock) -> ClockSnapshot:
        return cls(clock.id, clock.state, clock.stopped_at, clock.paused_at, clock.warn_at,
                   clock.warned_at, clock.deadline, clock.breached_at, clock.second_at,
                   clock.second_breached_at)


class ClockService:
    def __init__(
        self, policy: SlaPolicy, calendar: WorkingCalendar, index: TimerIndex | None = None
    ) -> None:
        self.book = PolicyBook(policy, calendar)
        self.index = index

    def apply(
        self,
        session: Session,
        case: Case,
        action: str,
        at: datetime,
        *,
        department: str | None = None,
        extension: str | None = None,
    ) -> list[Event]:
        """Move the case's clocks for `action`; the timeline events added (e.g. clock_met_late)."""
        at = at.astimezone(UTC)
        session.flush()
        run = _Run(self, session, case, at)
        if action == "dispatch":
            run.stop(run.clocks("dispatch", case_level=True))
            run.touched.extend(self.start_dispatch_clocks(session, case, at))
        elif action in ("accept", "assignment_accept"):
            if department is None and action == "accept":
                run.stop(run.clocks("accept", case_level=True) + run.clocks("accept", role="lead"))
            else:
                run.stop(run.clocks("accept", department=department))
        elif action in ("first_contact", "advance_aid", "follow_up"):
            run.stop(run.clocks("followup" if action == "follow_up" else action))
        elif action == "hold":
            run.pause(run.clocks())
        elif action == "resume":
            run.resume(run.clocks(paused=True))
        elif action == "assignment_reply":
            run.stop(run.clocks("resolve", department=department))
        elif action == "grant_extension":
            # Without a department: the lead's.
            run.extend(run.clocks("resolve", department=department, role="lead"),
                       _extension(extension), department)
        elif action == "resolve":
            run.cancel(run.clocks("advance_aid"))
            run.stop(run.clocks())
            run.restart_case_clock("followup")
        elif action == "reopen":
            run.cancel(run.clocks("followup"))
            run.restart(run.clocks("resolve", role="lead", stopped=True))
        elif action == "return":
            run.cancel([c for c in run.clocks() if c.kind in DISPATCH_CLOCKS])
            run.restart_case_clock("dispatch")
        elif action == "add_assist" and department is not None:
            run.touched.extend(self.start_dispatch_clocks(session, case, at, only=department))
        elif action == "assignment_return":
            run.cancel(run.clocks(department=department))
        elif action in CANCELLING:
            run.cancel(run.clocks())
        else:
            return []
        session.flush()
        self._index_on_commit(session, run.touched)
        return run.events

    def start_dispatch_clocks(
        self, session: Session, case: Case, at: datetime, *, only: str | None = None
    ) -> list[Clock]:
        """`accept`, `first_contact` and `resolve` on the case's assignments, from `at`.

        Assignments sent back (a department no longer wanted) get none; a clock of
        that kind already on an assignment (a case dispatched again) restarts.
        `only` limits it to one department's assignment (an assisting one added later).
        """
        at = at.astimezone(UTC)
        policy, calendar = self.policy_of(session, case, at)
        assignments = [a for a in session.scalars(
            select(Assignment).where(Assignment.case_id == case.id).order_by(Assignment.id))
            if a.state != "returned"]
        lead = next((a for a in assignments if a.role == "lead"), None)
        if lead is None:
            return []
        by_department = {a.department: a for a in assignments}
        categories = [c for c in [case.category, *case.categories] if c]
        specs = dispatch_clock_specs(
            case.urgency, list(dict.fromkeys(categories)), lead.department,
            [a.department for a in assignments if a.role != "lead"], at, policy, calendar)
        started: list[Clock] = []
        for spec in specs:
            if only is not None and spec.department != only:
                continue
            assignment = by_department[spec.department] if spec.department else None
            assignment_id = assignment.id if assignment is not None else None
            clock = session.scalars(select(Clock).where(
                Clock.case_id == case.id, Clock.assignment_id == assignment_id,
                Clock.kind == spec.kind)).first()
            if clock is None:
                clock = Clock(case_id=case.id, assignment_id=assignment_id, kind=spec.kind,
                              policy_version=policy.version)
                session.add(clock)
            _reset(clock, spec.duration, at, spec.deadline, spec.warn_at)
            started.append(clock)
        session.flush()
        self._index_on_commit(session, started)
        return started

    def _index_on_commit(self, session: Session, clocks: Iterable[Clock]) -> None:
        """Tell the timer index once the transaction commits, and only then.

        Before the commit the index could lose a running clock's timers to a
        transaction that then rolls back (a hold that never happened).
        """
        if self.index is None:
            return
        pending: dict[int, ClockSnapshot] = session.info.setdefault(_PENDING, {})
        for clock in clocks:
            pending[clock.id] = ClockSnapshot.of(clock)
        if session.info.get(_LISTENING):
            return
        session.info[_LISTENING] = True
        index = self.index

        def committed(session: Session) -> None:
            snapshots = session.info.pop(_PENDING, {})
            if not snapshots:
                return
            try:
                index.schedule_many(snapshots.values())
            except RedisError:
                log.exception("SLA timer index not updated for clocks %s; "
                              "`hotline sla rebuild` restores it", sorted(snapshots))

        def rolled_back(session: Session, *_: Any) -> None:
            session.info.pop(_PENDING, None)

        event.listen(session, "after_commit", committed)
        event.listen(session, "after_rollback", rolled_back)

    def policy_of(
        self, session: Session, case: Case, at: datetime
    ) -> tuple[SlaPolicy, WorkingCalendar]:
        """The policy (and calendar) `case` started under."""
        if not case.policy_version:
            # A case opened before clocks were planned: it keeps the policy of today.
            self.book.remember(session, at)
            case.policy_version = self.book.policy.version
        return self.book.get(session, case.policy_version)


class _Run:
    """One `apply`: the case's clocks, what changed, the events to add."""

    def __init__(self, service: ClockService, session: Session, case: Case, at: datetime) -> None:
        self.service = service
        self.session = session
        self.case = case
        self.at = at
        self.all = list(session.scalars(
            select(Clock).where(Clock.case_id == case.id).order_by(Clock.id)))
        self.assignments = {a.id: a for a in session.scalars(
            select(Assignment).where(Assignment.case_id == case.id))}
        self.touched: list[Clock] = []
        self.events: list[Event] = []

    def clocks(
        self,
        kind: str | None = None,
        *,
        department: str | None = None,
        role: str | None = None,
        case_level: bool = False,
        paused: bool = False,
        stopped: bool = False,
    ) -> list[Clock]:
        chosen = []
        for clock in self.all:
            if kind is not None and clock.kind != kind:
                continue
            if not stopped and (clock.stopped_at is not None
                                or clock.state not in OPEN_CLOCK_STATES):
                continue
            if paused and clock.paused_at is None:
                continue
            assignment = self.assignments.get(clock.assignment_id or -1)
            if case_level and clock.assignment_id is not None:
                continue
            if department is not None and (assignment is None
                                           or assignment.department != department):
                continue
            if role is not None and department is None and (assignment is None
                                                            or assignment.role != role):
                continue
            chosen.append(clock)
        return chosen

    def policy(self, clock: Clock) -> tuple[SlaPolicy, WorkingCalendar]:
        return self.service.book.get(self.session, clock.policy_version)

    def stop(self, clocks: Iterable[Clock]) -> None:
        for clock in clocks:
            if clock.paused_at is not None:
                self._close_pause(clock)
            late = self.at > clock.deadline
            clock.state = "met_late" if late else "met"
            clock.stopped_at = self.at
            self.touched.append(clock)
            if late:
                self._event("clock_met_late", clock, {
                    "late_by_minutes": int((self.at - clock.deadline).total_seconds() // 60)})

    def cancel(self, clocks: Iterable[Clock]) -> None:
        for clock in clocks:
            if clock.paused_at is not None:
                self._close_pause(clock)
            clock.state = "cancelled"
            clock.stopped_at = self.at
            self.touched.append(clock)

    def pause(self, clocks: Iterable[Clock]) -> None:
        for clock in clocks:
            if clock.paused_at is not None:
                continue
            clock.paused_at = self.at
            clock.pauses = [*clock.pauses, [self.at.isoformat(), None]]
            self.touched.append(clock)

    def resume(self, clocks: Iterable[Clock]) -> None:
        for clock in clocks:
            self._close_pause(clock)
            self._recompute(clock)
            self.touched.append(clock)

    def extend(self, clocks: Iterable[Clock], extension: Duration, department: str | None) -> None:
        for clock in clocks:
            before = clock.deadline
            clock.extensions = [*clock.extensions, str(extension)]
            self._recompute(clock)
            self.touched.append(clock)
            self._event("clock_extended", clock, {
                "extension": str(extension), "extension_name": extension.describe(),
                "department": department, "previous_deadline": before.isoformat()})

    def restart(self, clocks: Iterable[Clock]) -> None:
        for clock in clocks:
            policy, calendar = self.policy(clock)
            times = clock_times(self.at, parse_duration(clock.duration), calendar,
                                policy.thresholds)
            assert times is not None  # a restarted clock has no pauses
            _reset(clock, clock.duration, self.at, *times)
            self.touched.append(clock)

    def restart_case_clock(self, kind: str) -> None:
        """Restart the case's own clock of `kind` (dispatch, followup), or start it."""
        policy, calendar = self.service.policy_of(self.session, self.case, self.at)
        limit = policy.duration(kind, self.case.urgency, self.case.category)
        if limit is None:
            return
        existing = [c for c in self.all if c.kind == kind and c.assignment_id is None]
        clock = existing[-1] if existing else Clock(
            case_id=self.case.id, assignment_id=None, kind=kind, policy_version=policy.version)
        if not existing:
            self.session.add(clock)
        times = clock_times(self.at, limit, calendar, policy.thresholds)
        assert times is not None
        _reset(clock, str(limit), self.at, *times)
        self.touched.append(clock)

    def _close_pause(self, clock: Clock) -> None:
        pauses = [list(p) for p in clock.pauses]
        if pauses and pauses[-1][1] is None:
            pauses[-1][1] = self.at.isoformat()
        clock.pauses = pauses
        clock.paused_at = None

    def _recompute(self, clock: Clock) -> None:
        """Deadline and warning again after a pause or an extension; stages not yet due reset."""
        policy, calendar = self.policy(clock)
        duration = parse_duration(clock.duration)
        pauses = clock_pauses(clock)
        extensions = [parse_duration(e) for e in clock.extensions]
        times = clock_times(clock.started_at, duration, calendar, policy.thresholds, pauses,
                            extensions)
        if times is None:
            return
        deadline, warn = (moment.astimezone(UTC) for moment in times)
        clock.deadline, clock.warn_at = deadline, warn
        if clock.warned_at is not None and warn > self.at:
            clock.warned_at = None
        if clock.breached_at is not None and deadline > self.at:
            clock.breached_at = clock.second_at = clock.second_breached_at = None
        if clock.breached_at is not None:
            end = deadline_with_pauses(clock.started_at, duration, pauses, extensions, calendar)
            assert end is not None
            clock.second_at = ratio_point(clock.started_at, end, duration, calendar,
                                          policy.thresholds.second_escalation,
                                          pauses).astimezone(UTC)
            if clock.second_breached_at is not None and clock.second_at > self.at:
                clock.second_breached_at = None
        clock.state = "breached" if clock.breached_at else "warned" if clock.warned_at \
            else "running"

    def _event(self, kind: str, clock: Clock, extra: dict[str, Any]) -> None:
        event = Event(case_id=self.case.id, at=self.at, kind=kind, actor=ACTOR, data={
            "clock": clock.kind, "clock_name": CLOCK_NAMES.get(clock.kind, clock.kind),
            "clock_id": clock.id, "assignment_id": clock.assignment_id,
            "deadline": clock.deadline.isoformat(), **extra})
        self.session.add(event)
        self.events.append(event)


def _reset(
    clock: Clock, duration: str, at: datetime, deadline: datetime, warn_at: datetime
) -> None:
    clock.duration, clock.state, clock.started_at = duration, "running", at
    clock.deadline, clock.warn_at = deadline.astimezone(UTC), warn_at.astimezone(UTC)
    clock.paused_at = clock.warned_at = clock.breached_at = None
    clock.second_at = clock.second_breached_at = clock.stopped_at = None
    clock.pauses, clock.extensions = [], []


def _extension(text: str | None) -> Duration:
    if not text:
        raise ValueError("延期需要时长，例如 10wd")
    return parse_duration(text)
