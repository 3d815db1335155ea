from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.signals import NeedScore, PlaceMention, Signals
from routing.catalogue import Catalogue, load_catalogue
from routing.decide import RoutingContext, decide
from routing.jurisdiction import JurisdictionTree
from routing.route import Route

COUNTY = "530329000000"
BAISHI = "530329102000"
SONGLIN = "530329201000"
LONGQUAN = "530329103000"
QINGXI_TOWN = "530329101000"
XINMIN_BAISHI = "530329102202"
XINMIN_SONGLIN = "530329201202"

Need = tuple[str, float] | tuple[str, float, tuple[str, ...]]


def signals(
    tree: JurisdictionTree,
    needs: Sequence[Need],
    text: str = "",
    *,
    urgency: str = "normal",
    urgency_evidence: tuple[str, ...] = (),
    intent: str = "self",
    in_scope: bool = True,
    confidence: float = 0.9,
) -> Signals:
    scores = tuple(NeedScore(n[0], n[1], n[2] if len(n) == 3 else ()) for n in needs)
    return Signals(
        original=text,
        text=text,
        needs=scores,
        in_scope=in_scope,
        intent=intent,
        urgency=urgency,
        urgency_evidence=urgency_evidence,
        confidence=confidence,
        model_version="test-1",
        places=tuple(tree.mentions_in(text)),
    )


def route(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    needs: Sequence[Need],
    text: str = "",
    context: RoutingContext | None = None,
    **kwargs: object,
) -> Route:
    sig = signals(tree, needs, text, **kwargs)  # type: ignore[arg-type]
    return decide(sig, context or RoutingContext(), tree, catalogue)


