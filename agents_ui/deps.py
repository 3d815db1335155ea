"""What the console needs from the outside world, handed in by the wiring (hotline/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from intake.services import IntakeServices, utc_now
from routing.catalogue import Catalogue
from routing.classify import Classifier
from routing.jurisdiction import JurisdictionTree


@dataclass
class ConsoleDeps:
    sessions: sessionmaker[Session]
    redis: Redis
    intake: IntakeServices  # the same intake path every channel uses
    catalogue: Catalogue
    tree: Callable[[], JurisdictionTree]  # re-read after `hotline units import`
    classifier: Callable[[], Classifier]
    # routing's clock service (SLA): apply(session, case, action, at, **details); None until wired
    clocks: Any = None
    session_idle_minutes: int = 30
    secure_cookies: bool = False  # set when served over HTTPS
    allowed_origins: tuple[str, ...] = ()  # websocket Origin check; empty: same host only
    now: Callable[[], dt.datetime] = utc_now
    extra: dict[str, Any] = field(default_factory=dict)
