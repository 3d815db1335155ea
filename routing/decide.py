"""Signals → Route under 一门受理、协同办理: one accepting township, a lead, assisting departments.

Pure: no I/O, no clock. Everything a county can change comes in through the
catalogue and the tree; everything the caller or a worker said comes in
through the Signals and the RoutingContext.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.signals import URGENCY_LEVELS, NeedScore, PlaceMention, Signals
from routing.catalogue import Catalogue, Category
from routing.jurisdiction import JurisdictionTree
from routing.route import Route

_ABOVE_TOWNSHIP = ("province", "city", "county")
_URGENCY_NAMES = {"critical": "特急", "urgent": "紧急", "normal": "一般"}


@dataclass(frozen=True)
class RoutingContext:
    channel: str = "call"
    village_code: str | None = None  # a referral's village, vouched for by the worker
    address: str | None = None  # the person's stated address, free text
    caller_area: str | None = None  # city of the phone number: a hint, never a route
    accepting_unit: str | None = None  # an agent's explicit choice: overrides everything


@dataclass(frozen=True)
class _Township:
    code: str | None
    source: str  # Chinese: how it was found
    problems: tuple[str, ...] = ()
    candidates: frozenset[str] = frozenset()  # the townships an ambiguous name could mean


def decide(
    signals: Signals, context: RoutingContext, tree: JurisdictionTree, catalogue: Catalogue
) -> Route:
    if signals.urgency not in URGENCY_LEVELS:
        raise ValueError(f"unknown urgency {signals.urgency!r}")
    reasons: list[str] = []
    needs = _counted_needs(signals, catalogue, reasons)
    complaint = signals.intent == "tousu" or any(n.category == "tousu" for n in needs)
    if complaint:
        # A complaint leads, even when a policy question came first ("问一下…村干部克扣…").
        told = next((n for n in needs if n.category == "tousu"), None)
        needs = [
            told or NeedScore("tousu", signals.confidence, ()),
            *(n for n in needs if n.category != "tousu"),
        ]
    cats = [catalogue.category(n.category) for n in needs]
    handled = [c for c in cats if c.needs_department and not c.transfers_out]
    if complaint:
        handled.sort(key=lambda c: c.code != "tousu")
    state, lead_category = _disposition(signals, cats, handled, reasons)
    if state != "dispatched" and signals.urgency != "normal":
        urgency = _URGENCY_NAMES[signals.urgency]
        reasons.append(f"{urgency}情形不能直接答复或转出，须人工确认")

    threshold = catalogue.thresholds.auto_dispatch_confidence
    if signals.confidence < threshold:
        reasons.append(f"置信度{signals.confidence:.2f}低于自动派单阈值{threshold:.2f}")

    township = _township(signals, context, tree)
    accepting = township.code
    accused_township = complaint and _names_township_staff(signals.text, catalogue)
    if accused_township and context.accepting_unit is None:
        above = tree.escalation_target(township.code) if township.code else None
        accepting = above.code if above is not None else tree.county().code
    elif state == "dispatched" and lead_category is not None:
        reasons.extend(township.problems)

    lead = lead_category.lead if lead_category is not None else None
    co = _co_departments(handled, lead) if state == "dispatched" else ()
    ordered = _ordered_categories(cats, lead_category)
    final_state = "triage" if reasons else state
    sla_keys = sla_keys_for(final_state, handled, signals.urgency, catalogue)
    explanation = _explain(
        signals, needs, catalogue, tree, final_state, accepting, township, accused_township,
        lead, co, context,
    )
    return Route(
        accepting_unit=accepting,
        lead_department=lead,
        co_departments=co,
        categories=ordered,
        urgency=signals.urgency,
        state=final_state,
        sla_keys=sla_keys,
        explanation=explanation + _triage_note(final_state, signals, reasons),
        triage_reasons=tuple(reasons) if final_state == "triage" else (),
        confidence=signals.confidence,
        model_version=signals.model_version,
    )


def _disposition(
    signals: Signals, cats: Sequence[Category], handled: Sequence[Category], reasons: list[str]
) -> tuple[str, Category | None]:
    """The state the needs call for and the category that leads; conflicts go to `reasons`."""
    # A question whose topic is a need (低保标准是多少) is answered, not dispatched.
    question = bool(cats) and not cats[0].needs_department and signals.intent == "zixun"
    if handled and not question:
        if not signals.in_scope:
            reasons.append(f"模型判断为非社会救助诉求，但识别出救助事项：{_names(handled)}")
        if signals.intent == "zixun":
            reasons.append(f"来电意图为政策咨询，但涉及{_names(handled)}，请确认是否需要派单")
        return "dispatched", handled[0]
    if not cats:
        reasons.append("未识别出具体诉求")
        return "dispatched", None
    if not cats[0].needs_department:
        return "answered", None
    if signals.in_scope:
        reasons.append("模型判断为社会救助诉求，但只识别出非救助事项")
    return "transferred_out", cats[0]


def _counted_needs(signals: Signals, catalogue: Catalogue, reasons: list[str]) -> list[NeedScore]:
    """The top need, then the others likely enough to become an assignment of their own."""
    counted: list[NeedScore] = []
    floor = catalogue.thresholds.co_need_probability
    for need in signals.needs:
        if need.category not in catalogue.categories:
            reasons.append(f"未知的事项代码'{need.category}'")
            continue
        if counted and need.probability < floor:
            continue
        if all(n.category != need.category for n in counted):
            counted.append(need)
    return counted


def _co_departments(handled: Sequence[Category], lead: str | None) -> tuple[str, ...]:
    departments: list[str] = []
    for index, category in enumerate(handled):
        if index > 0 and category.lead is not None:
            departments.append(category.lead)
        departments.extend(category.assisting)
    return tuple(d for d in dict.fromkeys(departments) if d != lead)


def _ordered_categories(cats: Sequence[Category], lead: Category | None) -> tuple[str, ...]:
    codes = [c.code for c in cats]
    if lead is not None:
        codes.remove(lead.code)
        codes.insert(0, lead.code)
    return tuple(codes)


def sla_keys_for(
    state: str, handled: Sequence[Category], urgency: str, catalogue: Catalogue
) -> tuple[str, ...]:
    """The clocks this case starts; those that run from dispatch wait for a triaged case."""
    advance_aid = urgency in catalogue.thresholds.advance_aid_urgencies or any(
        c.advance_aid for c in handled
    )
    if state == "triage":
        return ("dispatch", "advance_aid") if advance_aid else ("dispatch",)
    if state != "dispatched":
        return ()
    keys = ["dispatch", "accept", "first_contact"]
    if advance_aid:
        keys.append("advance_aid")
    keys.extend(f"resolve:{c.code}" for c in handled if c.resolve_days is not None)
    keys.append("followup")
    return tuple(keys)


def _names_township_staff(text: str, catalogue: Catalogue) -> bool:
    return any(word in text for word in catalogue.township_staff_words)


def _township(signals: Signals, context: RoutingContext, tree: JurisdictionTree) -> _Township:
    """The accepting township, in the order: agent's choice, referral village, text, address."""
    problems: list[str] = []
    if context.accepting_unit is not None:
        unit = tree.get(context.accepting_unit)
        if unit is not None:
            chosen = tree.township_of(unit.code) or unit
            return _Township(chosen.code, f"接线员指定{chosen.name}")
        problems.append(f"指定的受理单位'{context.accepting_unit}'不在辖区内")
    if context.village_code is not None:
        village = tree.get(context.village_code)
        township = tree.township_of(context.village_code)
        if village is not None and township is not None:
            return _Township(township.code, f"转介村（社区）{village.name}", tuple(problems))
        problems.append(f"转介的村（社区）代码'{context.village_code}'不在辖区内")
    in_text = _candidates(signals.places, tree, "文中")
    if in_text.code is not None:
        return _Township(in_text.code, in_text.source, tuple(problems))
    address = _candidates(tree.mentions_in(context.address or ""), tree, "住址中")
    if in_text.candidates:
        if address.code in in_text.candidates:
            name = _unit_name(tree, address.code)
            return _Township(address.code, f"文中地名经所述住址确定为{name}", tuple(problems))
        problems.extend(in_text.problems)
    elif address.code is not None:
        return _Township(address.code, address.source, tuple(problems))
    else:
        problems.extend(in_text.problems + address.problems)
    problems.append("未能确定受理乡镇（街道）")
    return _Township(None, "", tuple(problems))