def test_single_need_is_dispatched_to_the_township_named(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(tree, catalogue, [("dibao", 0.9, ("低保",))], "住白石镇黄泥村，想申请低保")
    assert (r.state, r.accepting_unit, r.lead_department, r.co_departments) == (
        "dispatched", BAISHI, "mz_jz", (),
    )
    assert r.sla_keys == ("dispatch", "accept", "first_contact", "resolve:dibao", "followup")
    assert r.explanation.startswith("依据：'低保' → 最低生活保障。受理：白石镇")
    assert r.triage_reasons == () and r.model_version == "test-1" and r.confidence == 0.9


def test_several_needs_one_lead_and_assisting(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(
        tree,
        catalogue,
        [("yiliao", 0.8, ("白血病", "住院费")), ("linshi", 0.6), ("jiaoyu", 0.5, ("学费",)),
         ("jiuye", 0.4)],
        "龙泉镇水井村，孩子白血病住院费欠二十万，妈妈没工作，老大交不起学费",
    )
    assert r.state == "dispatched" and r.accepting_unit == LONGQUAN
    assert r.lead_department == "yb"
    assert r.co_departments == ("mz_jz", "jy", "rs")
    assert r.categories == ("yiliao", "linshi", "jiaoyu", "jiuye")
    assert "依据：'白血病''住院费' → 医疗救助" in r.explanation
    assert "主办：县医疗保障局；协办：县民政局社会救助股、县教育体育局" in r.explanation
    assert r.sla_keys == (
        "dispatch", "accept", "first_contact", "advance_aid", "resolve:yiliao",
        "resolve:linshi", "resolve:jiaoyu", "resolve:jiuye", "followup",
    )


@pytest.mark.parametrize(
    ("needs", "lead", "co", "categories"),
    [
        ([("liulang", 0.9)], "mz_jzz", ("ga",), ("liulang",)),
        ([("canji", 0.9)], "cl", ("mz_jz",), ("canji",)),
        ([("canji", 0.9), ("dibao", 0.6)], "cl", ("mz_jz",), ("canji", "dibao")),
        ([("dibao", 0.9), ("tekun", 0.5), ("linshi", 0.4)], "mz_jz", (),
         ("dibao", "tekun", "linshi")),
        ([("dibao", 0.9), ("canji", 0.5)], "mz_jz", ("cl",), ("dibao", "canji")),
        ([("yiliao", 0.9), ("jiaoyu", 0.1)], "yb", (), ("yiliao",)),
        ([("yiliao", 0.9), ("yiliao", 0.5)], "yb", (), ("yiliao",)),
        ([("dibao", 0.9), ("zixun", 0.5)], "mz_jz", (), ("dibao", "zixun")),
        ([("feijiuzhu", 0.7), ("dibao", 0.6)], "mz_jz", (), ("dibao", "feijiuzhu")),
    ],
)
def test_lead_and_assisting_departments(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    needs: list[Need],
    lead: str,
    co: tuple[str, ...],
    categories: tuple[str, ...],
) -> None:
    r = route(tree, catalogue, needs, "马街镇红土村")
    assert (r.state, r.lead_department, r.co_departments, r.categories) == (
        "dispatched", lead, co, categories,
    )


@pytest.mark.parametrize(
    ("text", "context", "township", "reason"),
    [
        ("白石镇新民村", RoutingContext(), BAISHI, None),
        ("新民村松林", RoutingContext(), SONGLIN, None),
        ("新民村", RoutingContext(), None, "'新民村'对应多个乡镇：白石镇、松林乡"),
        ("新民村", RoutingContext(address="松林乡新民村三组"), SONGLIN, None),
        ("新民村", RoutingContext(village_code=XINMIN_BAISHI), BAISHI, None),
        ("新民村", RoutingContext(caller_area="云南省曲靖市"), None, "未能确定受理乡镇"),
        ("新民村", RoutingContext(address="龙泉镇"), None, "对应多个乡镇"),
        ("白石镇人，在龙泉镇出了车祸", RoutingContext(), None, "分属不同乡镇：白石镇、龙泉镇"),
        ("白石镇人，在龙泉镇出了车祸", RoutingContext(address="龙泉镇龙泉村"), LONGQUAN, None),
        ("龙泉镇", RoutingContext(village_code=XINMIN_SONGLIN), SONGLIN, None),
        ("龙泉镇", RoutingContext(address="白石镇"), LONGQUAN, None),
        ("家里困难", RoutingContext(address="曲靖市清溪县大坪乡羊街村"), "530329203000", None),
        ("家里困难", RoutingContext(address="东关社区"), "530329001000", None),
        ("家里困难", RoutingContext(), None, "未能确定受理乡镇"),
        ("家里困难", RoutingContext(caller_area="曲靖市"), None, "未能确定受理乡镇"),
        ("我住清溪", RoutingContext(), None, "'清溪'既是县名也是乡镇或村名"),
        ("我住清溪", RoutingContext(address="清溪镇石桥村"), QINGXI_TOWN, None),
        ("清溪镇", RoutingContext(), QINGXI_TOWN, None),
        ("清溪县马街镇", RoutingContext(), "530329105000", None),
        ("白石镇", RoutingContext(accepting_unit=SONGLIN), SONGLIN, None),
        ("白石镇", RoutingContext(accepting_unit=XINMIN_SONGLIN), SONGLIN, None),
        (
            "白石镇",
            RoutingContext(village_code=XINMIN_SONGLIN, accepting_unit=LONGQUAN),
            LONGQUAN,
            None,
        ),
        ("白石镇", RoutingContext(village_code="530329102299"), BAISHI, "'530329102299'不在辖区内"),
        ("白石镇", RoutingContext(accepting_unit="530329999000"), BAISHI, "不在辖区内"),
    ],
)
def test_accepting_township(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    text: str,
    context: RoutingContext,
    township: str | None,
    reason: str | None,
) -> None:
    r = route(tree, catalogue, [("dibao", 0.9)], text, context)
    assert r.accepting_unit == township
    if reason is None:
        assert r.state == "dispatched" and r.triage_reasons == ()
    else:
        assert r.state == "triage"
        assert any(reason in why for why in r.triage_reasons), r.triage_reasons
        assert reason in r.explanation


def test_caller_area_is_only_a_hint(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("dibao", 0.9)], "家里困难", RoutingContext(caller_area="曲靖市"))
    assert r.accepting_unit is None
    assert "来电归属地：曲靖市（仅供参考）" in r.explanation


def test_pure_consultation_is_answered(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("zixun", 0.9, ("标准是多少",))], intent="zixun")
    assert (r.state, r.lead_department, r.co_departments, r.sla_keys) == (
        "answered", None, (), (),
    )
    assert "热线直接答复" in r.explanation


