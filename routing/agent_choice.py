"""An agent's correction of the suggested route, applied as the case is opened.

一门受理 still holds: without a township the case waits in triage; a request outside
social assistance goes to 12345; a policy question waits in triage for the agent's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from routing.catalogue import Catalogue
from routing.decide import sla_keys_for
from routing.route import Route


@dataclass(frozen=True)
class AgentChoice:
    categories: tuple[str, ...]  # lead first
    lead_department: str | None
    co_departments: tuple[str, ...]
    urgency: str | None


class UnknownCode(ValueError):
    """A code the county's catalogue does not know; the message says which, in Chinese."""


def apply_agent_choice(route: Route, choice: AgentChoice, catalogue: Catalogue) -> Route:
    for code in choice.categories:
        if code not in catalogue.categories:
            raise UnknownCode(f"事项代码 '{code}' 不在救助事项目录中")
    for department in (choice.lead_department, *choice.co_departments):
        if department is not None and department not in catalogue.departments:
            raise UnknownCode(f"部门代码 '{department}' 不在部门列表中")
    lead_category = catalogue.category(choice.categories[0])
    urgency = choice.urgency or route.urgency
    lead = choice.lead_department or lead_category.lead
    co = tuple(dict.fromkeys(d for d in choice.co_departments if d != lead))
    reasons: tuple[str, ...] = ()
    if lead_category.transfers_out:
        state, lead, co = "transferred_out", lead_category.lead, ()
    elif choice.categories[0] == "zixun":
        state = route.state if route.state == "answered" else "triage"
        lead, co, reasons = None, (), ("接线员当场答复政策咨询",)
    elif route.accepting_unit and lead:
        state = "dispatched"
    else:
        state = "triage"
        reasons = ("未确定受理乡镇",) if not route.accepting_unit else ("未确定主办部门",)
        lead, co = None, ()
    handled = [catalogue.category(c) for c in choice.categories if catalogue.category(c).lead]
    names = "、".join(catalogue.category_name(c) for c in choice.categories)
    return replace(
        route,
        categories=choice.categories,
        lead_department=lead,
        co_departments=co,
        urgency=urgency,
        state=state,
        sla_keys=sla_keys_for(state, handled, urgency, catalogue),
        triage_reasons=reasons,
        explanation=f"{route.explanation}（接线员确认：{names}）",
    )


def differs(route: Route, corrected: Route) -> bool:
    """Whether the agent changed what the classifier suggested (then it is a training example)."""
    def key(r: Route) -> tuple[object, ...]:
        return (r.categories, r.lead_department, tuple(sorted(r.co_departments)), r.urgency)

    return key(route) != key(corrected)
