"""The agent's screens on the server side: queue, case page, new case through the intake, search."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from redis import Redis
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from agents_ui.auth import SESSION_COOKIE
from cases.tables import Case, Clock, Intake, TrainingExample
from intake.services import IntakeServices
from tests.intake.conftest import run_jobs

_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CALLER = "13987654321"
DIBAO = ("来电人称其父亲住在白石镇白石村，没有劳动能力也没有收入，一个月就靠几百块过日子，"
         "请求帮助申请低保。")


def sign_in(client: TestClient, credentials: dict[str, Any], role: str) -> str:
    user = credentials["users"][role]
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post("/console/login", data={
        "username": user["username"], "password": user["password"],
        "csrf_token": token.group(1), "next": ""}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in client.cookies, response.text
    meta = _META.search(client.get("/console/search").text)
    assert meta and meta.group(1)
    return meta.group(1)


def call_case(client: TestClient, credentials: dict[str, Any], services: IntakeServices,
              text: str = DIBAO, **extra: Any) -> int:
    response = client.post("/api/v1/intake/call", json={
        "call_id": "c-1", "caller_number": CALLER, "text": text, **extra},
        headers={"Authorization": f"Bearer {credentials['call']['api_key']}"})
    assert response.status_code == 202, response.text
    run_jobs(services)
    with services.sessions() as session:
        intake = session.get(Intake, response.json()["intake_id"])
        assert intake is not None and intake.case_id is not None, intake and intake.last_error
        return intake.case_id


def test_the_queue_lists_new_cases_of_the_scope_sorted_by_time_to_breach(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
    sessions: sessionmaker[Session],
) -> None:
    first = call_case(console, credentials, services)
    second = call_case(console, credentials, services, text="我住在松林乡新民村，房子漏雨，墙也裂了，"
                       "住着害怕，想申请危房改造，家里是低保户。", person={"address": "松林乡新民村"})
    now = dt.datetime.now(dt.UTC)
    with sessions() as session:
        session.execute(delete(Clock))
        for case_id, hours, warned in ((first, 30, False), (second, 2, True)):
            session.add(Clock(case_id=case_id, kind="accept", duration="1wd", policy_version="t",
                              state="warned" if warned else "running", started_at=now,
                              deadline=now + dt.timedelta(hours=hours),
                              warn_at=now + dt.timedelta(hours=-1 if warned else hours - 4)))
        session.commit()
    sign_in(console, credentials, "agent")
    page = console.get("/console/queue")
    assert page.status_code == 200
    order = [int(i) for i in re.findall(r'data-case-id="(\d+)"', page.text)]
    assert order[:2] == [second, first]
    assert re.search(rf'level-warned[^>]*data-case-id="{second}"', page.text)
    assert re.search(rf'level-running[^>]*data-case-id="{first}"', page.text)
    row = console.get(f"/console/api/queue/{first}").json()
    assert row["row"]["id"] == first and f'data-case-id="{first}"' in row["html"]

    township = TestClient(console.app)
    sign_in(township, credentials, "township")
    mine = re.findall(r'data-case-id="(\d+)"', township.get("/console/queue").text)
    assert str(first) in mine and str(second) not in mine
    assert township.get(f"/console/api/queue/{second}").status_code == 404
    assert township.get(f"/console/cases/{second}").status_code == 404


def test_the_case_page_shows_timeline_clocks_and_only_this_roles_actions(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
) -> None:
    case_id = call_case(console, credentials, services, person={"name": "杨老四"})
    sign_in(console, credentials, "township")
    page = console.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert "受理登记" in page.text and "杨**" in page.text and "杨老四" not in page.text
    assert 'data-action="accept"' in page.text
    assert 'data-action="dispatch"' not in page.text and 'data-action="follow_up"' not in page.text

    agent = TestClient(console.app)
    sign_in(agent, credentials, "agent")
    page = agent.get(f"/console/cases/{case_id}")
    assert 'data-action="accept"' not in page.text and 'data-action="transfer_out"' in page.text


def test_the_suggestion_follows_the_text_and_the_agents_township(
    console: TestClient, credentials: dict[str, Any],
) -> None:
    csrf = sign_in(console, credentials, "agent")
    assert console.post("/console/api/suggest", json={"text": DIBAO}).status_code == 403
    answer = console.post("/console/api/suggest", json={"text": DIBAO, "caller_number": CALLER},
                          headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "dibao" in body["categories"] and body["accepting_unit"] == "530329102000"
    assert body["names"]["accepting_unit"] == "白石镇" and body["needs"][0]["name"]
    chosen = console.post("/console/api/suggest", headers={"X-CSRF-Token": csrf}, json={
        "text": DIBAO, "accepting_unit": "530329103000"}).json()
    assert chosen["accepting_unit"] == "530329103000"
    empty = console.post("/console/api/suggest", json={"text": " "}, headers={"X-CSRF-Token": csrf})
    assert empty.status_code == 422 and "不能为空" in empty.json()["error"]


def new_case_form(client: TestClient, query: str = "") -> dict[str, str]:
    page = client.get("/console/cases/new" + query)
    assert page.status_code == 200, page.text
    token = _FORM_TOKEN.search(page.text)
    csrf = _META.search(page.text)
    assert token and csrf
    return {"form_token": token.group(1), "csrf_token": csrf.group(1)}


def test_a_corrected_case_goes_through_the_intake_once_and_keeps_the_correction(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
    sessions: sessionmaker[Session], redis: Redis,
) -> None:
    csrf = sign_in(console, credentials, "agent")
    hidden = new_case_form(console)
    form = {**hidden, "caller_number": CALLER, "text": DIBAO, "person_name": "杨老四",
            "person_tags": ["失能", "不存在的标签"], "caller_relation": "女儿",
            "categories": ["dibao", "yiliao"], "lead_department": "mz_jz",
            "co_departments": ["yb"], "urgency": "urgent", "accepting_unit": "530329102000"}
    first = console.post("/console/cases/new", data=form, follow_redirects=False)
    again = console.post("/console/cases/new", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]  # one intake, not two
    intake_id = first.headers["location"].rsplit("/", 1)[1]
    assert "正在生成工单" in console.get(first.headers["location"]).text
    run_jobs(services)
    applied = console.post(f"/console/api/intakes/{intake_id}/follow-up",
                           headers={"X-CSRF-Token": csrf})
    assert applied.status_code == 200, applied.text
    case_id = applied.json()["case_id"]
    with sessions() as session:
        intake = session.get(Intake, intake_id)
        case = session.get(Case, case_id)
        examples = list(session.scalars(select(TrainingExample)))
        assert intake is not None and case is not None
        assert intake.source == "agent" and intake.channel == "call"
        assert intake.payload["person"]["tags"] == ["失能"]
        assert intake.payload["accepting_unit"] == "530329102000"
        assert case.accepting_unit == "530329102000"
        assert len(examples) == 1
        assert examples[0].categories == ["dibao", "yiliao"] and examples[0].case_id == case_id
        assert examples[0].departments == ["mz_jz", "yb"] and examples[0].urgency == "urgent"
        # The case opened as the agent decided, not as the classifier suggested.
        assert (case.state, case.categories, case.lead_department, case.co_departments,
                case.urgency) == ("dispatched", ["dibao", "yiliao"], "mz_jz", ["yb"], "urgent")
    assert applied.json()["notices"] == ["已按您确认的分派派单"]


def test_a_bad_form_is_shown_again_with_the_field_named(
    console: TestClient, credentials: dict[str, Any], sessions: sessionmaker[Session],
) -> None:
    sign_in(console, credentials, "agent")
    hidden = new_case_form(console)
    response = console.post("/console/cases/new", data={
        **hidden, "caller_number": "12345", "text": DIBAO, "person_id_number": "530329195003120013"})
    assert response.status_code == 422
    assert "来电号码" in response.text and "身份证号" in response.text
    assert DIBAO in response.text  # what the agent typed is not lost
    with sessions() as session:
        assert session.scalar(select(Intake.id)) is None


def test_a_question_is_answered_on_the_spot_from_the_policy_answers(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
    sessions: sessionmaker[Session],
) -> None:
    csrf = sign_in(console, credentials, "agent")
    found = console.get("/console/api/answers", params={"q": "临时救助多久能拿到"}).json()["answers"]
    assert found and found[0]["topic"] in ("临时救助", "先行救助") and "48小时" in found[0]["answer"]
    hidden = new_case_form(console)
    response = console.post("/console/cases/new", data={
        **hidden, "caller_number": CALLER, "text": "想问一下家里突然有人重病，临时救助一般多久能拿到？",
        "answer_id": str(found[0]["id"]), "answer_note": ""}, follow_redirects=False)
    intake_id = response.headers["location"].rsplit("/", 1)[1]
    run_jobs(services)
    applied = console.post(f"/console/api/intakes/{intake_id}/follow-up",
                           headers={"X-CSRF-Token": csrf}).json()
    with sessions() as session:
        case = session.get(Case, applied["case_id"])
        assert case is not None
        if case.state == "answered" and "当场答复" in applied["notices"][0]:
            detail = console.get(f"/console/cases/{case.id}").text
            assert "48小时" in detail
        assert case.state in ("answered", "triage", "dispatched")


def test_policy_answers_are_edited_by_admins_only(
    console: TestClient, credentials: dict[str, Any],
) -> None:
    csrf = sign_in(console, credentials, "agent")
    page = console.get("/console/answers", params={"q": "危房"})
    assert page.status_code == 200 and "危房改造" in page.text
    refused = console.post("/console/answers", data={
        "csrf_token": csrf, "topic": "低保", "question": "q", "answer": "a"})
    assert refused.status_code == 403

    admin = TestClient(console.app)
    admin_csrf = sign_in(admin, credentials, "admin")
    saved = admin.post("/console/answers", data={
        "csrf_token": admin_csrf, "topic": "养老", "question": "高龄津贴怎么领？",
        "answer": "80周岁以上老人向村（社区）申请，乡镇审核。", "keywords": "高龄，津贴"},
        follow_redirects=False)
    assert saved.status_code == 303
    found = admin.get("/console/api/answers", params={"q": "高龄津贴"}).json()["answers"]
    assert found[0]["question"] == "高龄津贴怎么领？" and found[0]["keywords"] == ["高龄", "津贴"]
    empty = admin.post("/console/answers", data={
        "csrf_token": admin_csrf, "id": str(found[0]["id"]), "topic": "养老", "question": "",
        "answer": "x"})
    assert empty.status_code == 422 and "question：不能为空" in empty.text
    deleted = admin.post("/console/answers", data={
        "csrf_token": admin_csrf, "id": str(found[0]["id"]), "delete": "1", "topic": "x",
        "question": "x", "answer": "x"}, follow_redirects=False)
    assert deleted.status_code == 303
    left = admin.get("/console/api/answers", params={"q": "高龄津贴"}).json()["answers"]
    assert all(a["question"] != "高龄津贴怎么领？" for a in left)


def test_the_search_page_renders_scoped_results(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
) -> None:
    case_id = call_case(console, credentials, services, person={"name": "杨老四"})
    sign_in(console, credentials, "agent")
    page = console.get("/console/search", params={"phone": CALLER})
    assert page.status_code == 200 and f'data-case-id="{case_id}"' in page.text
    assert "杨老四" not in page.text
    bad = console.get("/console/search", params={"from": "yesterday"})
    assert bad.status_code == 400


def test_accepting_the_suggestion_as_it_is_records_no_correction(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
    sessions: sessionmaker[Session],
) -> None:
    csrf = sign_in(console, credentials, "agent")
    text = ("松林乡新民村的独居老人摔伤了腿，家里没有收入，看病的钱也拿不出来，"
            "想申请临时救助和医疗救助。")
    suggested = console.post("/console/api/suggest", json={"text": text},
                             headers={"X-CSRF-Token": csrf}).json()
    assert len(suggested["categories"]) >= 2, suggested["categories"]
    hidden = new_case_form(console)
    response = console.post("/console/cases/new", data={
        **hidden, "caller_number": CALLER, "text": text,
        "categories": list(reversed(suggested["categories"])),  # the form's order is not the case's
        "lead_department": suggested["lead_department"],
        "co_departments": suggested["co_departments"], "urgency": suggested["urgency"],
    }, follow_redirects=False)
    intake_id = response.headers["location"].rsplit("/", 1)[1]
    run_jobs(services)
    applied = console.post(f"/console/api/intakes/{intake_id}/follow-up",
                           headers={"X-CSRF-Token": csrf})
    assert applied.status_code == 200, applied.text
    with sessions() as session:
        case = session.get(Case, applied.json()["case_id"])
        assert case is not None and case.state == "dispatched"
        assert case.categories == suggested["categories"]
        assert session.scalar(select(TrainingExample.id)) is None


def test_a_departments_queue_holds_its_parts_still_to_accept(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices,
) -> None:
    case_id = call_case(console, credentials, services)
    township = TestClient(console.app)
    township_csrf = sign_in(township, credentials, "township")
    accepted = township.post(f"/console/api/cases/{case_id}/actions/accept", json={},
                             headers={"X-CSRF-Token": township_csrf})
    assert accepted.status_code == 200, accepted.text
    assert f'data-case-id="{case_id}"' not in township.get("/console/queue").text

    department_csrf = sign_in(console, credentials, "department")
    assert f'data-case-id="{case_id}"' in console.get("/console/queue").text
    assert console.get(f"/console/api/queue/{case_id}").json()["row"]["id"] == case_id
    mine = console.post(f"/console/api/cases/{case_id}/actions/accept", json={},
                        headers={"X-CSRF-Token": department_csrf})
    assert mine.status_code == 200, mine.text
    assert f'data-case-id="{case_id}"' not in console.get("/console/queue").text
    assert console.get(f"/console/api/queue/{case_id}").json()["row"] is None
