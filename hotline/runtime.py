"""The processes of the system: web, workers, scheduler — alone or all together (`serve`)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session, sessionmaker

from cases.opening import Opened
from hotline.app import create_app
from hotline.embedded_redis import EmbeddedRedis
from hotline.settings import Settings
from hotline.training import TRAINING_QUEUE
from hotline.wiring import (
    connect_redis,
    console_deps,
    current_classifier,
    intake_services,
    open_database,
)
from intake.jobs import Pipeline, install
from intake.reconciler import reconcile_once
from intake.services import IntakeServices

log = logging.getLogger(__name__)

WARM_UP_TEXT = "白石镇白石村的张大爷七十五岁，住院花了两万多，家里没有收入，电话13900000000"


def redis_url(settings: Settings) -> str:
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set; `hotline serve` starts an embedded Redis itself")
    return settings.redis_url


def web_app(settings: Settings) -> Any:
    _, sessions = open_database(settings)
    redis = connect_redis(redis_url(settings))
    # Built on first use: a web process loads the model only when someone asks to classify.
    classifier = current_classifier(settings, sessions)
    services = intake_services(settings, sessions, redis, classifier)
    return create_app(services, console_deps(settings, sessions, redis, services, classifier))


def worker_services(settings: Settings, url: str) -> tuple[IntakeServices, sessionmaker[Session]]:
    _, sessions = open_database(settings)
    redis = connect_redis(url)
    # Loaded once, before the first job: jieba and the model never load per job
    # (only again when `hotline train` or a retraining job made a new model version).
    classifier = current_classifier(settings, sessions)
    # A first text through every step, so that nothing loads on the first intake.
    classifier().classify(WARM_UP_TEXT)
    services = intake_services(settings, sessions, redis, classifier)
    return services, sessions


def worker_pipeline(settings: Settings, services: IntakeServices,
                    sessions: sessionmaker[Session]) -> Pipeline:
    """The worker's pipeline: classifier, SLA clocks planned at opening and indexed at once."""
    from hotline.commands.calendar import load_calendar
    from routing.clock_plan import planner
    from routing.sla_policy import load_sla_policy
    from routing.timers import PolicyBook, TimerIndex

    policy = load_sla_policy(settings.sla_file)
    calendar = load_calendar(settings)
    with sessions() as session:
        PolicyBook(policy, calendar).remember(session, services.now())
        session.commit()
    index = TimerIndex(services.redis)

    def index_clocks(opened: Opened) -> None:
        # The scheduler also takes in new clocks by id; this makes them due at once.
        try:
            index.schedule_many(opened.clocks, fresh=True)
        except RedisError:
            log.warning("timers of case %s not indexed now; the scheduler will", opened.case.id)

    return Pipeline(services, plan_clocks=planner(policy, calendar), after_open=index_clocks)


def run_worker(settings: Settings, burst: bool = False) -> None:
    services, sessions = worker_services(settings, redis_url(settings))
    install(worker_pipeline(settings, services, sessions))
    # Intakes first; a retraining job only runs when no intake is waiting.
    training = Queue(TRAINING_QUEUE, connection=services.redis)
    worker = SimpleWorker([services.queue, training], connection=services.redis)
    worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")


def run_scheduler(settings: Settings, tick_s: float = 1.0, stop: threading.Event | None = None) -> None:
    """Reconciler (and SLA timers) on a fixed tick until stopped."""
    from hotline.commands.calendar import load_calendar
    from hotline.wiring import load_tree
    from intake.events import publish
    from routing.sla_policy import load_sla_policy
    from routing.timers import TimerEngine

    _, sessions = open_database(settings)
    redis = connect_redis(redis_url(settings))
    services = intake_services(settings, sessions, redis, None)
    timers = TimerEngine(sessions, redis, load_sla_policy(settings.sla_file),
                         load_calendar(settings), load_tree(sessions), publish)
    try:
        log.info("SLA timer index rebuilt: %d timers", timers.start(services.now()))
    except Exception:
        log.exception("SLA timer index rebuild failed; the first tick will try again")
    stop = stop or threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    last_reconcile = 0.0
    while not stop.is_set():
        now = time.monotonic()
        if now - last_reconcile >= max(1.0, settings.reconcile_after_s / 3):
            try:
                reconcile_once(services, settings.reconcile_after_s)
            except Exception:
                log.exception("reconciler tick failed; will try again")
            last_reconcile = now
        try:
            timers.tick(services.now())
        except Exception:
            log.exception("SLA timer tick failed; will try again")
        # On the tick's boundary (whole seconds), or sooner for a timer due before it.
        stop.wait(timers.pause_s(tick_s))
    timers.release()


@dataclass
class Supervisor:
    """`hotline serve`: embedded Redis, workers and scheduler as child processes, web in front.

    A child or the embedded Redis that dies is started again.
    """

    settings: Settings
    redis: EmbeddedRedis | None = None
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> str:
        if self.settings.redis_url:
            self.url = self.settings.redis_url
        else:
            self.redis = EmbeddedRedis(self.settings.redis_dir)
            self.url = self.redis.start()
        for n in range(self.settings.workers):
            self._spawn(f"worker-{n + 1}", "worker")
        self._spawn("scheduler", "scheduler")
        threading.Thread(target=self._watch, name="supervisor", daemon=True).start()
        return self.url

    def _spawn(self, name: str, command: str) -> None:
        env = dict(os.environ, REDIS_URL=self.url, HOTLINE_DATA_DIR=str(self.settings.data_dir))
        self.children[name] = subprocess.Popen(
            [sys.executable, "-m", "hotline.cli", command], env=env
        )

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            if self.redis is not None and self.redis.process is not None \
                    and self.redis.process.poll() is not None:
                log.error("embedded redis exited; starting it again")
                self.redis.process = None
                self.redis.start()
            for name, child in list(self.children.items()):
                if child.poll() is not None and not self._stop.is_set():
                    log.error("%s exited with %s; starting it again", name, child.returncode)
                    self._spawn(name, "scheduler" if name == "scheduler" else "worker")

    def stop(self) -> None:
        self._stop.set()
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if self.redis is not None:
            self.redis.stop()
