"""Who is posting: machine channels by API key (+ HMAC for apps), grassroots workers by token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from cases.accounts import client_by_key, key_digest
from cases.tables import User

MAX_SKEW_S = 300
_TOKEN_PREFIX = "hotline:token:"


class AuthError(Exception):
    """401 with a reason the caller can act on."""


@dataclass(frozen=True)
class Caller:
    kind: str  # client | user
    name: str
    channel: str | None = None
    user_id: int | None = None
    role: str | None = None
    unit_code: str | None = None


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthError("缺少 Authorization: Bearer 凭据")
    return value.strip()


@dataclass(frozen=True)
class MachineClient:
    name: str
    channel: str
    secret: str | None


class ClientKeys:
    """API keys found valid in the last `ttl_s` seconds, so a busy phone system's requests
    skip the database look-up. A deactivated key stops working within `ttl_s`.
    """

    def __init__(self, ttl_s: float = 10.0) -> None:
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[MachineClient, float]] = {}

    def forget(self) -> None:
        self._known.clear()

    def client(self, sessions: sessionmaker[Session], request: Request, channel: str) -> MachineClient:
        api_key = bearer(request)
        digest = key_digest(api_key)
        known = self._known.get(digest)
        if known is not None and known[1] > time.monotonic():
            client = known[0]
        else:
            with sessions() as session:
                row = client_by_key(session, api_key)
                if row is None:
                    raise AuthError("API key 无效或无权使用该渠道")
                client = MachineClient(row.name, row.channel, row.secret)
            self._known[digest] = (client, time.monotonic() + self.ttl_s)
        if client.channel != channel:
            raise AuthError("API key 无效或无权使用该渠道")
        return client


def verify_signature(client: MachineClient, request: Request, body: bytes, now: float | None = None) -> None:
    """HMAC-SHA256 over `timestamp + "." + body` with the app's secret; stale = rejected."""
    timestamp = request.headers.get("x-hotline-timestamp", "")
    signature = request.headers.get("x-hotline-signature", "")
    if not timestamp or not signature:
        raise AuthError("缺少 X-Hotline-Timestamp 或 X-Hotline-Signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise AuthError("X-Hotline-Timestamp 应为 Unix 秒数") from None
    if abs((now if now is not None else time.time()) - sent) > MAX_SKEW_S:
        raise AuthError("请求时间戳已过期（超过5分钟）")
    if client.secret is None:
        raise AuthError("该客户端未配置签名密钥")
    expected = sign(client.secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise AuthError("签名不正确")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _token_key(token: str) -> str:
    return _TOKEN_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(redis: Redis, user: User, ttl_s: int) -> str:
    token = "ht_" + secrets.token_urlsafe(32)
    redis.set(_token_key(token), str(user.id), ex=ttl_s)
    return token


def user_id_for_token(redis: Redis, token: str) -> int | None:
    value = redis.get(_token_key(token))
    return int(value) if value is not None else None
