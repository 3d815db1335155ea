"""The life of a case and of an assignment: which action may happen in which state (pure)."""

from __future__ import annotations

from dataclasses import dataclass

CASE_STATES = (
    "received", "triage", "dispatched", "accepted", "in_progress", "on_hold", "resolved",
    "followed_up", "closed", "answered", "transferred_out", "merged", "invalid",
)
OPEN_STATES = ("received", "triage", "dispatched", "accepted", "in_progress", "on_hold")
FINAL_STATES = ("closed", "answered", "transferred_out", "merged", "invalid")

STATE_NAMES = {
    "received": "已接收", "triage": "待分拣", "dispatched": "已派单", "accepted": "已签收",
    "in_progress": "办理中", "on_hold": "挂起", "resolved": "已办结", "followed_up": "已回访",
    "closed": "已归档", "answered": "已答复", "transferred_out": "已转出", "merged": "已合并",
    "invalid": "无效", "returned": "已退回",
}

ACTION_NAMES = {
    "route": "自动分派", "dispatch": "派单", "accept": "签收", "first_contact": "首次联系",
    "advance_aid": "先行救助", "hold": "挂起", "resume": "恢复办理", "return": "退回",
    "resolve": "办结", "follow_up": "回访", "reopen": "重办", "close": "归档",
    "answer": "当场答复", "transfer_out": "转12345", "merge": "合并重复件", "invalid": "标记无效",
}

# action → (states it may start from, state it leads to; None keeps the state)
CASE_TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "dispatch": (("received", "triage"), "dispatched"),
    "accept": (("dispatched",), "accepted"),
    "first_contact": (("accepted", "in_progress"), "in_progress"),
    "advance_aid": (("dispatched", "accepted", "in_progress"), None),
    "hold": (("accepted", "in_progress"), "on_hold"),
    "resume": (("on_hold",), "in_progress"),
    # A unit sends the case back with a reason; it goes to triage for an agent to re-route.
    "return": (("dispatched", "accepted", "in_progress"), "triage"),
    "resolve": (("accepted", "in_progress"), "resolved"),
    "follow_up": (("resolved",), "followed_up"),
    "reopen": (("resolved", "followed_up"), "in_progress"),
    "close": (("followed_up",), "closed"),
    "answer": (("received", "triage"), "answered"),
    "transfer_out": (("received", "triage", "dispatched"), "transferred_out"),
    "merge": (OPEN_STATES, "merged"),
    "invalid": (("received", "triage"), "invalid"),
}

ASSIGNMENT_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("pending",), "accepted"),
    "reply": (("accepted", "extension_granted"), "replied"),
    "return": (("pending", "accepted"), "returned"),
    "request_extension": (("accepted",), "extension_requested"),
    "grant_extension": (("extension_requested",), "extension_granted"),
    "deny_extension": (("extension_requested",), "accepted"),
}


@dataclass(frozen=True)
class IllegalTransition(Exception):
    """An action the case's state does not allow; `message` says why, in Chinese."""

    action: str
    state: str
    message: str

    def __str__(self) -> str:
        return self.message


def next_case_state(state: str, action: str) -> str:
    """The state after `action`, or IllegalTransition saying why not."""
    if action not in CASE_TRANSITIONS:
        raise IllegalTransition(action, state, f"未知操作：{action}")
    allowed, target = CASE_TRANSITIONS[action]
    if state not in allowed:
        name = ACTION_NAMES.get(action, action)
        allowed_names = "、".join(STATE_NAMES[s] for s in allowed)
        raise IllegalTransition(
            action, state,
            f"当前状态为“{STATE_NAMES.get(state, state)}”，不能{name}（仅限：{allowed_names}）",
        )
    return target or state


def next_assignment_state(state: str, action: str) -> str:
    if action not in ASSIGNMENT_TRANSITIONS:
        raise IllegalTransition(action, state, f"未知操作：{action}")
    allowed, target = ASSIGNMENT_TRANSITIONS[action]
    if state not in allowed:
        raise IllegalTransition(action, state, f"该部门任务当前状态为“{state}”，不能执行此操作")
    return target


def can_resolve(lead_state: str, assisting_states: list[str]) -> str | None:
    """Why the case cannot be resolved yet (Chinese), or None when it can.

    一门受理、协同办理: resolved only when the lead has replied and every assisting
    department has replied.
    """
    if lead_state != "replied":
        return "主办部门尚未答复，不能办结"
    waiting = [s for s in assisting_states if s not in ("replied", "returned")]
    if waiting:
        return f"还有{len(waiting)}个协办部门未答复，不能办结"
    return None
