"""A relay listener told to stop delivers nothing more: its successor does (no double rows)."""

from __future__ import annotations

import asyncio
import json
import threading

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from agents_ui.live import Console, Relay, Scope
from intake.services import EVENTS_CHANNEL

EVENT = json.dumps({"type": "case_event", "event": {"kind": "received", "data": {}},
                    "case": {"id": 1, "accepting_unit": "530329102000", "lead_department": None,
                             "co_departments": []}})


def test_only_the_current_listener_delivers(redis: Redis,
                                            sessions: sessionmaker[Session]) -> None:
    loop = asyncio.new_event_loop()
    try:
        relay = Relay(redis, sessions)
        agent = Console(Scope(1, "agent", "agent", "hotline", "s1"), loop)
        relay.consoles.add(agent)
        stopped = threading.Event()
        assert relay.deliver(EVENTS_CHANNEL, EVENT, threading.Event()) == 1
        stopped.set()
        assert relay.deliver(EVENTS_CHANNEL, EVENT, stopped) == 0
    finally:
        loop.close()
