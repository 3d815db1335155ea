"""The SLA timer engine: SQL holds every deadline, a Redis sorted set indexes what falls due.

Index members are f"{clock_id}:{stage}" (stage warn | breach | breach2) scored
by the epoch second the stage falls due. The index is only a hint: before
firing, the engine re-reads the clock from SQL, re-scores a member whose
time moved, drops one whose clock stopped, and fires through a guarded
UPDATE (… where warned_at is null) so a stage fires once even when two
schedulers meet across a lease handover. Only the holder of a Redis lease
ticks. Clocks opened since the last tick are picked up by id (a high-water
mark), and a lost index (Redis restarted empty) is rebuilt from SQL.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from redis import Redis
from sqlalchemy import case as sql_case
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cases.sla_store import policy_snapshot, remember_policy
from cases.tables import Case, Clock, Event
from cases.views import event_message
from routing.calendar import WorkingCalendar
from routing.clock_plan import ratio_point
from routing.deadlines import Pause, deadline_with_pauses
from routing.duration import parse_duration
from routing.escalation import TreeSource, record_fire, tree_of
from routing.sla_policy import SlaPolicy, SlaPolicyError, policy_from_snapshot

log = logging.getLogger(__name__)

DUE_KEY = "hotline:sla:due"
SEEN_KEY = "hotline:sla:seen"  # the highest clock id the index has taken in
LEASE_KEY = "hotline:sla:lease"
MIN_PAUSE_S = 0.01
STAGES = ("warn", "breach", "breach2")
OPEN_CLOCK_STATES = ("running", "warned", "breached")

Publisher = Callable[[Redis, list[dict[str, Any]]], None]

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class ClockTimes(Protocol):
    """What the index needs of a clock: an ORM Clock or a row of those columns."""

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


_INDEX_COLUMNS = (
    Clock.id, Clock.state, Clock.stopped_at, Clock.paused_at, Clock.warn_at, Clock.warned_at,
    Clock.deadline, Clock.breached_at, Clock.second_at, Clock.second_breached_at,
)


def stage_due(clock: ClockTimes, stage: str) -> datetime | None:
    """When `stage` of `clock` falls due; None if it fired already or cannot fire now."""
    if clock.state not in OPEN_CLOCK_STATES or clock.stopped_at is not None \
            or clock.paused_at is not None:
        return None
    if stage == "warn":
        return clock.warn_at if clock.warned_at is None else None
    if stage == "breach":
        return clock.deadline if clock.breached_at is None else None
    if clock.breached_at is None or clock.second_breached_at is not None:
        return None
    return clock.second_at


def due_members(clock: ClockTimes) -> dict[str, float]:
    members: dict[str, float] = {}
    for stage in STAGES:
        due = stage_due(clock, stage)
        if due is not None:
            members[f"{clock.id}:{stage}"] = due.timestamp()
    return members


def clock_pauses(clock: Clock) -> list[Pause]:
    return [(datetime.fromisoformat(str(start)),
             datetime.fromisoformat(end) if end is not None else None)
            for start, end in clock.pauses]


class TimerIndex:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def schedule(self, clock: ClockTimes) -> None:
        """Index the stages of `clock` still to fire (and nothing else of it)."""
        self.schedule_many([clock])

    def schedule_many(
        self, clocks: Iterable[ClockTimes], key: str = DUE_KEY, fresh: bool = False
    ) -> int:
        """Index each clock's pending stages, removing its others (not needed in a `fresh` key)."""
        pipe = self.redis.pipeline(transaction=True)
        members: dict[str, float] = {}
        for clock in clocks:
            if not fresh:
                pipe.zrem(key, *(f"{clock.id}:{stage}" for stage in STAGES))
            members.update(due_members(clock))
        if members:
            pipe.zadd(key, members)
        pipe.execute()
        return len(members)

    def schedule_case(self, session: Session, case_id: int) -> int:
        """Index the running clocks of one case (a worker does it right after opening it)."""
        clocks = session.scalars(
            select(Clock).where(Clock.case_id == case_id, Clock.state.in_(OPEN_CLOCK_STATES))
        )
        return self.schedule_many(clocks)

    def unschedule(self, clock_id: int) -> None:
        self.redis.zrem(DUE_KEY, *(f"{clock_id}:{stage}" for stage in STAGES))

    def rebuild(self, session: Session, batch: int = 5000) -> int:
        """The index anew from SQL (start-up, `hotline sla rebuild`, Redis lost its data).

        Built aside and swapped in, so the engine never sees a half-built index.
        """
        building = f"{DUE_KEY}:building:{uuid.uuid4().hex}"
        count = 0
        highest = 0
        rows = session.execute(
            select(*_INDEX_COLUMNS).where(Clock.state.in_(OPEN_CLOCK_STATES))
            .order_by(Clock.id).execution_options(yield_per=batch)
        )
        for chunk in rows.partitions(batch):
            count += self.schedule_many(chunk, key=building, fresh=True)
            highest = max(highest, chunk[-1].id)
        highest = max(highest, session.scalar(select(Clock.id).order_by(Clock.id.desc())) or 0)
        pipe = self.redis.pipeline(transaction=True)
        if count:
            pipe.rename(building, DUE_KEY)
        else:
            pipe.delete(DUE_KEY)
        pipe.set(SEEN_KEY, highest)
        pipe.execute()
        return count

    def take_in_new(self, session: Session, limit: int = 1000) -> int:
        """Index the clocks opened since the last call (by id), up to `limit` of them."""
        seen = int(self.redis.get(SEEN_KEY) or 0)
        rows = session.execute(
            select(*_INDEX_COLUMNS).where(Clock.id > seen).order_by(Clock.id).limit(limit)
        ).all()
        if not rows:
            return 0
        self.schedule_many(rows)
        self.redis.set(SEEN_KEY, rows[-1].id)
        return len(rows)

    def built(self) -> bool:
        return bool(self.redis.exists(SEEN_KEY))

    def size(self) -> int:
        return int(self.redis.zcard(DUE_KEY))


