"""Finds acknowledged intakes whose job was lost (Redis lost it, a worker died) and re-enqueues them."""

from __future__ import annotations

import datetime as dt
import logging

from redis.exceptions import RedisError

from cases.inbox import mark_requeued, stale_pending
from intake.queueing import enqueue_intake, is_waiting
from intake.services import IntakeServices

log = logging.getLogger(__name__)


def reconcile_once(services: IntakeServices, older_than_s: float) -> int:
    """Re-enqueue inbox rows still pending after `older_than_s`; return how many were re-enqueued.

    A job still waiting in the queue is left alone (workers may just be busy or
    down); a job that is missing, failed or stuck as started is enqueued again —
    harmless, because opening a case is idempotent on the intake id.
    """
    now = services.now()
    cutoff = now - dt.timedelta(seconds=older_than_s)
    requeued = 0
    with services.sessions() as session:
        for intake in stale_pending(session, cutoff):
            try:
                if not is_waiting(services.queue, intake.id):
                    enqueue_intake(services.queue, intake.id, services.max_attempts,
                               services.retry_intervals)
                    requeued += 1
            except RedisError:
                log.warning("redis unavailable; will retry intake %s later", intake.id)
                break
            mark_requeued(session, intake.id, now)
    if requeued:
        log.info("re-enqueued %d pending intakes", requeued)
    return requeued