def test_question_about_a_need_is_answered(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(
        tree, catalogue, [("zixun", 0.8, ("是 多少",)), ("dibao", 0.5, ("低保", "低保 标准"))],
        "低保标准是多少", intent="zixun",
    )
    assert (r.state, r.categories, r.lead_department, r.sla_keys) == (
        "answered", ("zixun", "dibao"), None, (),
    )
    assert "依据：'是多少' → 政策咨询；'低保''低保标准' → 最低生活保障" in r.explanation
    assert "热线直接答复（咨询涉及：最低生活保障）" in r.explanation


def test_a_question_with_a_need_of_the_caller_is_dispatched(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(tree, catalogue, [("zixun", 0.8), ("yiliao", 0.6)], "白石镇", intent="self")
    assert (r.state, r.lead_department, r.categories) == ("dispatched", "yb", ("yiliao", "zixun"))


def test_not_social_assistance_is_transferred(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("feijiuzhu", 0.85, ("路灯",))], "路灯坏了", in_scope=False)
    assert (r.state, r.lead_department, r.co_departments, r.sla_keys) == (
        "transferred_out", "rx12345", (), (),
    )
    assert "主办：12345政务服务便民热线" in r.explanation


@pytest.mark.parametrize(
    ("needs", "kwargs", "reason"),
    [
        ([("zixun", 0.9)], {"urgency": "critical"}, "特急情形不能直接答复或转出"),
        ([("zixun", 0.9)], {"urgency": "urgent", "intent": "zixun"}, "紧急情形不能直接答复"),
        ([("feijiuzhu", 0.9)], {"urgency": "critical", "in_scope": False}, "特急情形"),
        ([("dibao", 0.9)], {"in_scope": False}, "非社会救助诉求，但识别出救助事项：最低生活保障"),
        ([("feijiuzhu", 0.9)], {"in_scope": True}, "只识别出非救助事项"),
        ([("dibao", 0.9)], {"intent": "zixun"}, "来电意图为政策咨询"),
        ([], {}, "未识别出具体诉求"),
        ([("xinfang", 0.9)], {}, "未知的事项代码'xinfang'"),
        ([("dibao", 0.32)], {"confidence": 0.32}, "置信度0.32低于自动派单阈值0.40"),
        ([("zixun", 0.2)], {"confidence": 0.2}, "置信度0.20"),
    ],
)
def test_triage_reasons(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    needs: list[Need],
    kwargs: dict[str, object],
    reason: str,
) -> None:
    r = route(tree, catalogue, needs, "白石镇白石村", None, **kwargs)
    assert r.state == "triage"
    assert any(reason in why for why in r.triage_reasons), r.triage_reasons
    assert "转人工分派：" in r.explanation


def test_low_confidence_keeps_the_suggestion(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("liulang", 0.3)], "河口镇", confidence=0.3)
    assert r.state == "triage"
    assert (r.accepting_unit, r.lead_department, r.co_departments) == (
        "530329104000", "mz_jzz", ("ga",),
    )
    assert r.sla_keys == ("dispatch",)


