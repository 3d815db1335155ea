"""Console sign-in sessions, kept server-side in Redis so that ending one takes effect at once.

The cookie carries a random token; Redis keys hold only its SHA-256, so a copy of
the Redis data cannot be replayed as cookies. Each session expires after the
idle timeout, and every use pushes the expiry out again (sliding).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from redis import Redis

SESSIONS_CHANNEL = "hotline:sessions"
_SESSION_KEY = "hotline:session:"
_USER_SESSIONS_KEY = "hotline:user-sessions:"


@dataclass(frozen=True)
class StoredSession:
    session_id: str  # the public id (digest of the token), safe to publish and log
    user_id: int
    username: str
    display_name: str
    role: str
    unit_code: str
    csrf_token: str


def session_id_of(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class SessionStore:
    def __init__(self, redis: Redis, idle_minutes: int) -> None:
        if idle_minutes < 1:
            raise ValueError(f"session idle timeout must be at least 1 minute, got {idle_minutes}")
        self.redis = redis
        self.idle_seconds = idle_minutes * 60

    def create(self, *, user_id: int, username: str, display_name: str, role: str,
               unit_code: str) -> tuple[str, StoredSession]:
        """A new session; returns the cookie token (shown once) and what is stored."""
        token = secrets.token_urlsafe(32)
        stored = StoredSession(
            session_id=session_id_of(token), user_id=user_id, username=username,
            display_name=display_name, role=role, unit_code=unit_code,
            csrf_token=secrets.token_urlsafe(32),
        )
        index = _USER_SESSIONS_KEY + str(user_id)
        self._forget_expired(index)
        pipe = self.redis.pipeline()
        pipe.set(_SESSION_KEY + stored.session_id, json.dumps(stored.__dict__),
                 ex=self.idle_seconds)
        pipe.sadd(index, stored.session_id)
        pipe.execute()
        return token, stored

    def _forget_expired(self, index: str) -> None:
        """Drop sessions that timed out from a user's index, so it does not grow forever."""
        members = [m.decode() if isinstance(m, bytes) else str(m)
                   for m in self.redis.smembers(index)]
        if not members:
            return
        pipe = self.redis.pipeline()
        for session_id in members:
            pipe.exists(_SESSION_KEY + session_id)
        expired = [m for m, alive in zip(members, pipe.execute(), strict=True) if not alive]
        if expired:
            self.redis.srem(index, *expired)

    def get(self, token: str) -> StoredSession | None:
        """The live session of this cookie token, its idle expiry pushed out; None when gone."""
        if not token:
            return None
        key = _SESSION_KEY + session_id_of(token)
        pipe = self.redis.pipeline()
        pipe.get(key)
        pipe.expire(key, self.idle_seconds)
        raw, _ = pipe.execute()
        if raw is None:
            return None
        return StoredSession(**json.loads(raw))

    def end(self, session_id: str) -> None:
        raw = self.redis.get(_SESSION_KEY + session_id)
        pipe = self.redis.pipeline()
        pipe.delete(_SESSION_KEY + session_id)
        if raw is not None:
            pipe.srem(_USER_SESSIONS_KEY + str(json.loads(raw)["user_id"]), session_id)
        pipe.publish(SESSIONS_CHANNEL, json.dumps({"type": "logout", "session_id": session_id}))
        pipe.execute()

    def end_all_of_user(self, user_id: int) -> int:
        """End every session of a user (disabled, password changed); returns how many were live."""
        index = _USER_SESSIONS_KEY + str(user_id)
        session_ids = [s.decode() if isinstance(s, bytes) else str(s)
                       for s in self.redis.smembers(index)]
        pipe = self.redis.pipeline()
        for session_id in session_ids:
            pipe.delete(_SESSION_KEY + session_id)
        pipe.delete(index)
        pipe.publish(SESSIONS_CHANNEL, json.dumps({"type": "logout", "user_id": user_id}))
        results = pipe.execute()
        return sum(int(r) for r in results[: len(session_ids)])
