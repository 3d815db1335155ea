"""The console's websocket: one Redis listener per web process, fanned out by who may see what.

Case events go to the consoles whose user may see the case (judged from the case
summary carried in the event); call events only to the agent named in them; a
logout or a disabled user closes that user's sockets at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from redis import ConnectionPool, Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from agents_ui.app import deps_of
from agents_ui.auth import SessionUser, user_for_websocket
from cases.access import units_below
from cases.tables import Case, Intake
from intake.services import EVENTS_CHANNEL

log = logging.getLogger(__name__)

CALLS_CHANNEL = "hotline:calls"
SESSIONS_CHANNEL = "hotline:sessions"
CHANNELS = (EVENTS_CHANNEL, CALLS_CHANNEL, SESSIONS_CHANNEL)
HOTLINE_WIDE = ("agent", "admin")
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 4408
QUEUE_LIMIT = 1000


@dataclass(frozen=True)
class Scope:
    """What one console may receive; a supervisor's units are read once when it connects."""

    user_id: int
    username: str
    role: str
    unit_code: str
    session_id: str
    units: frozenset[str] = frozenset()


def sees_case(scope: Scope, case: dict[str, Any], source: Callable[[int], str | None]) -> bool:
    """The rule of `cases.access.may_see`, applied to an event's case summary."""
    role = scope.role
    if role in HOTLINE_WIDE:
        return True
    accepting = case.get("accepting_unit")
    if role == "supervisor":
        return accepting is None or accepting in scope.units
    if role == "township":
        return bool(accepting) and accepting == scope.unit_code
    if role == "department":
        return case.get("lead_department") == scope.unit_code or scope.unit_code in (
            case.get("co_departments") or ()
        )
    if role == "grassroots":
        return source(int(case["id"])) == scope.username
    return False


def recipients(message: dict[str, Any], scope: Scope, source: Callable[[int], str | None]) -> bool:
    kind = message.get("type")
    if kind == "call":
        return scope.role in HOTLINE_WIDE and message.get("agent") == scope.username
    if kind == "intake_failed":
        return scope.role in HOTLINE_WIDE
    case = message.get("case")
    if isinstance(case, dict) and "id" in case:
        return sees_case(scope, case, source)
    return False


def origin_allowed(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    """A browser always sends Origin; only our own host (or a configured origin) may connect."""
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    if allowed:
        return origin.rstrip("/") in {a.rstrip("/") for a in allowed}
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()


@dataclass(eq=False)
class Console:
    """One connected websocket: its scope, its outbox, and the loop that drains it."""

    scope: Scope
    loop: asyncio.AbstractEventLoop
    outbox: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT))
    close_code: int = 1000

    def offer(self, text: str | None) -> None:
        """Called on the listener thread; hands the message to the socket's own loop."""
        self.loop.call_soon_threadsafe(self._put, text)

    def _put(self, text: str | None) -> None:
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.close_code = CLOSE_TOO_SLOW
            self.outbox = asyncio.Queue(maxsize=1)
            self.outbox.put_nowait(None)


