"""Publishing case changes on Redis pub/sub; every web process relays them to its consoles."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from intake.services import EVENTS_CHANNEL

log = logging.getLogger(__name__)


def publish(redis: Redis, messages: Iterable[dict[str, Any]]) -> None:
    """Publish after the commit; the timeline keeps the event if Redis is away now."""
    try:
        pipe = redis.pipeline(transaction=False)
        for message in messages:
            pipe.publish(EVENTS_CHANNEL, json.dumps(message, ensure_ascii=False))
        pipe.execute()
    except RedisError:
        log.warning("could not publish case events; they are kept on the timeline", exc_info=True)
