"""The timer engine on the real Redis and SQL: exact fire times, exactly once, late, rebuilt."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases.opening import CaseOpening, open_case
from cases.tables import Case, Clock, Event, Intake
from intake.events import publish
from intake.services import EVENTS_CHANNEL
from routing.calendar import WorkingCalendar
from routing.clock_plan import plan_clocks
from routing.jurisdiction import JurisdictionTree
from routing.route import Route
from routing.sla_policy import SlaPolicy
from routing.timers import DUE_KEY, SEEN_KEY, PolicyBook, TimerEngine, TimerIndex

TZ = ZoneInfo("Asia/Shanghai")
BAISHI = "530329102000"  # 白石镇
COUNTY = "530329000000"  # 清溪县
CITY = "530300000000"  # 曲靖市
NOON = datetime(2026, 9, 29, 12, 0, tzinfo=TZ)  # a Tuesday


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def open_test_case(
    sessions: sessionmaker[Session],
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    *,
    received_at: datetime = NOON,
    state: str = "triage",
    urgency: str = "critical",
    categories: Sequence[str] = ("linshi",),
    lead: str | None = None,
    co: Sequence[str] = (),
    accepting_unit: str | None = BAISHI,
) -> int:
    """A case opened as the worker opens it, with the clocks `plan_clocks` gives its route."""
    if state == "dispatched":
        keys = ("dispatch", "accept", "first_contact", "advance_aid",
                *(f"resolve:{c}" for c in categories), "followup")
    else:
        keys = ("dispatch", "advance_aid")
    route = Route(accepting_unit, lead, tuple(co), tuple(categories), urgency, state, keys,
                  "测试", (), 0.9, "test")
    specs = plan_clocks(route, received_at, policy, calendar)
    with sessions() as session:
        PolicyBook(policy, calendar).remember(session, received_at)
        intake = Intake(id=uuid.uuid4().hex, channel="call", source="phone-system",
                        payload={"text": "我家没钱吃饭了，孩子生病住院"}, received_at=received_at,
                        state="pending", enqueued_at=received_at)
        session.add(intake)
        session.flush()
        opening = CaseOpening(
            state=state, urgency=urgency, categories=tuple(categories), lead_department=lead,
            co_departments=tuple(co), accepting_unit=accepting_unit, explanation="测试",
            policy_version=policy.version, clocks=specs)
        return open_case(session, intake, opening, received_at).case.id  # commits


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, redis: Redis, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)
        publish(redis, messages)


def make_engine(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree, **options: Any,
) -> tuple[TimerEngine, Recorder]:
    recorder = Recorder()
    return TimerEngine(sessions, redis, policy, calendar, tree, recorder, **options), recorder


def events_of(sessions: sessionmaker[Session], case_id: int, *kinds: str) -> list[Event]:
    with sessions() as session:
        return list(session.scalars(select(Event).where(
            Event.case_id == case_id, Event.kind.in_(kinds)).order_by(Event.id)))


def clock_of(sessions: sessionmaker[Session], case_id: int, kind: str) -> Clock:
    with sessions() as session:
        return session.scalars(select(Clock).where(Clock.case_id == case_id,
                                                   Clock.kind == kind)).one()


def test_warning_breach_and_second_escalation_fire_at_their_exact_moments(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)  # critical, triage: dispatch 15m
    engine, recorder = make_engine(sessions, redis, policy, calendar, tree)
    engine.start()
    second = timedelta(seconds=1)
    warn, deadline, twice = local(2026, 9, 29, 12, 11, 15), local(2026, 9, 29, 12, 15), \
        local(2026, 9, 29, 12, 30)

    assert engine.tick(warn - second) == 0
    assert engine.tick(warn) == 1
    assert engine.tick(warn) == 0
    dispatch = clock_of(sessions, case_id, "dispatch")
    assert (dispatch.state, dispatch.warned_at) == ("warned", warn)
    [warned] = events_of(sessions, case_id, "sla_warned")
    assert warned.data["clock"] == "dispatch" and warned.data["late"] is False
    assert warned.data["level_unit"] == BAISHI

    assert engine.tick(deadline - second) == 0
    assert engine.tick(deadline) == 1
    dispatch = clock_of(sessions, case_id, "dispatch")
    assert (dispatch.state, dispatch.breached_at, dispatch.second_at) == \
        ("breached", deadline, twice)
    breached = events_of(sessions, case_id, "sla_breached", "escalated")
    assert [e.kind for e in breached] == ["sla_breached", "escalated"]
    assert breached[1].data["level_unit"] == COUNTY and breached[1].data["level_name"] == "清溪县"
    assert breached[1].data["deadline"] == deadline.astimezone(UTC).isoformat()

    assert engine.tick(twice - second) == 0
    assert engine.tick(twice) == 1
    assert engine.tick(twice + timedelta(minutes=1)) == 0
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.escalation_level == 2
    escalated = events_of(sessions, case_id, "escalated")
    assert [e.data["level_unit"] for e in escalated] == [COUNTY, CITY]
    assert escalated[1].data["level_name"] == "曲靖市"
    kinds = [m["event"]["kind"] for m in recorder.messages if m["event"]["data"]["clock"] ==
             "dispatch"]
    assert kinds == ["sla_warned", "sla_breached", "escalated", "sla_breached", "escalated"]


def test_each_stage_fires_once_with_two_engines_on_the_same_redis(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_ids = [open_test_case(sessions, policy, calendar) for _ in range(6)]
    first, _ = make_engine(sessions, redis, policy, calendar, tree)
    other, _ = make_engine(sessions, redis, policy, calendar, tree)
    first.start()
    at = local(2026, 9, 29, 12, 16)  # dispatch warned and breached
    assert first.tick(at) == 12
    assert other.tick(at) == 0  # the lease is held by the first
    # Lease handover with a stale index (members put back): the SQL guard keeps it once.
    first.release()
    for case_id in case_ids:
        clock = clock_of(sessions, case_id, "dispatch")
        redis.zadd(DUE_KEY, {f"{clock.id}:warn": 0, f"{clock.id}:breach": 0})
    assert other.tick(at) == 0
    assert len(events_of(sessions, case_ids[0], "sla_warned", "sla_breached")) == 2
    assert redis.zscore(DUE_KEY, f"{clock.id}:warn") is None


def test_engines_racing_without_a_common_lease_still_fire_each_stage_once(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_ids = [open_test_case(sessions, policy, calendar) for _ in range(20)]
    engines = [make_engine(sessions, redis, policy, calendar, tree, lease_key=f"lease:{n}",
                           batch=3)[0] for n in range(2)]
    engines[0].start()
    at = local(2026, 9, 29, 12, 16)
    fired = [0, 0]
    errors: list[BaseException] = []

    def run(n: int) -> None:
        for _ in range(30):
            try:
                fired[n] += engines[n].tick(at)
            except Exception as exc:  # a SQLite write conflict: retried on the next tick
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 40
    for case_id in case_ids:
        assert [e.kind for e in events_of(sessions, case_id, "sla_warned", "sla_breached")] == \
            ["sla_warned", "sla_breached"]


def test_missed_timers_fire_after_a_down_period_marked_late(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)
    engine, _ = make_engine(sessions, redis, policy, calendar, tree)
    engine.start()
    assert engine.tick(local(2026, 9, 29, 12, 5)) == 0
    # The scheduler was down until the next day: every stage due meanwhile fires now, late.
    restarted, _ = make_engine(sessions, redis, policy, calendar, tree)
    engine.release()
    later = local(2026, 9, 30, 9, 0)
    assert restarted.tick(later) == 4  # dispatch 75%, 100%, 200%; advance_aid (24h) 75%
    fired = events_of(sessions, case_id, "sla_warned", "sla_breached")
    assert len(fired) == 4 and all(e.data["late"] for e in fired)
    assert all(e.at == later.astimezone(UTC) for e in fired)
    assert restarted.tick(later) == 0


def test_a_fire_within_the_grace_is_not_late(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)
    engine, _ = make_engine(sessions, redis, policy, calendar, tree)
    engine.start()
    assert engine.tick(local(2026, 9, 29, 12, 11, 20)) == 1
    [warned] = events_of(sessions, case_id, "sla_warned")
    assert warned.data["late"] is False


def test_after_redis_lost_its_data_the_index_is_rebuilt_from_sql(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    for _ in range(3):
        open_test_case(sessions, policy, calendar)
    engine, _ = make_engine(sessions, redis, policy, calendar, tree)
    assert engine.start() == 12  # 3 cases × (dispatch, advance_aid) × (warn, breach)
    assert engine.tick(local(2026, 9, 29, 12, 12)) == 3
    before = redis.zrange(DUE_KEY, 0, -1, withscores=True)
    redis.flushdb()
    with sessions() as session:
        assert TimerIndex(redis).rebuild(session) == 9
    assert redis.zrange(DUE_KEY, 0, -1, withscores=True) == before
    redis.flushdb()
    # Lost again while running: the next tick notices and rebuilds by itself.
    assert engine.tick(local(2026, 9, 29, 12, 15)) == 3
    assert len(before) == 9 and int(redis.get(SEEN_KEY) or 0) > 0


def test_clocks_opened_after_start_are_taken_in(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    engine, _ = make_engine(sessions, redis, policy, calendar, tree)
    assert engine.start() == 0
    case_id = open_test_case(sessions, policy, calendar)
    assert engine.tick(local(2026, 9, 29, 12, 11, 15)) == 1
    assert events_of(sessions, case_id, "sla_warned")


def test_a_breach_is_published_for_the_console(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar, accepting_unit=None)
    engine = TimerEngine(sessions, redis, policy, calendar, tree, publish)
    engine.start()
    pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(EVENTS_CHANNEL)
    assert pubsub.get_message(timeout=1.0) is not None  # the subscription itself
    assert engine.tick(local(2026, 9, 29, 12, 15)) == 2
    received = []
    while (message := pubsub.get_message(timeout=1.0)) is not None:
        received.append(json.loads(message["data"]))
    pubsub.close()
    escalated = [m for m in received if m["event"]["kind"] == "escalated"]
    assert len(escalated) == 1
    assert escalated[0]["case"]["id"] == case_id
    assert escalated[0]["case"]["escalation_level"] == 1
    # No accepting unit: the county supervises a breach.
    assert escalated[0]["event"]["data"]["level_unit"] == COUNTY


def test_the_leader_sleeps_only_until_the_next_timer(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    engine, _ = make_engine(sessions, redis, policy, calendar, tree)
    follower, _ = make_engine(sessions, redis, policy, calendar, tree)
    engine.start()
    engine.tick(datetime.now(UTC))
    follower.tick(datetime.now(UTC))
    due = time.time() + 100
    redis.zadd(DUE_KEY, {"1:breach": due})
    before = time.time()
    pause = engine.pause_s(tick_s=86400 * 365)
    assert due - time.time() <= pause <= due - before
    # A follower cannot fire it anyway: it keeps to the tick.
    assert follower.pause_s(tick_s=0.5) <= 0.5
    redis.zadd(DUE_KEY, {"2:breach": 0})  # overdue: a short pause, never a busy loop
    assert engine.pause_s(tick_s=86400) == 0.01
