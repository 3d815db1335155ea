"""The demo county: jurisdiction tree, departments, a user for every role, API clients.

Credentials are generated on first run, saved to `demo-credentials.json` (mode 0600)
in the data directory and printed; later runs reuse them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases.accounts import create_api_client, create_user, hash_password
from cases.directory import UnitRow, upsert_units
from cases.tables import ApiClient, User
from routing.catalogue import Catalogue
from routing.jurisdiction import parse_units_csv

HOTLINE_UNIT = "hotline"
COUNTY = "530329000000"

# username, role, unit, display name (all invented)
DEMO_USERS = (
    ("agent", "agent", HOTLINE_UNIT, "接线员 李芳"),
    ("township", "township", "530329102000", "白石镇经办人 王强"),
    ("department", "department", "mz_jz", "社会救助股 赵敏"),
    ("grassroots", "grassroots", "530329201202", "新民村协理员 杨春花"),
    ("supervisor", "supervisor", COUNTY, "县民政局督办 陈刚"),
    ("admin", "admin", HOTLINE_UNIT, "系统管理员 周磊"),
)


def demo_tree_csv() -> str:
    return resources.files("hotline.demo").joinpath("county.csv").read_text(encoding="utf-8")


def import_tree(session: Session, csv_text: str) -> tuple[int, int]:
    rows = [UnitRow(u.code, u.name, u.level, u.parent_code, u.aliases) for u in parse_units_csv(csv_text)]
    return upsert_units(session, rows)


def seed_units(session: Session, catalogue: Catalogue) -> None:
    import_tree(session, demo_tree_csv())
    rows = [UnitRow(HOTLINE_UNIT, "12349社会救助服务热线", "hotline", COUNTY)]
    rows += [UnitRow(code, name, "department", COUNTY) for code, name in catalogue.departments.items()]
    upsert_units(session, rows)


def seed(sessions: sessionmaker[Session], catalogue: Catalogue, data_dir: Path) -> dict[str, Any]:
    """Create the demo county once; return the credentials (also written to the data dir)."""
    path = data_dir / "demo-credentials.json"
    saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    now = dt.datetime.now(dt.UTC)
    with sessions() as session:
        seed_units(session, catalogue)
        users: dict[str, dict[str, str]] = saved.get("users", {})
        for username, role, unit, display in DEMO_USERS:
            password = users.get(role, {}).get("password") or secrets.token_urlsafe(9)
            existing = session.scalars(select(User).where(User.username == username)).first()
            if existing is None:
                create_user(session, username=username, password=password, role=role,
                            unit_code=unit, display_name=display, now=now)
            elif role not in users:
                existing.password_hash = hash_password(password)
            users[role] = {"username": username, "password": password}
        credentials: dict[str, Any] = {"users": users}
        for name, channel in (("phone-system", "call"), ("citizen-app", "app")):
            known = saved.get(channel)
            client = session.scalars(select(ApiClient).where(ApiClient.name == name)).first()
            if client is not None and known:
                credentials[channel] = known
                continue
            if client is not None:
                session.delete(client)
                session.flush()
            client, api_key = create_api_client(session, name=name, channel=channel)
            entry = {"api_key": api_key}
            if client.secret:
                entry["secret"] = client.secret
            credentials[channel] = entry
        credentials["referral"] = dict(users["grassroots"])
        session.commit()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(credentials, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(path, 0o600)
    return credentials