def _candidates(mentions: Iterable[PlaceMention], tree: JurisdictionTree, where: str) -> _Township:
    """The one township that every place named agrees on, or the problem with them."""
    groups: dict[str, list[str]] = {}
    for mention in mentions:
        if mention.code in tree:
            groups.setdefault(mention.text, []).append(mention.code)
    strong: dict[str, set[str]] = {}
    shared_with_county: list[str] = []
    for text, codes in groups.items():
        townships = {t.code for c in codes if (t := tree.township_of(c)) is not None}
        if not townships:
            continue
        levels = {unit.level for c in codes if (unit := tree.get(c)) is not None}
        if levels & set(_ABOVE_TOWNSHIP):
            shared_with_county.append(text)
        else:
            strong[text] = townships
    if not strong:
        if not shared_with_county:
            return _Township(None, "")
        words = "".join(f"'{t}'" for t in shared_with_county)
        return _Township(None, "", (f"{where}地名{words}既是县名也是乡镇或村名，无法确定乡镇",))
    agreed = set.intersection(*strong.values())
    words = "".join(f"'{t}'" for t in strong)
    if len(agreed) == 1:
        return _Township(agreed.pop(), f"{where}地名{words}")
    offered = frozenset(set.union(*strong.values()))
    names = "、".join(_unit_name(tree, c) for c in sorted(offered))
    if agreed:
        problem = f"{where}地名{words}对应多个乡镇：{names}"
    else:
        problem = f"{where}提到的地名{words}分属不同乡镇：{names}"
    return _Township(None, "", (problem,), offered)


