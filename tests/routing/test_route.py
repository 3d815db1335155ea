from __future__ import annotations

import json

import pytest

from routing.route import Route

ROUTE = Route(
    accepting_unit="530329102000",
    lead_department="yb",
    co_departments=("mz_jz", "jy"),
    categories=("yiliao", "linshi", "jiaoyu"),
    urgency="urgent",
    state="dispatched",
    sla_keys=("dispatch", "accept", "first_contact", "advance_aid", "resolve:yiliao", "followup"),
    explanation="依据：'白血病''住院费' → 医疗救助。",
    triage_reasons=(),
    confidence=0.81,
    model_version="m-1",
)


def test_as_dict_is_json_and_round_trips() -> None:
    data = json.loads(json.dumps(ROUTE.as_dict(), ensure_ascii=False))
    assert data["category"] == "yiliao"
    assert data["co_departments"] == ["mz_jz", "jy"]
    assert Route.from_dict(data) == ROUTE


def test_refuses_an_unknown_state_or_a_lead_that_also_assists() -> None:
    fields = ROUTE.as_dict()
    with pytest.raises(ValueError, match="state"):
        Route.from_dict({**fields, "state": "lost"})
    with pytest.raises(ValueError, match="lead"):
        Route.from_dict({**fields, "co_departments": ["yb"]})
