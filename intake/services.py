"""What the intake side needs from the outside world, handed in by the wiring (hotline/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from intake.auth import ClientKeys
from routing.classify import Classifier

QUEUE_NAME = "intake"
EVENTS_CHANNEL = "hotline:events"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class IntakeServices:
    sessions: sessionmaker[Session]
    redis: Redis
    queue: Queue
    max_attempts: int = 3
    retry_intervals: tuple[int, ...] = (1, 5, 15)
    token_ttl_s: int = 12 * 3600
    classifier: Callable[[], Classifier] | None = None
    now: Callable[[], dt.datetime] = utc_now
    extra: dict[str, Any] = field(default_factory=dict)
    client_keys: ClientKeys = field(default_factory=ClientKeys)
