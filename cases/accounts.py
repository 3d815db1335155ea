"""Users, machine clients and their credentials."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.tables import ApiClient, User

ROLES = ("agent", "township", "department", "grassroots", "supervisor", "admin")
ROLE_NAMES = {
    "agent": "12349接线员", "township": "乡镇经办人", "department": "部门经办人",
    "grassroots": "村协理员", "supervisor": "督办人员", "admin": "系统管理员",
}

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session, *, username: str, password: str, role: str, unit_code: str,
    display_name: str, now: dt.datetime,
) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    user = User(username=username, password_hash=hash_password(password), role=role,
                unit_code=unit_code, display_name=display_name, active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        # Spend the same time as a real check so that user names cannot be probed.
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    return user


def key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def create_api_client(session: Session, *, name: str, channel: str) -> tuple[ApiClient, str]:
    """A new machine client; returns it with its API key, which is shown once and stored hashed."""
    api_key = "hk_" + secrets.token_urlsafe(32)
    secret = secrets.token_urlsafe(32) if channel == "app" else None
    client = ApiClient(name=name, channel=channel, key_hash=key_digest(api_key), secret=secret,
                       active=True)
    session.add(client)
    session.flush()
    return client, api_key


def client_by_key(session: Session, api_key: str) -> ApiClient | None:
    client = session.scalars(select(ApiClient).where(ApiClient.key_hash == key_digest(api_key))).first()
    if client is None or not client.active:
        return None
    return client


_DUMMY_HASH = _hasher.hash("not a password of anyone")
