"""Call events from the phone system: authenticated, validated, popped on the ringing agent's screen."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

from redis import Redis
from starlette.testclient import TestClient

from agents_ui.live import CALLS_CHANNEL
from intake.services import IntakeServices
from tests.agents_ui.test_live import ORIGIN
from tests.agents_ui.test_pages import call_case, sign_in

DAUGHTER = "13987654321"
FATHER = "13812345678"
# Invented person; the ID number has a valid GB 11643 check digit.
FATHER_ID = "530329195003120012"


def event(kind: str, agent: str = "agent", number: str = DAUGHTER) -> dict[str, Any]:
    return {"event": kind, "call_id": "cti-88", "caller_number": number, "agent": agent}


def cti(credentials: dict[str, Any], channel: str = "call") -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials[channel]['api_key']}"}


def test_only_the_phone_system_may_post_call_events(console: TestClient,
                                                    credentials: dict[str, Any]) -> None:
    assert console.post("/api/v1/calls/events", json=event("ringing")).status_code == 401
    wrong = console.post("/api/v1/calls/events", json=event("ringing"), headers=cti(credentials, "app"))
    assert wrong.status_code == 401
    bad = console.post("/api/v1/calls/events", headers=cti(credentials),
                       json={**event("ringing"), "event": "dialing", "caller_number": "12"})
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["fields"]} == {"event", "caller_number"}
    extra = console.post("/api/v1/calls/events", headers=cti(credentials),
                         json={**event("ringing"), "secret": 1})
    assert extra.status_code == 422


def test_a_ringing_call_pops_the_callers_history_on_that_agents_screen_only(
    console: TestClient, credentials: dict[str, Any], services: IntakeServices, redis: Redis,
) -> None:
    # The daughter called about her father once; later the father called from his own phone.
    earlier = call_case(console, credentials, services, caller_number=DAUGHTER,
                        person={"name": "杨老四", "id_number": FATHER_ID},
                        caller={"name": "杨小梅", "relation": "女儿"})
    later = call_case(console, credentials, services, caller_number=FATHER, caller_is_person=True,
                      caller={"name": "杨老四", "id_number": FATHER_ID},
                      text="我是白石镇白石村的杨老四，上次申请低保到现在还没有消息，想问一下进度。")
    unrelated = call_case(console, credentials, services, caller_number="13700001111",
                          text="松林乡新民村有个老人一个人住，房子漏雨，想申请危房改造。")
    sign_in(console, credentials, "agent")
    admin = TestClient(console.app)
    sign_in(admin, credentials, "admin")
    with ExitStack() as stack:
        mine = stack.enter_context(console.websocket_connect("/console/ws", headers=ORIGIN))
        other = stack.enter_context(admin.websocket_connect("/console/ws", headers=ORIGIN))
        assert mine.receive_json()["type"] == other.receive_json()["type"] == "hello"
        response = console.post("/api/v1/calls/events", json=event("ringing"), headers=cti(credentials))
        assert response.status_code == 202 and response.json()["relayed"] is True
        popped = mine.receive_json()
        console.post("/api/v1/calls/events", json=event("answered"), headers=cti(credentials))
        answered = mine.receive_json()
        # Closing the admin's socket proves it had nothing queued before: the pop went to one agent.
        redis.publish(CALLS_CHANNEL, json.dumps({"type": "call", **event("hangup", agent="admin")}))
        assert other.receive_json()["event"] == "hangup"
    assert popped["type"] == "call" and popped["event"] == "ringing"
    assert popped["caller_number"] == "+86" + DAUGHTER and popped["area"]
    history = [c["id"] for c in popped["history"]["cases"]]
    assert set(history) == {earlier, later} and unrelated not in history
    people = popped["history"]["people"]
    assert len(people) == 2 and {p["name"] for p in people} == {"杨**"}  # daughter, father: masked
    assert all("id_number" not in p or p["id_number"] in (None, "5303**********0012") for p in people)
    assert answered["event"] == "answered" and answered["history"] == popped["history"]


def test_the_new_case_form_fills_from_the_agents_call(
    console: TestClient, credentials: dict[str, Any],
) -> None:
    console.post("/api/v1/calls/events", json=event("ringing"), headers=cti(credentials))
    sign_in(console, credentials, "agent")
    state = console.get("/console/api/calls/cti-88")
    assert state.status_code == 200 and state.json()["caller_number"] == "+86" + DAUGHTER
    form = console.get("/console/cases/new", params={"call_id": "cti-88"}).text
    assert f'value="{DAUGHTER}"' in form and 'name="call_id" value="cti-88"' in form

    township = TestClient(console.app)
    sign_in(township, credentials, "township")
    assert township.get("/console/api/calls/cti-88").status_code == 403
    console.post("/api/v1/calls/events", json=event("ringing", agent="someone-else"),
                 headers=cti(credentials))
    assert console.get("/console/api/calls/cti-88").status_code == 404
