"""An agent's correction of the suggested route (pure)."""

from __future__ import annotations

import pytest

from routing.agent_choice import AgentChoice, UnknownCode, apply_agent_choice, differs
from routing.catalogue import Catalogue
from routing.route import Route

SUGGESTED = Route("530329102000", "mz_yl", (), ("laonian",), "normal", "dispatched",
                  ("dispatch", "accept", "first_contact", "resolve:laonian", "followup"),
                  "依据：'瘫在床上' → 老年人关爱照料", (), 0.61, "v1")


def choose(*categories: str, lead: str | None = None, co: tuple[str, ...] = (),
           urgency: str | None = None) -> AgentChoice:
    return AgentChoice(tuple(categories), lead, co, urgency)


@pytest.mark.parametrize(
    ("choice", "state", "lead", "co", "keys"),
    [
        (choose("tekun", "canji", co=("cl",), urgency="urgent"), "dispatched", "mz_jz", ("cl",),
         ("dispatch", "accept", "first_contact", "advance_aid", "resolve:tekun", "resolve:canji",
          "followup")),
        (choose("yiliao", lead="yb", co=("yb", "mz_jz")), "dispatched", "yb", ("mz_jz",),
         ("dispatch", "accept", "first_contact", "resolve:yiliao", "followup")),
        (choose("feijiuzhu"), "transferred_out", "rx12345", (), ()),
        (choose("zixun", "dibao"), "triage", None, (), ("dispatch",)),
    ],
)
def test_the_agents_choice_decides(catalogue: Catalogue, choice: AgentChoice, state: str,
                                   lead: str | None, co: tuple[str, ...],
                                   keys: tuple[str, ...]) -> None:
    route = apply_agent_choice(SUGGESTED, choice, catalogue)
    assert (route.state, route.lead_department, route.co_departments, route.sla_keys) == (
        state, lead, co, keys)
    assert route.categories == choice.categories
    assert "接线员确认" in route.explanation
    assert differs(SUGGESTED, route)


def test_no_township_waits_in_triage(catalogue: Catalogue) -> None:
    unplaced = Route(None, None, (), ("laonian",), "normal", "triage", ("dispatch",), "…",
                     ("未找到受理乡镇",), 0.4, "v1")
    route = apply_agent_choice(unplaced, choose("laonian"), catalogue)
    assert route.state == "triage" and route.triage_reasons == ("未确定受理乡镇",)


def test_accepting_the_suggestion_is_no_correction(catalogue: Catalogue) -> None:
    same = apply_agent_choice(SUGGESTED, choose("laonian", lead="mz_yl"), catalogue)
    assert not differs(SUGGESTED, same)


def test_unknown_codes_are_named(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownCode, match="'nope'"):
        apply_agent_choice(SUGGESTED, choose("nope"), catalogue)
    with pytest.raises(UnknownCode, match="'xx_dept'"):
        apply_agent_choice(SUGGESTED, choose("dibao", lead="xx_dept"), catalogue)
