"""SLA timer benchmark: 100,000 open clocks in SQLite, the Redis index, the scheduler tick.

Measures, on the embedded Redis and a fresh SQLite file:
- the index rebuild from SQL with 100,000 open clocks;
- the cost of a scheduler tick with 0, 1, 100 and 1000 timers due, with 5,000 and
  with 100,000 clocks open (the cost follows the number due, not the number open);
- the delay from a deadline to its breach event on Redis pub/sub, with the
  scheduler ticking every second (real time: 200 deadlines over 20 seconds);
- the memory of the index (Redis MEMORY USAGE of the sorted set) per 100,000 clocks.

    .venv/bin/python bench/sla.py            # full run (~2 min)
    .venv/bin/python bench/sla.py --quick    # 20,000 clocks, 60 deadlines over 6 s
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cases.db import create_schema, make_engine, make_sessionmaker  # noqa: E402
from cases.tables import Case, Clock, Intake  # noqa: E402
from hotline.demo.seed import demo_tree_csv  # noqa: E402
from hotline.embedded_redis import EmbeddedRedis  # noqa: E402
from intake.events import publish  # noqa: E402
from intake.services import EVENTS_CHANNEL  # noqa: E402
from routing.jurisdiction import JurisdictionTree, parse_units_csv  # noqa: E402
from routing.sla_policy import load_sla_policy  # noqa: E402
from routing.timers import DUE_KEY, TimerEngine, TimerIndex  # noqa: E402

CLOCKS_PER_CASE = 5
SMALL = 5_000  # enough to make 2,300 of them due
FAR = datetime(2031, 1, 1, tzinfo=UTC)
TOWNSHIP = "530329102000"


def add_clocks(sessions: sessionmaker[Session], count: int, version: str) -> None:
    """`count` open clocks due far in the future, 5 to a case, in bulk."""
    now = datetime.now(UTC)
    cases = count // CLOCKS_PER_CASE
    with sessions() as session:
        first = (session.scalar(select(Case.id).order_by(Case.id.desc())) or 0) + 1
        intakes = [{"id": uuid.uuid4().hex, "channel": "call", "source": "bench",
                    "payload": {}, "received_at": now, "state": "processed",
                    "enqueued_at": now, "attempts": 0} for _ in range(cases)]
        session.execute(insert(Intake), intakes)
        session.execute(insert(Case), [
            {"id": first + n, "intake_id": intake["id"], "channel": "call", "state": "dispatched",
             "urgency": "normal", "category": "dibao", "categories": ["dibao"],
             "accepting_unit": TOWNSHIP, "text": "", "policy_version": version,
             "created_at": now, "updated_at": now}
            for n, intake in enumerate(intakes)])
        session.execute(insert(Clock), [
            {"case_id": first + n // CLOCKS_PER_CASE, "assignment_id": None, "kind": "resolve",
             "duration": "30wd", "policy_version": version, "state": "running",
             "started_at": now, "deadline": FAR, "warn_at": FAR - timedelta(days=30),
             "pauses": [], "extensions": []}
            for n in range(cases * CLOCKS_PER_CASE)])
        session.commit()


def make_due(sessions: sessionmaker[Session], index: TimerIndex, count: int,
             moment: datetime) -> None:
    """Make `count` untouched clocks warn at `moment` (their deadline stays far away)."""
    with sessions() as session:
        ids = list(session.scalars(select(Clock.id).where(Clock.warned_at.is_(None),
                                                          Clock.warn_at > moment)
                                   .order_by(Clock.id.desc()).limit(count)))
        session.execute(update(Clock).where(Clock.id.in_(ids)).values(warn_at=moment))
        session.commit()
        index.schedule_many(session.scalars(select(Clock).where(Clock.id.in_(ids))))


def tick_costs(engine: TimerEngine, sessions: sessionmaker[Session],
               index: TimerIndex) -> dict[int, float]:
    costs: dict[int, float] = {}
    for due in (0, 1, 100, 1000):
        runs = []
        for _ in range(3 if due < 1000 else 2):
            moment = datetime.now(UTC)
            if due:
                make_due(sessions, index, due, moment - timedelta(seconds=1))
            started = time.perf_counter()
            fired = engine.tick(moment)
            runs.append((time.perf_counter() - started) * 1000)
            assert fired == due, (fired, due)
        costs[due] = statistics.median(runs)
    return costs


def breach_delays(engine: TimerEngine, sessions: sessionmaker[Session], index: TimerIndex,
                  redis: Redis, count: int, window_s: float) -> list[float]:
    """Deadlines spread over `window_s` seconds; each breach event's delay after its deadline."""
    start = datetime.now(UTC) + timedelta(seconds=1)
    deadlines: dict[int, datetime] = {}
    with sessions() as session:
        ids = list(session.scalars(select(Clock.id).where(Clock.warned_at.is_(None))
                                   .order_by(Clock.id).limit(count)))
        for n, clock_id in enumerate(ids):
            deadline = start + timedelta(seconds=window_s * n / count)
            deadlines[clock_id] = deadline
            session.execute(update(Clock).where(Clock.id == clock_id).values(
                deadline=deadline, warn_at=deadline - timedelta(hours=1), warned_at=start,
                state="warned"))
        session.commit()
        index.schedule_many(session.scalars(select(Clock).where(Clock.id.in_(ids))))
    pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(EVENTS_CHANNEL)
    pubsub.get_message(timeout=1)
    stop = threading.Event()

    def scheduler() -> None:  # as hotline.runtime.run_scheduler
        while not stop.is_set():
            engine.tick(datetime.now(UTC))
            stop.wait(engine.pause_s(1.0))

    thread = threading.Thread(target=scheduler, daemon=True)
    thread.start()
    delays: list[float] = []
    until = time.monotonic() + window_s + 5
    while len(delays) < count and time.monotonic() < until:
        message = pubsub.get_message(timeout=0.5)
        if message is None or message["type"] != "message":
            continue
        seen = datetime.now(UTC)
        event = json.loads(message["data"])["event"]
        if event["kind"] == "sla_breached":
            delays.append((seen - deadlines[event["data"]["clock_id"]]).total_seconds())
    stop.set()
    thread.join()
    pubsub.close()
    return delays


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    total = 20_000 if args.quick else 100_000
    breaches, window = (60, 6.0) if args.quick else (200, 20.0)

    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-sla-"))
    redis_server = EmbeddedRedis(workdir / "redis")
    redis = Redis.from_url(redis_server.start())
    try:
        engine_sql = make_engine(f"sqlite:///{workdir / 'sla.sqlite3'}")
        create_schema(engine_sql)
        sessions = make_sessionmaker(engine_sql)
        policy = load_sla_policy()
        calendar = policy.working_calendar()
        tree = JurisdictionTree.from_units(parse_units_csv(demo_tree_csv()))
        engine = TimerEngine(sessions, redis, policy, calendar, tree, publish)
        index = engine.index
        print(f"command: .venv/bin/python bench/sla.py{' --quick' if args.quick else ''}")

        add_clocks(sessions, SMALL, policy.version)
        engine.start()
        small = tick_costs(engine, sessions, index)

        started = time.perf_counter()
        add_clocks(sessions, total - SMALL, policy.version)
        print(f"inserted {total:,} open clocks in SQLite in {time.perf_counter() - started:.1f} s")
        redis.flushdb()
        started = time.perf_counter()
        with sessions() as session:
            members = index.rebuild(session)
        rebuild_s = time.perf_counter() - started
        memory = int(redis.memory_usage(DUE_KEY, samples=0) or 0)
        with sessions() as session:
            open_clocks = session.scalar(select(Clock.id).order_by(Clock.id.desc())) or 0
        print(f"index rebuilt from SQL: {members:,} members ({open_clocks:,} clocks) "
              f"in {rebuild_s:.2f} s")
        print(f"index memory: {memory / 1e6:.1f} MB for {open_clocks:,} clocks "
              f"({memory / open_clocks:.0f} bytes per clock, "
              f"{memory * 100_000 / open_clocks / 1e6:.1f} MB per 100,000 clocks)")
        large = tick_costs(engine, sessions, index)
        print("scheduler tick (median ms):   due=0    due=1   due=100  due=1000")
        for label, costs in ((f"{SMALL:>7,} open", small), (f"{total:>7,} open", large)):
            cells = "  ".join(f"{costs[due]:7.1f}" for due in (0, 1, 100, 1000))
            print(f"  {label}           {cells}")
        print(f"  per fire at 1000 due: {large[1000] / 1000:.2f} ms")

        delays = breach_delays(engine, sessions, index, redis, breaches, window)
        if len(delays) < breaches:
            print(f"WARNING: only {len(delays)} of {breaches} breach events seen")
        print(f"deadline → breach event on Redis, 1 s tick, {len(delays)} deadlines over "
              f"{window:.0f} s: p50 {statistics.median(delays) * 1000:.0f} ms, "
              f"p99 {percentile(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")
        engine_sql.dispose()
    finally:
        redis.close()
        redis_server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
