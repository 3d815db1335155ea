"""Case actions on a real database: states, assignments, timeline, role rules, refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases.actions import ACTION_ROLES, ActionRefused, ActionRequest, Actor, perform
from cases.inbox import receive
from cases.opening import CaseOpening, open_case
from cases.people import PersonData
from cases.tables import Assignment, Case, Event, TrainingExample
from cases.workflow import IllegalTransition
from hotline.demo.seed import seed_units
from routing.catalogue import load_catalogue

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
BAISHI = "530329102000"
AGENT = Actor("agent", "agent", "hotline")
TOWNSHIP = Actor("township", "township", BAISHI)
SUPERVISOR = Actor("supervisor", "supervisor", "530329000000")
ZHANG = PersonData(name="张小花", phone="+8613812345678")  # invented


def department(code: str) -> Actor:
    return Actor(f"dept-{code}", "department", code)


def make_case(session: Session, *, state: str = "dispatched", categories: tuple[str, ...] = (
        "linshi",), lead: str | None = "mz_jz", co: tuple[str, ...] = (),
        accepting: str | None = BAISHI, urgency: str = "urgent", text: str = "家里着火了，没地方住",
        message_id: str | None = None,
        person: PersonData = ZHANG,
        source: str = "phone-system", channel: str = "call") -> Case:
    """A case opened as the worker would open it, without the classifier."""
    received = receive(session, channel=channel, source=source, message_id=message_id,
                       payload={"text": text}, now=NOW)
    opening = CaseOpening(
        state=state, urgency=urgency, categories=categories, lead_department=lead,
        co_departments=co, accepting_unit=accepting, explanation="测试",
        person=person,
    )
    return open_case(session, received.intake, opening, NOW).case


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        seed_units(session, load_catalogue())
        session.commit()
        yield session


def act(session: Session, case: Case, actor: Actor, action: str, **request: object) -> list[Event]:
    events = perform(session, case, actor, action, ActionRequest(**request),  # type: ignore[arg-type]
                     NOW)
    session.commit()
    return events


def assignment(session: Session, case: Case, code: str) -> Assignment:
    return session.scalars(select(Assignment).where(
        Assignment.case_id == case.id, Assignment.department == code)).one()


def test_dispatch_from_triage_with_a_correction_makes_assignments_and_a_training_example(
    session: Session,
) -> None:
    case = make_case(session, state="triage", lead=None, accepting=None, categories=("dibao",))
    events = act(session, case, AGENT, "dispatch", categories=("linshi", "yiliao"),
                 lead_department="mz_jz", co_departments=("yb",), accepting_unit=BAISHI)
    assert case.state == "dispatched"
    assert (case.category, case.lead_department, case.co_departments, case.accepting_unit) == (
        "linshi", "mz_jz", ["yb"], BAISHI)
    assert [(e.kind, e.data["corrected"]) for e in events] == [("dispatched", True)]
    rows = session.scalars(select(Assignment).where(Assignment.case_id == case.id)
                           .order_by(Assignment.id)).all()
    assert [(a.department, a.role, a.state) for a in rows] == [
        ("mz_jz", "lead", "pending"), ("yb", "assist", "pending")]
    example = session.scalars(select(TrainingExample)).one()
    assert (example.case_id, example.categories, example.departments, example.created_by) == (
        case.id, ["linshi", "yiliao"], ["mz_jz", "yb"], "agent")


def test_dispatch_as_suggested_is_no_training_example(session: Session) -> None:
    case = make_case(session, state="triage")
    act(session, case, AGENT, "dispatch")
    assert case.state == "dispatched"
    assert session.scalars(select(TrainingExample)).first() is None


def test_dispatch_needs_a_known_township_and_department(session: Session) -> None:
    case = make_case(session, state="triage", accepting=None)
    with pytest.raises(ActionRefused, match="请选择承办乡镇"):
        perform(session, case, AGENT, "dispatch", ActionRequest(), NOW)
    with pytest.raises(ActionRefused, match="部门“nope”不存在"):
        perform(session, case, AGENT, "dispatch",
                ActionRequest(accepting_unit=BAISHI, lead_department="nope"), NOW)


def test_the_whole_life_township_departments_call_back(session: Session) -> None:
    case = make_case(session, co=("yb",))
    act(session, case, TOWNSHIP, "accept")
    assert case.state == "accepted"
    act(session, case, TOWNSHIP, "first_contact", note="已电话联系本人")
    act(session, case, TOWNSHIP, "advance_aid", note="发放临时救助金1000元")
    assert case.state == "in_progress"
    for code in ("mz_jz", "yb"):
        act(session, case, department(code), "accept")
    with pytest.raises(IllegalTransition, match="主办部门尚未答复，不能办结"):
        perform(session, case, TOWNSHIP, "resolve", ActionRequest(note="已办结"), NOW)
    session.rollback()
    act(session, case, department("mz_jz"), "reply", note="已纳入临时救助")
    with pytest.raises(IllegalTransition, match="还有1个协办部门未答复"):
        perform(session, case, TOWNSHIP, "resolve", ActionRequest(note="已办结"), NOW)
    session.rollback()
    act(session, case, department("yb"), "reply", note="医疗救助已报销")
    act(session, case, TOWNSHIP, "resolve", note="已办结")
    assert case.state == "resolved"
    events = act(session, case, AGENT, "follow_up", satisfaction="满意")
    assert case.state == "closed"
    assert [e.kind for e in events] == ["followed_up", "closed"]
    kinds = session.scalars(select(Event.kind).where(Event.case_id == case.id)
                            .order_by(Event.id)).all()
    assert kinds == ["received", "dispatched", "accepted", "first_contact", "advance_aid",
                     "assignment_accepted", "assignment_accepted", "assignment_replied",
                     "assignment_replied", "resolved", "followed_up", "closed"]


def resolved_case(session: Session) -> Case:
    case = make_case(session)
    act(session, case, TOWNSHIP, "accept")
    act(session, case, department("mz_jz"), "accept")
    act(session, case, department("mz_jz"), "reply", note="已救助")
    act(session, case, TOWNSHIP, "resolve", note="已办结")
    return case


def test_not_satisfied_reopens_once_and_tells_the_supervisors(session: Session) -> None:
    case = resolved_case(session)
    events = act(session, case, AGENT, "follow_up", satisfaction="不满意", note="钱还没收到")
    assert [e.kind for e in events] == ["followed_up", "supervisor_notice", "reopened"]
    assert events[1].data == {"reason": "回访不满意", "reopened": True, "note": "钱还没收到"}
    assert case.state == "in_progress" and case.reopened
    act(session, case, TOWNSHIP, "resolve", note="已补发")
    events = act(session, case, AGENT, "follow_up", satisfaction="不满意")
    assert [e.kind for e in events] == ["followed_up", "supervisor_notice"]
    assert events[1].data["reopened"] is False
    assert case.state == "followed_up"


def test_follow_up_needs_a_known_satisfaction(session: Session) -> None:
    case = resolved_case(session)
    with pytest.raises(ActionRefused, match="满意、基本满意或不满意"):
        perform(session, case, AGENT, "follow_up", ActionRequest(satisfaction="还行"), NOW)


def test_roles_are_enforced(session: Session) -> None:
    case = make_case(session)
    with pytest.raises(ActionRefused, match="12349接线员不能执行“签收”") as refused:
        perform(session, case, AGENT, "accept", ActionRequest(), NOW)
    assert refused.value.status == 403
    with pytest.raises(ActionRefused, match="乡镇经办人不能执行“督办”"):
        perform(session, case, TOWNSHIP, "supervise", ActionRequest(note="快办"), NOW)
    for action, roles in ACTION_ROLES.items():
        assert "admin" in roles and "grassroots" not in roles, action


def test_a_department_acts_only_on_its_own_assignment(session: Session) -> None:
    case = make_case(session)
    with pytest.raises(ActionRefused, match="没有分派给此部门"):
        perform(session, case, department("yb"), "accept", ActionRequest(), NOW)


def test_illegal_transition_says_why(session: Session) -> None:
    case = make_case(session)
    with pytest.raises(IllegalTransition) as refused:
        perform(session, case, TOWNSHIP, "resolve", ActionRequest(note="x"), NOW)
    assert refused.value.message == "当前状态为“已派单”，不能办结（仅限：已签收、办理中）"


def test_township_return_sends_the_case_to_triage_and_redispatch_reuses_rows(
    session: Session,
) -> None:
    case = make_case(session)
    with pytest.raises(ActionRefused, match="请填写退回理由"):
        perform(session, case, TOWNSHIP, "return", ActionRequest(), NOW)
    act(session, case, TOWNSHIP, "return", reason="不属于本镇")
    assert case.state == "triage"
    assert assignment(session, case, "mz_jz").state == "returned"
    act(session, case, AGENT, "dispatch", accepting_unit="530329103000")
    lead = assignment(session, case, "mz_jz")
    assert (lead.state, lead.return_reason, case.accepting_unit) == ("pending", None,
                                                                     "530329103000")


def test_a_lead_department_returning_sends_the_case_back(session: Session) -> None:
    case = make_case(session, co=("yb",))
    events = act(session, case, department("yb"), "return", reason="非本部门职责")
    assert [e.kind for e in events] == ["assignment_returned"] and case.state == "dispatched"
    events = act(session, case, department("mz_jz"), "return", reason="应由住建部门主办")
    assert [e.kind for e in events] == ["assignment_returned", "returned"]
    assert case.state == "triage"


def test_hold_resume_and_adding_an_assisting_department(session: Session) -> None:
    case = make_case(session)
    act(session, case, TOWNSHIP, "accept")
    act(session, case, TOWNSHIP, "add_assist", department="cl")
    assert case.co_departments == ["cl"]
    assert assignment(session, case, "cl").role == "assist"
    with pytest.raises(ActionRefused, match="该部门已在办理此工单"):
        perform(session, case, TOWNSHIP, "add_assist", ActionRequest(department="cl"), NOW)
    act(session, case, TOWNSHIP, "hold", reason="等待残联鉴定")
    assert case.state == "on_hold"
    act(session, case, TOWNSHIP, "resume")
    assert case.state == "in_progress"


def test_extension_requested_then_granted_or_denied(session: Session) -> None:
    case = make_case(session, co=("yb",))
    act(session, case, department("yb"), "accept")
    with pytest.raises(IllegalTransition, match="没有待审批的延期申请"):
        perform(session, case, SUPERVISOR, "grant_extension", ActionRequest(), NOW)
    act(session, case, department("yb"), "request_extension", extension="5wd",
        reason="需要调取住院记录")
    events = act(session, case, SUPERVISOR, "grant_extension")
    assert events[0].data == {"department": "yb", "extension": "5wd", "note": ""}
    assert assignment(session, case, "yb").state == "extension_granted"
    act(session, case, TOWNSHIP, "accept")
    act(session, case, department("mz_jz"), "accept")
    act(session, case, TOWNSHIP, "request_extension", extension="3wd", reason="材料不全")
    act(session, case, SUPERVISOR, "deny_extension", reason="材料可当场补齐")
    assert assignment(session, case, "mz_jz").state == "accepted"


def test_merge_writes_on_both_cases(session: Session) -> None:
    first = make_case(session, state="triage", message_id="a")
    duplicate = make_case(session, state="triage", message_id="b")
    events = act(session, duplicate, AGENT, "merge", target_case_id=first.id)
    assert duplicate.state == "merged" and duplicate.merged_into == first.id
    assert [(e.kind, e.case_id) for e in events] == [("merged", duplicate.id),
                                                     ("merge_received", first.id)]
    act(session, first, AGENT, "invalid", reason="恶作剧电话")
    other = make_case(session, state="triage", message_id="c")
    with pytest.raises(IllegalTransition, match="目标工单已结束"):
        perform(session, other, AGENT, "merge", ActionRequest(target_case_id=first.id), NOW)


def test_answer_transfer_supervise_reveal(session: Session) -> None:
    question = make_case(session, state="triage", message_id="q", categories=("zixun",))
    act(session, question, AGENT, "answer", note="低保申请向户籍所在地乡镇提出")
    assert question.state == "answered"
    other = make_case(session, state="triage", message_id="t")
    act(session, other, AGENT, "transfer_out", reason="噪音扰民，属12345")
    assert other.state == "transferred_out"
    case = make_case(session, message_id="s")
    [notice] = act(session, case, SUPERVISOR, "supervise", note="请于今日内联系当事人")
    assert (notice.kind, notice.actor, notice.data["note"]) == (
        "supervise", "supervisor", "请于今日内联系当事人")
    [seen] = act(session, case, TOWNSHIP, "reveal", reason="首次联系")
    assert seen.kind == "reveal" and seen.data["fields"] == ["person", "caller"]
    with pytest.raises(IllegalTransition, match="工单已结束，不能督办"):
        perform(session, other, SUPERVISOR, "supervise", ActionRequest(note="x"), NOW)


class RecordingClocks:
    """A real, small Clocks: it remembers what it was asked, as the console would call it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    def apply(self, session: Session, case: Case, action: str, at: dt.datetime, *,
              department: str | None = None, extension: str | None = None) -> list[Event]:
        self.calls.append((action, department, extension))
        return []


def test_clocks_hear_every_action_with_its_department(session: Session) -> None:
    clocks = RecordingClocks()
    case = make_case(session)
    for actor, action, request in (
        (TOWNSHIP, "accept", ActionRequest()),
        (department("mz_jz"), "accept", ActionRequest()),
        (department("mz_jz"), "request_extension", ActionRequest(extension="2wd", reason="r")),
        (SUPERVISOR, "grant_extension", ActionRequest()),
        (department("mz_jz"), "reply", ActionRequest(note="已办")),
        (TOWNSHIP, "resolve", ActionRequest(note="已办结")),
    ):
        perform(session, case, actor, action, request, NOW, clocks)
    assert clocks.calls == [("accept", None, None), ("assignment_accept", "mz_jz", None),
                            ("grant_extension", "mz_jz", "2wd"),
                            ("assignment_reply", "mz_jz", None), ("resolve", None, None)]
