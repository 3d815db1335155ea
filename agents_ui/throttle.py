"""Login failures counted per account and per address in Redis, each count expiring on its own.

An account is locked after a few failures so that one password cannot be guessed;
an address after many more, so that one machine cannot spray many accounts.
Counts are kept for a window and forgotten after it; a success clears the
account's count but not the address's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redis import Redis

_KEY = "hotline:login-failures:"


@dataclass(frozen=True)
class ThrottleRule:
    limit: int  # failures allowed within the window
    window_seconds: int


ACCOUNT_RULE = ThrottleRule(limit=5, window_seconds=15 * 60)
ADDRESS_RULE = ThrottleRule(limit=20, window_seconds=15 * 60)


@dataclass(frozen=True)
class Refusal:
    wait_seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.wait_seconds / 60))
        return f"登录失败次数过多，请{minutes}分钟后再试"


class LoginThrottle:
    def __init__(self, redis: Redis, account: ThrottleRule = ACCOUNT_RULE,
                 address: ThrottleRule = ADDRESS_RULE) -> None:
        self.redis = redis
        self.rules = {"account": account, "address": address}

    def _keys(self, username: str, address: str) -> dict[str, str]:
        return {"account": f"{_KEY}account:{username.strip().lower()}",
                "address": f"{_KEY}address:{address}"}

    def check(self, username: str, address: str) -> Refusal | None:
        """A refusal with the wait when either count is at its limit, else None."""
        keys = self._keys(username, address)
        pipe = self.redis.pipeline()
        for scope in ("account", "address"):
            pipe.get(keys[scope])
            pipe.ttl(keys[scope])
        account_count, account_ttl, address_count, address_ttl = pipe.execute()
        waits = [
            int(ttl) for count, ttl, rule in (
                (account_count, account_ttl, self.rules["account"]),
                (address_count, address_ttl, self.rules["address"]),
            ) if count is not None and int(count) >= rule.limit
        ]
        if not waits:
            return None
        return Refusal(wait_seconds=max(1, max(waits)))

    def failed(self, username: str, address: str) -> None:
        keys = self._keys(username, address)
        pipe = self.redis.pipeline()
        for scope in ("account", "address"):
            # The window starts at the first failure; INCR keeps the expiry, so later
            # failures do not push it out (SET NX also works on Redis 6, EXPIRE NX does not).
            pipe.set(keys[scope], 0, ex=self.rules[scope].window_seconds, nx=True)
            pipe.incr(keys[scope])
        pipe.execute()

    def succeeded(self, username: str, address: str) -> None:
        self.redis.delete(self._keys(username, address)["account"])