class PolicyBook:
    """The policy each case started under (by version), with its working calendar.

    The current policy is kept in SQL when first used; an older version is read
    back from its snapshot. A version nobody kept falls back to the current one.
    """

    def __init__(self, policy: SlaPolicy, calendar: WorkingCalendar) -> None:
        self.policy = policy
        self.calendar = calendar
        self._versions: dict[str, tuple[SlaPolicy, WorkingCalendar]] = {
            policy.version: (policy, calendar)
        }
        self._kept = False

    def remember(self, session: Session, at: datetime) -> None:
        """Keep the current policy's snapshot in SQL (the caller commits)."""
        remember_policy(session, self.policy.version, self.policy.snapshot(), at)

    def get(self, session: Session, version: str) -> tuple[SlaPolicy, WorkingCalendar]:
        if version == self.policy.version and not self._kept:
            # Whoever plans clocks under the current policy, its snapshot is kept.
            self.remember(session, datetime.now(UTC))
            self._kept = True
        known = self._versions.get(version)
        if known is not None:
            return known
        snapshot = policy_snapshot(session, version) if version else None
        if snapshot is None:
            if version:
                log.warning("SLA policy %s was never kept; using the current one", version)
            return self.policy, self.calendar
        try:
            policy = policy_from_snapshot(snapshot)
        except SlaPolicyError:
            log.exception("SLA policy snapshot %s cannot be read; using the current one", version)
            return self.policy, self.calendar
        calendar = self.calendar
        if (policy.hours, policy.timezone) != (self.policy.hours, self.policy.timezone):
            calendar = policy.working_calendar(self.calendar.overrides)
        self._versions[version] = (policy, calendar)
        return policy, calendar