class Relay:
    """Subscribes while at least one console is connected; a thread reads Redis pub/sub."""

    def __init__(self, redis: Redis, sessions: sessionmaker[Session]) -> None:
        self.redis = redis
        self.sessions = sessions
        self.consoles: set[Console] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.subscribed = threading.Event()
        self.sources: OrderedDict[int, str | None] = OrderedDict()

    def add(self, console: Console) -> None:
        with self.lock:
            self.consoles.add(console)
            if self.thread is None or not self.thread.is_alive():
                self.stop = threading.Event()
                self.subscribed = threading.Event()
                self.thread = threading.Thread(target=self._listen,
                                               args=(self.stop, self.subscribed),
                                               name="console-relay", daemon=True)
                self.thread.start()

    def remove(self, console: Console) -> None:
        with self.lock:
            self.consoles.discard(console)
            if not self.consoles and self.thread is not None:
                self.stop.set()
                self.thread = None

    def _listen(self, stop: threading.Event, subscribed: threading.Event) -> None:
        # A pool of its own: whoever closes the shared client must not pull the socket from here.
        pool = self.redis.connection_pool
        own = Redis(connection_pool=ConnectionPool(connection_class=pool.connection_class,
                                                   **pool.connection_kwargs))
        try:
            self._subscribe_until(stop, subscribed, own)
        finally:
            own.close()

    def _subscribe_until(self, stop: threading.Event, subscribed: threading.Event,
                         redis: Redis) -> None:
        while not stop.is_set():
            pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
            confirmed: set[str] = set()
            try:
                pubsub.subscribe(*CHANNELS)
                while not stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        # Consoles are told they are live only once Redis has every channel.
                        confirmed.add(_text(message["channel"]))
                        if confirmed >= set(CHANNELS):
                            subscribed.set()
                    elif message["type"] == "message":
                        self.deliver(message["channel"], message["data"], stop)
            except (RedisError, OSError):
                log.warning("console relay lost Redis; reconnecting", exc_info=True)
                stop.wait(1.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    pubsub.close()

    def deliver(self, channel: bytes | str, data: bytes | str,
                listener_stopped: threading.Event | None = None) -> int:
        """Fan one pub/sub message out; returns to how many consoles it went.

        A listener told to stop may still be reading while its successor starts; what it
        reads then is the successor's to deliver, or each console would get it twice.
        """
        channel, text = _text(channel), _text(data)
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            log.warning("ignoring a message that is not JSON on %s", channel)
            return 0
        if not isinstance(message, dict):
            return 0
        with self.lock:
            if listener_stopped is not None and listener_stopped.is_set():
                return 0
            consoles = list(self.consoles)
        if channel == SESSIONS_CHANNEL:
            return self._end_sessions(message, consoles)
        sent = 0
        for console in consoles:
            try:
                visible = recipients(message, console.scope, self.source_of)
            except Exception:
                log.exception("could not judge who may see a %s message", message.get("type"))
                continue
            if visible:
                console.offer(text)
                sent += 1
        return sent

    def _end_sessions(self, message: dict[str, Any], consoles: list[Console]) -> int:
        if message.get("type") != "logout":
            return 0
        ended = 0
        for console in consoles:
            scope = console.scope
            ours = (message.get("session_id") == scope.session_id
                    or message.get("user_id") == scope.user_id)
            if ours:
                console.close_code = CLOSE_SIGNED_OUT
                console.offer(None)
                ended += 1
        return ended

    def source_of(self, case_id: int) -> str | None:
        """Who reported a case (a grassroots worker's username); never changes, so kept."""
        if case_id in self.sources:
            self.sources.move_to_end(case_id)
            return self.sources[case_id]
        with self.sessions() as session:
            source = session.scalar(
                select(Intake.source).join(Case, Case.intake_id == Intake.id)
                .where(Case.id == case_id))
        self.sources[case_id] = source
        if len(self.sources) > 10_000:
            self.sources.popitem(last=False)
        return source


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def relay_of(websocket: WebSocket) -> Relay:
    state = websocket.app.state
    relay: Relay | None = getattr(state, "console_relay", None)
    if relay is None:
        deps = deps_of(websocket)
        relay = Relay(deps.redis, deps.sessions)
        state.console_relay = relay
    return relay


def scope_of(user: SessionUser, sessions: sessionmaker[Session]) -> Scope:
    units: frozenset[str] = frozenset()
    if user.role == "supervisor":
        with sessions() as session:
            units = frozenset(units_below(session, user.unit_code))
    return Scope(user_id=user.id, username=user.username, role=user.role,
                 unit_code=user.unit_code, session_id=user.session_id, units=units)


async def console_socket(websocket: WebSocket) -> None:
    deps = deps_of(websocket)
    if not origin_allowed(websocket, deps.allowed_origins):
        await websocket.close(code=CLOSE_FORBIDDEN_ORIGIN)
        return
    user = await asyncio.to_thread(user_for_websocket, websocket)
    if user is None:
        await websocket.close(code=CLOSE_SIGNED_OUT)
        return
    scope = await asyncio.to_thread(scope_of, user, deps.sessions)
    await websocket.accept()
    relay = relay_of(websocket)
    console = Console(scope=scope, loop=asyncio.get_running_loop())
    relay.add(console)
    reader = asyncio.create_task(_drain_incoming(websocket))
    try:
        await asyncio.to_thread(relay.subscribed.wait, 5.0)
        await websocket.send_text(json.dumps({"type": "hello", "role": scope.role}))
        while True:
            getter = asyncio.create_task(console.outbox.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                getter.cancel()
                return
            text = getter.result()
            if text is None:
                await websocket.close(code=console.close_code)
                return
            await websocket.send_text(text)
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        relay.remove(console)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await reader


async def _drain_incoming(websocket: WebSocket) -> None:
    """Consoles send nothing that matters; reading notices when the browser goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


routes: list[BaseRoute] = [
    # signed-in users of every role; each receives only what its scope may see
    WebSocketRoute("/console/ws", console_socket),
]
