"""The search API: every criterion, normalised phone and ID numbers, masking, each role's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.auth import SessionUser, viewer_of
from cases.access import may_see
from cases.people import PersonData
from cases.tables import Case, User
from tests.agents_ui.test_auth import sign_in
from tests.cases.test_actions import make_case

BAISHI, LONGQUAN, XINMIN_SONGLIN = "530329102000", "530329103000", "530329201202"
ID_WANG = "530329198001010024"  # invented; correct GB 11643 check digit


@pytest.fixture
def cases(sessions: sessionmaker[Session], credentials: dict[str, Any]) -> dict[str, int]:
    """Four cases of different people, places, departments, states and days."""
    with sessions() as session:
        made = {
            "zhang": make_case(session, message_id="1", text="老人独居，屋顶漏雨"),
            "wang": make_case(
                session, message_id="2", accepting=LONGQUAN, lead="yb", text="住院费用报销不了",
                person=PersonData(name="王建国", phone="+868743123456", id_number=ID_WANG)),
            "li": make_case(
                session, message_id="3", state="triage", accepting=None, lead=None,
                text="孩子没人照顾", person=PersonData(name="李梅", phone="+8613900001111"),
                channel="referral", source="grassroots"),
            "old": make_case(session, message_id="4", text="去年的低保问题",
                             person=PersonData(name="赵小花", phone="+8613700002222")),
        }
        made["old"].created_at = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.UTC)
        session.commit()
        return {name: case.id for name, case in made.items()}


def found(client: TestClient, **params: str) -> list[int]:
    response = client.get("/console/api/search", params=params)
    assert response.status_code == 200, response.text
    return sorted(row["id"] for row in response.json()["results"])


def test_each_criterion(console: TestClient, credentials: dict[str, Any],
                        cases: dict[str, int]) -> None:
    sign_in(console, credentials, "agent")
    zhang, wang, li, old = (cases[k] for k in ("zhang", "wang", "li", "old"))
    assert found(console) == sorted(cases.values())
    assert found(console, phone="138 1234 5678") == [zhang]
    assert found(console, phone="0874-3123456") == [wang]
    assert found(console, id_number="530329 19800101 0024") == [wang]
    assert found(console, name="小花") == sorted([zhang, old])
    assert found(console, q="报销") == [wang]
    assert found(console, state="triage") == [li]
    assert found(console, state="triage,dispatched") == sorted(cases.values())
    assert found(console, unit=LONGQUAN) == [wang]
    assert found(console, unit="yb") == [wang]
    assert found(console, **{"from": "2026-03-01"}) == sorted([zhang, wang, li])
    assert found(console, to="2026-01-10") == [old]
    with_tracking = console.get("/console/api/search", params={"q": "漏雨"}).json()
    tracking_no = with_tracking["results"][0]["tracking_no"]
    assert found(console, tracking_no=tracking_no) == [zhang]


def test_people_are_masked_in_results(console: TestClient, credentials: dict[str, Any],
                                      cases: dict[str, int]) -> None:
    sign_in(console, credentials, "agent")
    [row] = console.get("/console/api/search", params={"phone": "13812345678"}).json()["results"]
    assert (row["person_name"], row["person_phone"]) == ("张**", "138****5678")


@pytest.mark.parametrize(("params", "message"), [
    ({"phone": "12345"}, "电话号码无效"),
    ({"id_number": "530329198001010025"}, "身份证号校验位不正确"),
    ({"id_number": "5303"}, "身份证号应为18位"),
    ({"state": "lost"}, "未知的工单状态：lost"),
    ({"from": "3月1日"}, "起始日期格式应为 YYYY-MM-DD"),
    ({"limit": "0"}, "limit 应为 1 到 200 之间的整数"),
])
def test_wrong_parameters_say_what_is_wrong(console: TestClient, credentials: dict[str, Any],
                                            params: dict[str, str], message: str) -> None:
    sign_in(console, credentials, "agent")
    response = console.get("/console/api/search", params=params)
    assert response.status_code == 400 and message in response.json()["error"]


def test_limit_and_truncation(console: TestClient, credentials: dict[str, Any],
                              cases: dict[str, int]) -> None:
    sign_in(console, credentials, "agent")
    body = console.get("/console/api/search", params={"limit": "2"}).json()
    assert (body["count"], body["truncated"]) == (2, True)


@pytest.mark.parametrize("role", ["agent", "township", "department", "grassroots",
                                  "supervisor", "admin"])
def test_scope_is_exactly_what_may_see_allows(
    role: str, console: TestClient, credentials: dict[str, Any], cases: dict[str, int],
    sessions: sessionmaker[Session],
) -> None:
    sign_in(console, credentials, role)
    with sessions() as session:
        user = session.scalars(select(User).where(User.username == role)).one()
        viewer = viewer_of(SessionUser(user.id, user.username, user.display_name, user.role,
                                       user.unit_code, "", ""))
        expected = sorted(c.id for c in session.scalars(select(Case)) if may_see(session, viewer, c))
    assert found(console) == expected
    # The phone of a case outside the scope finds nothing.
    if cases["wang"] not in expected:
        assert found(console, phone="0874-3123456") == []
    # Each role sees something; the county supervisor and the hotline see everything here.
    assert expected
    if role in ("township", "department", "grassroots"):
        assert set(expected) != set(cases.values())