@dataclass
class TimerEngine:
    sessions: sessionmaker[Session]
    redis: Redis
    policy: SlaPolicy
    calendar: WorkingCalendar
    tree: TreeSource
    publish: Publisher
    batch: int = 500
    max_batches: int = 20
    lease_ms: int = 5000
    late_after: timedelta = timedelta(seconds=10)  # a fire later than this is marked late
    owner: str = ""
    lease_key: str = LEASE_KEY
    leading: bool = False

    def __post_init__(self) -> None:
        self.owner = self.owner or uuid.uuid4().hex
        self.index = TimerIndex(self.redis)
        self.book = PolicyBook(self.policy, self.calendar)

    def start(self, now: datetime | None = None) -> int:
        """At start-up: keep the current policy, rebuild the index from SQL."""
        with self.sessions() as session:
            self.book.remember(session, now or datetime.now(UTC))
            session.commit()
            return self.index.rebuild(session)

    def holds_lease(self) -> bool:
        """Take or renew the lease; only its holder fires."""
        return bool(self.redis.eval(_RENEW, 1, self.lease_key, self.owner, self.lease_ms))

    def release(self) -> None:
        self.redis.eval(_RELEASE, 1, self.lease_key, self.owner)

    def tick(self, now: datetime) -> int:
        """Fire every stage due at `now`; the number fired (0 when another holds the lease)."""
        self.leading = self.holds_lease()
        if not self.leading:
            return 0
        with self.sessions() as session:
            if not self.index.built():
                log.warning("SLA timer index missing (Redis lost its data?); rebuilding from SQL")
                self.index.rebuild(session)
            else:
                self.index.take_in_new(session)
        fired = 0
        for _ in range(self.max_batches):
            members = self.redis.zrangebyscore(DUE_KEY, "-inf", now.timestamp(),
                                               start=0, num=self.batch)
            if not members:
                break
            # Each pass fires, drops or re-scores every member it read, so this ends; a
            # breach may have put its second escalation in reach, hence another pass.
            fired += self._fire_batch([m.decode() if isinstance(m, bytes) else str(m)
                                       for m in members], now)
        return fired

    def pause_s(self, tick_s: float = 1.0) -> float:
        """How long the scheduler may sleep: to the next tick boundary, or less when the
        leader has a timer falling due before it (so a breach is not up to a tick late)."""
        now = time.time()
        wait = tick_s - now % tick_s
        if self.leading:
            first = self.redis.zrange(DUE_KEY, 0, 0, withscores=True)
            if first:
                wait = min(wait, max(MIN_PAUSE_S, float(first[0][1]) - now))
        return wait

    def _fire_batch(self, members: Sequence[str], now: datetime) -> int:
        wanted: list[tuple[int, str, str]] = []
        for member in members:
            head, _, stage = member.partition(":")
            wanted.append((int(head), stage, member))
        done = [member for _, _, member in wanted]
        later: dict[str, float] = {}
        published: list[tuple[Event, Case]] = []
        fired = 0
        with self.sessions() as session:
            clocks = {c.id: c for c in session.scalars(
                select(Clock).where(Clock.id.in_({w[0] for w in wanted})))}
            due_now: dict[str, list[tuple[Clock, datetime]]] = {stage: [] for stage in STAGES}
            for clock_id, stage, member in wanted:
                clock = clocks.get(clock_id)
                due = stage_due(clock, stage) if clock is not None and stage in STAGES else None
                if clock is None or due is None:
                    continue
                if due > now:
                    later[member] = due.timestamp()
                    done.remove(member)
                    continue
                due_now[stage].append((clock, due))
            cases = {c.id: c for c in session.scalars(select(Case).where(
                Case.id.in_({clock.case_id for items in due_now.values() for clock, _ in items})))}
            tree = tree_of(self.tree)
            for stage in STAGES:
                if not due_now[stage]:
                    continue
                won = self._claim(session, stage, [clock.id for clock, _ in due_now[stage]], now)
                for clock, due in due_now[stage]:
                    case = cases.get(clock.case_id)
                    if clock.id not in won or case is None:
                        continue
                    fired += 1
                    late = now - due > self.late_after
                    events = record_fire(session, case, clock, stage, due, now, late, tree)
                    published.extend((event, case) for event in events)
                    if stage == "breach":
                        clock.second_at = self._second_at(session, clock)
                        later[f"{clock.id}:breach2"] = clock.second_at.timestamp()
            session.commit()
        pipe = self.redis.pipeline(transaction=True)
        if done:
            pipe.zrem(DUE_KEY, *done)
        if later:
            pipe.zadd(DUE_KEY, later)
        pipe.execute()
        if published:
            self.publish(self.redis, [event_message(event, case) for event, case in published])
        return fired

    def _claim(self, session: Session, stage: str, ids: list[int], now: datetime) -> set[int]:
        """Mark `stage` fired on those of `ids` where nobody fired it yet: the ids this engine won.

        The guard is in the UPDATE itself, so two engines (or a lease handover in
        between) can never both win the same stage of the same clock.
        """
        statement = update(Clock).where(
            Clock.id.in_(ids), Clock.stopped_at.is_(None), Clock.paused_at.is_(None),
            Clock.state.in_(OPEN_CLOCK_STATES))
        if stage == "warn":
            statement = statement.where(Clock.warned_at.is_(None)).values(
                warned_at=now, state=sql_case((Clock.state == "running", "warned"),
                                              else_=Clock.state))
        elif stage == "breach":
            statement = statement.where(Clock.breached_at.is_(None)).values(
                breached_at=now, state="breached")
        else:
            statement = statement.where(Clock.breached_at.is_not(None),
                                        Clock.second_breached_at.is_(None)).values(
                second_breached_at=now)
        result = session.execute(statement.returning(Clock.id)
                                 .execution_options(synchronize_session=False))
        return set(result.scalars())

    def _second_at(self, session: Session, clock: Clock) -> datetime:
        """The 200% moment, from the clock as it stands (pauses and extensions counted)."""
        policy, calendar = self.book.get(session, clock.policy_version)
        duration = parse_duration(clock.duration)
        pauses = clock_pauses(clock)
        end = deadline_with_pauses(clock.started_at, duration, pauses,
                                   [parse_duration(e) for e in clock.extensions], calendar)
        assert end is not None  # a paused clock does not breach
        return ratio_point(clock.started_at, end, duration, calendar,
                           policy.thresholds.second_escalation, pauses).astimezone(UTC)