def _unit_name(tree: JurisdictionTree, code: str) -> str:
    unit = tree.get(code)
    return unit.name if unit is not None else code


def _names(categories: Iterable[Category]) -> str:
    return "、".join(c.name for c in categories)


def _explain(
    signals: Signals,
    needs: Sequence[NeedScore],
    catalogue: Catalogue,
    tree: JurisdictionTree,
    state: str,
    accepting: str | None,
    township: _Township,
    accused_township: bool,
    lead: str | None,
    co: Sequence[str],
    context: RoutingContext,
) -> str:
    parts: list[str] = []
    basis = []
    for need in needs:
        words = _quoted(need.evidence)
        name = catalogue.category_name(need.category)
        guess = f"（模型判断{need.probability:.2f}）"
        basis.append(f"{words} → {name}" if words else f"→ {name}{guess}")
    if basis:
        parts.append("依据：" + "；".join(basis))
    if accepting is not None:
        where = _unit_name(tree, accepting)
        if accused_township and context.accepting_unit is None:
            parts.append(f"受理：{where}（投诉涉及乡镇（街道）工作人员，由县级受理）")
        else:
            parts.append(f"受理：{where}（{township.source}）")
    elif context.caller_area:
        parts.append(f"来电归属地：{context.caller_area}（仅供参考）")
    if state == "answered":
        topics = [n.category for n in needs if catalogue.category(n.category).needs_department]
        about = "（咨询涉及：" + "、".join(map(catalogue.category_name, topics)) + "）"
        parts.append("处理：热线直接答复" + (about if topics else ""))
    elif lead is not None:
        handling = f"主办：{catalogue.department_name(lead)}"
        if co:
            handling += "；协办：" + "、".join(catalogue.department_name(d) for d in co)
        parts.append(handling)
    if signals.urgency != "normal":
        evidence = _quoted(signals.urgency_evidence)
        parts.append(f"{_URGENCY_NAMES[signals.urgency]}：{evidence}" if evidence else
                     _URGENCY_NAMES[signals.urgency])
    return "。".join(parts) + ("。" if parts else "")


def _quoted(words: Iterable[str]) -> str:
    """'白血病''住院费'; the model's word pairs come space-separated and read better joined."""
    return "".join(f"'{w}'" for w in dict.fromkeys(w.replace(" ", "") for w in words) if w)


def _triage_note(state: str, signals: Signals, reasons: Sequence[str]) -> str:
    if state != "triage":
        return ""
    note = "转人工分派：" + "；".join(reasons) + "。"
    if signals.urgency == "critical":
        note += "特急案件，须立即人工处理，不得积压。"
    return note
