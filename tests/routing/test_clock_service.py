"""Clocks following case actions, with exact deadlines on the statutory calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases.tables import Assignment, Case, Clock, Event
from routing.calendar import WorkingCalendar
from routing.clock_service import ClockService
from routing.sla_policy import SlaPolicy, load_sla_policy
from routing.timers import DUE_KEY, TimerIndex
from tests.routing.test_timers import local, open_test_case

TUESDAY_9 = local(2026, 9, 29, 9, 0)


def clocks(session: Session, case_id: int) -> dict[tuple[str, str | None], Clock]:
    departments = {a.id: a.department for a in session.scalars(
        select(Assignment).where(Assignment.case_id == case_id))}
    return {(c.kind, departments.get(c.assignment_id or -1)): c for c in session.scalars(
        select(Clock).where(Clock.case_id == case_id))}


def dispatched_case(sessions: sessionmaker[Session], policy: SlaPolicy,
                    calendar: WorkingCalendar) -> int:
    return open_test_case(sessions, policy, calendar, received_at=TUESDAY_9, state="dispatched",
                          urgency="normal", categories=("dibao",), lead="mz_jz", co=("jy",))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def test_an_automatically_dispatched_case_starts_its_clocks_at_opening(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    with sessions() as session:
        found = clocks(session, case_id)
    assert set(found) == {("accept", "mz_jz"), ("first_contact", "mz_jz"), ("resolve", "mz_jz"),
                          ("accept", "jy"), ("resolve", "jy")}
    assert found[("accept", "mz_jz")].deadline == utc(local(2026, 9, 30, 17, 30))
    assert found[("first_contact", "mz_jz")].deadline == utc(local(2026, 10, 9, 17, 30))
    assert found[("resolve", "jy")].deadline == utc(local(2026, 11, 16, 17, 30))


def test_hold_and_resume_move_the_deadlines_by_the_working_time_paused(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    service = ClockService(policy, calendar, TimerIndex(redis))
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert service.apply(session, case, "accept", local(2026, 9, 29, 10, 0)) == []
        service.apply(session, case, "hold", local(2026, 9, 30, 10, 0))
        session.commit()
        paused = clocks(session, case_id)
        assert paused[("accept", "mz_jz")].state == "met"
        assert paused[("resolve", "mz_jz")].paused_at == utc(local(2026, 9, 30, 10, 0))
        assert redis.zscore(DUE_KEY, f"{paused[('resolve', 'mz_jz')].id}:breach") is None
        # 14 working hours on hold (9/30 10:00 → 10/9 10:00 across 国庆): two working days.
        service.apply(session, case, "resume", local(2026, 10, 9, 10, 0))
        session.commit()
        resumed = clocks(session, case_id)
    first_contact = resumed[("first_contact", "mz_jz")]
    assert first_contact.deadline == utc(local(2026, 10, 12, 17, 30))
    assert first_contact.pauses == [[utc(local(2026, 9, 30, 10, 0)).isoformat(),
                                     utc(local(2026, 10, 9, 10, 0)).isoformat()]]
    assert resumed[("resolve", "mz_jz")].deadline == utc(local(2026, 11, 18, 17, 30))
    assert resumed[("accept", "jy")].deadline == utc(local(2026, 10, 9, 17, 30))  # 5.5h left
    assert redis.zscore(DUE_KEY, f"{first_contact.id}:breach") == \
        local(2026, 10, 12, 17, 30).timestamp()


def test_a_granted_extension_moves_that_departments_resolve_deadline(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    service = ClockService(policy, calendar, TimerIndex(redis))
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        [event] = service.apply(session, case, "grant_extension", local(2026, 11, 10, 9, 0),
                                department="jy", extension="10wd")
        session.commit()
        found = clocks(session, case_id)
    assert event.kind == "clock_extended" and event.data["extension"] == "10wd"
    assert found[("resolve", "jy")].deadline == utc(local(2026, 11, 30, 17, 30))
    assert found[("resolve", "jy")].extensions == ["10wd"]
    assert found[("resolve", "mz_jz")].deadline == utc(local(2026, 11, 16, 17, 30))


def test_an_extension_after_the_breach_clears_it_when_the_new_deadline_is_ahead(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    service = ClockService(policy, calendar)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        resolve = clocks(session, case_id)[("resolve", "mz_jz")]
        resolve.state, resolve.warned_at, resolve.breached_at = \
            "breached", utc(local(2026, 11, 4)), utc(local(2026, 11, 16, 17, 30))
        service.apply(session, case, "grant_extension", local(2026, 11, 17, 9, 0),
                      extension="10wd")  # no department: the lead's
        session.commit()
        resolve = clocks(session, case_id)[("resolve", "mz_jz")]
    assert (resolve.state, resolve.breached_at) == ("warned", None)
    assert resolve.deadline == utc(local(2026, 11, 30, 17, 30))
    # 75% of 40 working days has run already (11/16): the warning stays as it was.
    assert (resolve.warn_at, resolve.warned_at) == \
        (utc(local(2026, 11, 16, 17, 30)), utc(local(2026, 11, 4)))


def test_met_late_is_recorded_on_the_timeline(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    service = ClockService(policy, calendar)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        [late] = service.apply(session, case, "assignment_accept", local(2026, 10, 8, 9, 0),
                               department="jy")
        assert service.apply(session, case, "accept", local(2026, 9, 30, 17, 30)) == []
        session.commit()
        found = clocks(session, case_id)
    assert late.kind == "clock_met_late" and late.data["clock"] == "accept"
    assert found[("accept", "jy")].state == "met_late"
    assert found[("accept", "mz_jz")].state == "met"  # at the deadline itself: on time


def test_resolve_starts_followup_and_reopen_restarts_resolve(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    service = ClockService(policy, calendar)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        service.apply(session, case, "assignment_reply", local(2026, 10, 9, 9, 0),
                      department="jy")
        service.apply(session, case, "resolve", local(2026, 10, 12, 9, 0))
        session.commit()
        found = clocks(session, case_id)
        assert found[("resolve", "jy")].stopped_at == utc(local(2026, 10, 9, 9, 0))
        assert found[("resolve", "mz_jz")].state == "met"
        assert found[("first_contact", "mz_jz")].state == "met_late"
        followup = found[("followup", None)]
        assert (followup.state, followup.deadline) == ("running", utc(local(2026, 10, 15, 17, 30)))
        service.apply(session, case, "reopen", local(2026, 10, 13, 9, 0))
        session.commit()
        found = clocks(session, case_id)
    assert found[("followup", None)].state == "cancelled"
    resolve = found[("resolve", "mz_jz")]
    assert (resolve.state, resolve.started_at, resolve.stopped_at) == \
        ("running", utc(local(2026, 10, 13, 9, 0)), None)
    assert resolve.deadline == utc(local(2026, 11, 24, 17, 30))  # 30wd from 10/13
    assert found[("resolve", "jy")].state == "met"


def test_a_triaged_case_dispatched_by_an_agent_starts_the_dispatch_clocks(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = open_test_case(sessions, policy, calendar, received_at=TUESDAY_9, urgency="urgent",
                             categories=("yiliao",))
    service = ClockService(policy, calendar, TimerIndex(redis))
    dispatched = local(2026, 9, 29, 9, 40)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.state, case.lead_department = "dispatched", "yb"
        session.add(Assignment(case_id=case_id, department="yb", role="lead", state="pending",
                               created_at=dispatched))
        assert service.apply(session, case, "dispatch", dispatched) == []
        session.commit()
        found = clocks(session, case_id)
    assert found[("dispatch", None)].state == "met"  # 1h for urgent
    assert found[("accept", "yb")].deadline == utc(local(2026, 9, 29, 11, 40))  # 2h
    assert found[("first_contact", "yb")].deadline == utc(local(2026, 9, 30, 9, 40))  # 24h
    assert found[("resolve", "yb")].duration == "15wd"
    assert redis.zscore(DUE_KEY, f"{found[('accept', 'yb')].id}:warn") == \
        local(2026, 9, 29, 11, 10).timestamp()


def test_clocks_keep_the_policy_the_case_started_under(
    tmp_path: Path, sessions: sessionmaker[Session], policy: SlaPolicy,
    calendar: WorkingCalendar,
) -> None:
    county = tmp_path / "sla.toml"
    county.write_text('[clocks.accept]\nnormal = "3wd"\n', encoding="utf-8")
    old = load_sla_policy(county)
    case_id = open_test_case(sessions, old, calendar, received_at=TUESDAY_9, urgency="normal",
                             categories=("dibao",))
    service = ClockService(policy, calendar)  # the county has gone back to the defaults since
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.policy_version == old.version != policy.version
        case.state, case.lead_department = "dispatched", "mz_jz"
        session.add(Assignment(case_id=case_id, department="mz_jz", role="lead",
                               state="pending", created_at=TUESDAY_9))
        service.apply(session, case, "dispatch", TUESDAY_9)
        session.commit()
        found = clocks(session, case_id)
    assert found[("accept", "mz_jz")].duration == "3wd"
    assert found[("accept", "mz_jz")].deadline == utc(local(2026, 10, 9, 17, 30))


def test_closing_actions_cancel_the_open_clocks(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)
    index = TimerIndex(redis)
    with sessions() as session:
        index.rebuild(session)
        assert index.size() == 4
        case = session.get(Case, case_id)
        assert case is not None
        service = ClockService(policy, calendar, index)
        service.apply(session, case, "merge", local(2026, 9, 29, 12, 5))
        session.commit()
        states = {c.state for c in clocks(session, case_id).values()}
        assert not session.scalars(select(Event).where(Event.kind == "clock_met_late")).all()
    assert states == {"cancelled"}
    assert index.size() == 0


def test_an_unknown_action_changes_nothing(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert ClockService(policy, calendar).apply(
            session, case, "request_extension", local(2026, 10, 8, 9, 0), department="jy") == []
        assert not session.dirty


def test_an_assisting_department_added_later_gets_its_own_clocks(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    added = local(2026, 10, 9, 9, 0)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.add(Assignment(case_id=case_id, department="rs", role="assist", state="pending",
                               created_at=added))
        ClockService(policy, calendar).apply(session, case, "add_assist", added, department="rs")
        session.commit()
        found = clocks(session, case_id)
    assert found[("accept", "rs")].deadline == utc(local(2026, 10, 10, 17, 30))
    assert found[("resolve", "rs")].started_at == utc(added)
    assert found[("resolve", "mz_jz")].started_at == utc(TUESDAY_9)  # the others are untouched


def test_the_index_changes_only_when_the_action_commits(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy, calendar: WorkingCalendar,
) -> None:
    case_id = dispatched_case(sessions, policy, calendar)
    index = TimerIndex(redis)
    with sessions() as session:
        index.rebuild(session)
    before = redis.zrange(DUE_KEY, 0, -1, withscores=True)
    service = ClockService(policy, calendar, index)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        service.apply(session, case, "hold", local(2026, 9, 30, 10, 0))
        assert redis.zrange(DUE_KEY, 0, -1, withscores=True) == before  # not committed yet
        session.rollback()
    assert redis.zrange(DUE_KEY, 0, -1, withscores=True) == before
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        service.apply(session, case, "hold", local(2026, 9, 30, 10, 0))
        session.commit()
    assert index.size() == 0  # every clock paused: nothing can fall due
