"""Bad input gets a clear, specific error, and nothing is stored or queued."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from intake.services import IntakeServices
from tests.intake.test_channels import bearer, call_payload, counts


def post_call(client: TestClient, credentials: dict[str, Any], **kwargs: Any) -> Any:
    return client.post("/api/v1/intake/call", headers=bearer(credentials, "call"), **kwargs)


def fields_of(response: Any) -> dict[str, str]:
    return {f["field"]: f["message"] for f in response.json()["fields"]}


def test_malformed_json_is_400(client: TestClient, services: IntakeServices,
                               credentials: dict[str, Any]) -> None:
    response = post_call(client, credentials, content=b'{"call_id": "x", "text": ')
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert counts(services) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"text": ""}, "text", "不能为空"),
        ({"text": "   \n\t "}, "text", "不能为空"),
        ({"text": "救" * 5001}, "text", "最大长度5000"),
        ({"text": 12}, "text", "应为文本"),
        ({"call_id": None}, "call_id", ""),
        ({"caller_number": "12345"}, "caller_number", "电话号码无效"),
        ({"caller_number": "1381234567"}, "caller_number", "电话号码无效"),
        ({"surprise": 1}, "surprise", "不允许的字段"),
        ({"person": {"id_number": "530329195003120015"}}, "person.id_number", "校验位"),
        ({"person": {"id_number": "530329195002300014"}}, "person.id_number", "出生日期不存在"),
        ({"person": {"id_number": "5303291950"}}, "person.id_number", "18位"),
        ({"person": {"tags": ["有钱"]}}, "person.tags.0", "取值不在允许范围内"),
        ({"caller_is_person": "yes"}, "caller_is_person", "true 或 false"),
    ],
)
def test_each_bad_field_is_named(client: TestClient, services: IntakeServices,
                                 credentials: dict[str, Any], change: dict[str, Any], field: str,
                                 words: str) -> None:
    response = post_call(client, credentials, json=call_payload(**change))
    assert response.status_code == 422, response.text
    fields = fields_of(response)
    assert field in fields
    assert words in fields[field]
    assert counts(services) == (0, 0, 0)


def test_missing_fields_are_all_listed(client: TestClient, services: IntakeServices,
                                       credentials: dict[str, Any]) -> None:
    response = post_call(client, credentials, json={"surprise": True})
    assert response.status_code == 422
    assert {"call_id", "caller_number", "text", "surprise"} <= set(fields_of(response))
    assert "请求内容有误" in response.json()["message"]


def test_a_body_that_is_not_an_object_is_refused(client: TestClient, services: IntakeServices,
                                                 credentials: dict[str, Any]) -> None:
    response = post_call(client, credentials, json=["text"])
    assert response.status_code == 422
    assert counts(services) == (0, 0, 0)


def test_a_megabyte_is_refused_before_parsing(client: TestClient, services: IntakeServices,
                                              credentials: dict[str, Any]) -> None:
    response = post_call(client, credentials, json=call_payload(text="救" * 1_000_000))
    assert response.status_code == 413
    assert counts(services) == (0, 0, 0)


def test_phones_in_every_chinese_form_are_stored_as_e164(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    from cases.inbox import get_intake

    forms = {"+86 139 8765 4321": "+8613987654321", "0874-3123456": "+868743123456",
             "(0874)3123456": "+868743123456", "8613987654321": "+8613987654321"}
    for n, (raw, e164) in enumerate(forms.items()):
        response = post_call(client, credentials, json=call_payload(call_id=f"c{n}",
                                                                   caller_number=raw))
        assert response.status_code == 202, (raw, response.text)
        with services.sessions() as session:
            intake = get_intake(session, response.json()["intake_id"])
            assert intake is not None and intake.payload["caller_number"] == e164


def test_control_characters_are_stripped(client: TestClient, services: IntakeServices,
                                         credentials: dict[str, Any]) -> None:
    from cases.inbox import get_intake

    response = post_call(client, credentials,
                         json=call_payload(text="家里\x00断粮\u202e三天了\x07", call_id="cc"))
    assert response.status_code == 202
    with services.sessions() as session:
        intake = get_intake(session, response.json()["intake_id"])
        assert intake is not None and intake.payload["text"] == "家里断粮三天了"


def test_a_wrong_key_is_401_and_stores_nothing(client: TestClient, services: IntakeServices,
                                               credentials: dict[str, Any]) -> None:
    for headers in ({}, {"Authorization": "Bearer hk_wrong"}, {"Authorization": "Basic abc"},
                    bearer(credentials, "app")):
        response = client.post("/api/v1/intake/call", json=call_payload(), headers=headers)
        assert response.status_code == 401
        assert response.json()["message"]
    assert counts(services) == (0, 0, 0)
