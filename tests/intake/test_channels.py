"""The three channels end to end: HTTP → inbox → rq → worker → case."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from cases.tables import ApiClient, Case, Intake
from intake.auth import sign
from intake.services import IntakeServices
from tests.intake.conftest import run_jobs

CALLER = "13987654321"
# Invented person; ID number with a valid GB 11643 check digit.
ID_NUMBER = "530329195003120012"


def call_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "call_id": "call-0001",
        "caller_number": CALLER,
        "text": "来电人称其父亲住在白石镇白石村，没有劳动能力也没有收入，一个月就靠几百块过日子，"
                "请求帮助申请低保。",
        "person": {"name": "杨老四", "id_number": ID_NUMBER, "address": "白石镇白石村3组",
                   "tags": ["失能"]},
        "caller": {"name": "杨小梅", "relation": "女儿"},
    }
    payload.update(overrides)
    return payload


def bearer(credentials: dict[str, Any], channel: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials[channel]['api_key']}"}


def signed(credentials: dict[str, Any], body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        **bearer(credentials, "app"),
        "Content-Type": "application/json",
        "X-Hotline-Timestamp": stamp,
        "X-Hotline-Signature": sign(credentials["app"]["secret"], stamp, body),
    }


def referral_token(client: TestClient, credentials: dict[str, Any]) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json=credentials["referral"])
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def counts(services: IntakeServices) -> tuple[int, int, int]:
    with services.sessions() as session:
        intakes = session.scalar(select(func.count()).select_from(Intake)) or 0
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
    return intakes, cases, services.queue.count


def test_a_call_becomes_a_routed_case(client: TestClient, services: IntakeServices,
                                      credentials: dict[str, Any]) -> None:
    response = client.post("/api/v1/intake/call", json=call_payload(),
                           headers=bearer(credentials, "call"))
    assert response.status_code == 202, response.text
    intake_id = response.json()["intake_id"]
    assert client.get(f"/api/v1/intakes/{intake_id}",
                      headers=bearer(credentials, "call")).json()["state"] == "pending"

    run_jobs(services)

    state = client.get(f"/api/v1/intakes/{intake_id}", headers=bearer(credentials, "call")).json()
    assert state["state"] == "processed"
    case = client.get(f"/api/v1/cases/{state['case_id']}", headers=bearer(credentials, "call")).json()
    assert case["channel"] == "call"
    assert case["tracking_no"].endswith(f"{state['case_id']:06d}")
    assert "dibao" in case["categories"]
    assert case["accepting_unit"] == "530329102000"  # 白石镇, from the named village
    assert case["state"] in ("dispatched", "triage")
    assert case["person"]["name"] == "杨**"
    assert case["person"]["id_number"] == "5303**********0012"
    assert case["caller"]["phone"] == "139****4321"
    assert [e["kind"] for e in case["timeline"]][:1] == ["received"]
    for key in ("categories", "lead_department", "co_departments", "urgency", "created_at"):
        assert key in case


def test_an_app_message_needs_a_valid_fresh_signature(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    body = json.dumps({"message_id": "app-77", "text": "我家房子漏雨，墙也裂了，住着害怕，能申请危房改造吗"},
                      ensure_ascii=False).encode()
    wrong = {**signed(credentials, body), "X-Hotline-Signature": "0" * 64}
    assert client.post("/api/v1/intake/app", content=body, headers=wrong).status_code == 401
    stale = signed(credentials, body, timestamp=int(time.time()) - 301)
    response = client.post("/api/v1/intake/app", content=body, headers=stale)
    assert response.status_code == 401 and "过期" in response.json()["message"]
    assert counts(services) == (0, 0, 0)

    response = client.post("/api/v1/intake/app", content=body, headers=signed(credentials, body))
    assert response.status_code == 202, response.text
    run_jobs(services)
    assert counts(services)[:2] == (1, 1)


def test_a_referral_is_made_by_a_signed_in_worker(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    headers = referral_token(client, credentials)
    referral = {
        "text": "本村村民一个人住，八十多岁，最近摔了一跤起不来床，儿女都在外地打工，没人照顾。",
        "village_code": "530329201202",
        "person": {"name": "李有福", "tags": ["独居", "高龄"]},
        "message_id": "ref-1",
    }
    response = client.post("/api/v1/intake/referral", json=referral, headers=headers)
    assert response.status_code == 202, response.text
    run_jobs(services)
    with services.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.channel == "referral"
        assert case.accepting_unit == "530329201000"  # 松林乡, the worker's village vouches

    unknown = dict(referral, village_code="530329999201", message_id="ref-2")
    response = client.post("/api/v1/intake/referral", json=unknown, headers=headers)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "village_code"
    bad_token = {"Authorization": "Bearer ht_not-a-token"}
    assert client.post("/api/v1/intake/referral", json=referral,
                       headers=bad_token).status_code == 401


def test_the_same_message_delivered_twice_makes_one_case(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    payload = call_payload(message_id="pbx-42")
    first = client.post("/api/v1/intake/call", json=payload, headers=bearer(credentials, "call"))
    second = client.post("/api/v1/intake/call", json=payload, headers=bearer(credentials, "call"))
    assert first.status_code == second.status_code == 202
    assert first.json()["intake_id"] == second.json()["intake_id"]
    assert second.json()["duplicate"] is True
    run_jobs(services)
    assert counts(services) == (1, 1, 0)


def test_a_call_posted_twice_without_a_message_id_makes_one_case(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    payload = call_payload()
    payload.pop("message_id", None)
    headers = bearer(credentials, "call")
    first = client.post("/api/v1/intake/call", json=payload, headers=headers)
    again = client.post("/api/v1/intake/call", json=payload, headers=headers)
    assert first.json()["intake_id"] == again.json()["intake_id"]
    assert again.json()["duplicate"] is True
    # The same call with a second person's request is another intake.
    other = dict(payload, text="另外我们隔壁的老人也一个人住，瘫在床上没人管")
    second_need = client.post("/api/v1/intake/call", json=other, headers=headers)
    assert second_need.json()["duplicate"] is False
    run_jobs(services)
    assert counts(services)[:2] == (2, 2)


def test_a_job_run_twice_opens_one_case(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    from intake.jobs import process_intake
    from intake.queueing import enqueue_intake

    intake_id = client.post("/api/v1/intake/call", json=call_payload(),
                            headers=bearer(credentials, "call")).json()["intake_id"]
    run_jobs(services)
    enqueue_intake(services.queue, intake_id, 3)
    run_jobs(services)
    first = process_intake(intake_id)
    assert counts(services)[:2] == (1, 1)
    assert first is not None


def test_earlier_cases_of_a_phone_are_listed(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    headers = bearer(credentials, "call")
    client.post("/api/v1/intake/call", json=call_payload(call_id="c1"), headers=headers)
    client.post("/api/v1/intake/call", json=call_payload(
        call_id="c2", caller_number="+86 139-8765-4321",
        text="还是我，上次说的我爸的事，另外他住院花了两万多，新农合报了一部分，剩下的还不上"),
        headers=headers)
    run_jobs(services)
    found = client.get("/api/v1/people/lookup", params={"phone": "13987654321"}, headers=headers)
    assert found.status_code == 200
    body = found.json()
    assert body["phone"] == "+8613987654321"
    assert len(body["cases"]) == 2
    assert all(p["phone"] == "139****4321" for p in body["people"])
    bad = client.get("/api/v1/people/lookup", params={"phone": "12345"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "phone"


def test_openapi_describes_every_channel(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/intake/call", "/api/v1/intake/app", "/api/v1/intake/referral",
                 "/api/v1/intakes/{intake_id}", "/api/v1/cases/{case_id}", "/api/v1/people/lookup"):
        assert path in document["paths"]
    call = document["components"]["schemas"]["CallIntake"]
    assert {"call_id", "caller_number", "text"} <= set(call["required"])
    assert call["additionalProperties"] is False


def test_classify_answers_signals_and_route(client: TestClient, credentials: dict[str, Any]) -> None:
    response = client.post("/api/v1/classify", headers=bearer(credentials, "call"),
                           json={"text": "马街镇红土村，孩子白血病住院，报销后还欠二十万，孩子妈妈没有工作"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"] == "yiliao"
    assert body["lead_department"] == "yb"
    assert body["route"]["accepting_unit"] == "530329105000"
    assert body["explanation"]
    unauthenticated = client.post("/api/v1/classify", json={"text": "x"})
    assert unauthenticated.status_code == 401


def test_an_agents_correction_routes_the_case_and_is_a_training_example(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    from cases.tables import TrainingExample

    payload = call_payload(
        call_id="corr-1", accepting_unit="530329102000",
        text="我爸瘫在床上，家里没有收入，想给他申请点补助",
        agent_route={"categories": ["tekun", "canji"], "lead_department": "mz_jz",
                     "co_departments": ["cl"], "urgency": "urgent"})
    assert client.post("/api/v1/intake/call", json=payload,
                       headers=bearer(credentials, "call")).status_code == 202
    run_jobs(services)
    with services.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.categories, case.lead_department, case.co_departments, case.urgency,
                case.state) == (["tekun", "canji"], "mz_jz", ["cl"], "urgent", "dispatched")
        example = session.scalars(select(TrainingExample)).one()
        assert example.case_id == case.id and example.categories == ["tekun", "canji"]
        assert example.created_by == "phone-system"


def test_an_unknown_code_in_the_agents_route_is_refused(
    client: TestClient, credentials: dict[str, Any]
) -> None:
    payload = call_payload(agent_route={"categories": ["Dibao!"]})
    response = client.post("/api/v1/intake/call", json=payload, headers=bearer(credentials, "call"))
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "agent_route.categories.0"


def test_a_deactivated_key_is_refused_once_its_cached_look_up_expires(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    headers = bearer(credentials, "call")
    assert client.post("/api/v1/intake/call", json=call_payload(), headers=headers).status_code == 202
    with services.sessions() as session:
        for api_client in session.scalars(select(ApiClient).where(ApiClient.channel == "call")):
            api_client.active = False
        session.commit()
    # Known keys are trusted for client_keys.ttl_s (10 s by default) without a look-up.
    services.client_keys.ttl_s = 0
    services.client_keys.forget()
    second = client.post("/api/v1/intake/call", json=call_payload(message_id="m-2"), headers=headers)
    assert second.status_code == 401
    assert "API key 无效" in second.json()["message"]
    assert counts(services)[0] == 1