def test_critical_without_township_stays_critical_and_says_why(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(
        tree, catalogue, [("linshi", 0.9, ("断炊",))], "三天没吃饭了，断炊了",
        urgency="critical", urgency_evidence=("断炊",),
    )
    assert (r.state, r.urgency, r.accepting_unit) == ("triage", "critical", None)
    assert "特急：'断炊'" in r.explanation
    assert "未能确定受理乡镇" in r.explanation
    assert "特急案件，须立即人工处理" in r.explanation
    assert r.sla_keys == ("dispatch", "advance_aid")


@pytest.mark.parametrize(
    ("needs", "urgency", "advance_aid"),
    [
        ([("linshi", 0.9)], "normal", True),
        ([("yiliao", 0.9), ("linshi", 0.5)], "normal", True),
        ([("yiliao", 0.9)], "normal", False),
        ([("shouzai", 0.9)], "urgent", True),
        ([("liulang", 0.9)], "critical", True),
        ([("dibao", 0.9), ("linshi", 0.2)], "normal", False),
    ],
)
def test_advance_aid_clock(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    needs: list[Need],
    urgency: str,
    advance_aid: bool,
) -> None:
    r = route(tree, catalogue, needs, "青山乡核桃村", urgency=urgency)
    assert r.state == "dispatched"
    assert ("advance_aid" in r.sla_keys) is advance_aid
    assert r.sla_keys[:3] == ("dispatch", "accept", "first_contact")
    assert r.sla_keys[-1] == "followup"


def test_complaint_about_village_cadres_goes_to_jd_via_the_township(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(
        tree, catalogue, [("tousu", 0.8, ("关系保",)), ("dibao", 0.5)],
        "松林乡岩脚村的村干部搞关系保，我家困难却不给办低保", intent="tousu",
    )
    assert (r.state, r.accepting_unit, r.lead_department, r.co_departments) == (
        "dispatched", SONGLIN, "jd", ("mz_jz",),
    )
    assert r.categories == ("tousu", "dibao")


def test_complaint_about_township_staff_goes_to_the_county(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(
        tree, catalogue, [("tousu", 0.8, ("克扣",))],
        "白石镇民政所的经办人克扣我的低保金", intent="tousu",
    )
    assert (r.state, r.accepting_unit, r.lead_department) == ("dispatched", COUNTY, "jd")
    assert "投诉涉及乡镇（街道）工作人员，由县级受理" in r.explanation


def test_complaint_about_township_staff_needs_no_township(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    r = route(tree, catalogue, [("tousu", 0.8)], "镇里的干部优亲厚友", intent="tousu")
    assert (r.state, r.accepting_unit) == ("dispatched", COUNTY)


def test_complaint_intent_makes_jd_lead(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("dibao", 0.9), ("yiliao", 0.5)], "白石镇三岔村", intent="tousu")
    assert (r.lead_department, r.categories[0]) == ("jd", "tousu")
    assert r.co_departments == ("mz_jz", "yb")
    assert r.accepting_unit == BAISHI


def test_secondary_complaint_still_leads(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    r = route(tree, catalogue, [("dibao", 0.9), ("tousu", 0.6)], "白石镇三岔村")
    assert (r.lead_department, r.categories) == ("jd", ("tousu", "dibao"))


def test_a_complaint_behind_a_policy_question_leads(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    # Found by test_route_invariants: the question was answered and the complaint dropped.
    r = route(
        tree, catalogue, [("zixun", 0.6), ("tousu", 0.5), ("dibao", 0.5)], "白石镇三岔村",
        intent="zixun", confidence=0.6,
    )
    assert (r.lead_department, r.categories[0]) == ("jd", "tousu")
    assert r.state == "triage"  # the intent said question: a person confirms


def test_county_configuration_changes_the_route(tree: JurisdictionTree, tmp_path: Path) -> None:
    override = tmp_path / "county.toml"
    override.write_text(
        "[thresholds]\nauto_dispatch_confidence = 0.95\n\n"
        '[categories.yiliao]\nlead = "mz_jz"\nassisting = ["yb"]\n',
        encoding="utf-8",
    )
    county = load_catalogue(override)
    r = route(tree, county, [("yiliao", 0.9)], "白石镇")
    assert (r.lead_department, r.co_departments, r.state) == ("mz_jz", ("yb",), "triage")
    assert "阈值0.95" in r.triage_reasons[0]


def test_places_unknown_to_the_tree_are_ignored(
    tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    sig = signals(tree, [("dibao", 0.9)], "白石镇")
    elsewhere = PlaceMention("五华区", "530102000000", "county")
    foreign = dataclasses.replace(sig, places=(elsewhere, *sig.places))
    assert decide(foreign, RoutingContext(), tree, catalogue).accepting_unit == BAISHI


def test_unknown_urgency_is_refused(tree: JurisdictionTree, catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="urgency"):
        route(tree, catalogue, [("dibao", 0.9)], urgency="asap")


CODES = list(load_catalogue().categories)


@given(
    needs=st.lists(
        st.tuples(st.sampled_from(CODES), st.floats(0, 1)), min_size=0, max_size=5
    ),
    urgency=st.sampled_from(["critical", "urgent", "normal"]),
    intent=st.sampled_from(["self", "other", "zixun", "tousu"]),
    in_scope=st.booleans(),
    confidence=st.floats(0, 1),
    text=st.sampled_from(["", "新民村", "白石镇", "龙泉镇镇政府", "清溪"]),
)
def test_route_invariants(
    tree: JurisdictionTree,
    catalogue: Catalogue,
    needs: list[tuple[str, float]],
    urgency: str,
    intent: str,
    in_scope: bool,
    confidence: float,
    text: str,
) -> None:
    r = route(
        tree, catalogue, needs, text,
        urgency=urgency, intent=intent, in_scope=in_scope, confidence=confidence,
    )
    assert r.lead_department not in r.co_departments
    assert len(set(r.co_departments)) == len(r.co_departments)
    assert r.urgency == urgency
    assert (r.state == "triage") == bool(r.triage_reasons)
    if urgency != "normal":
        assert r.state in ("dispatched", "triage")
    if r.state == "dispatched":
        assert r.accepting_unit is not None and r.lead_department is not None
        assert confidence >= catalogue.thresholds.auto_dispatch_confidence
    if r.categories and r.lead_department is not None:
        assert catalogue.category(r.categories[0]).lead == r.lead_department
    if "tousu" in r.categories or intent == "tousu":
        assert r.lead_department == "jd"
        if "镇政府" in text:
            assert r.accepting_unit == COUNTY
