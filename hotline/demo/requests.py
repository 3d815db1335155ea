"""Demo requests, so the console of a fresh `make run` has cases to work on (all invented)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from cases.inbox import receive
from intake.queueing import enqueue_intake
from intake.schemas import AppIntake, CallIntake, ReferralIntake, Strict
from nlp.identity import phone_area

SCHEMAS: dict[str, type[Strict]] = {"call": CallIntake, "app": AppIntake, "referral": ReferralIntake}

DEMO_REQUESTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("call", "phone-system", {
        "call_id": "demo-call-1", "caller_number": "+8613987650001",
        "text": "来电人称其父亲住在龙泉镇水井村，瘫在床上好几天了，家里没人管，饭都吃不上。",
        "caller": {"name": "王小红", "relation": "女儿"},
        "person": {"name": "王德发", "address": "龙泉镇水井村5组", "tags": ["失能", "独居"]}}),
    ("call", "phone-system", {
        "call_id": "demo-call-2", "caller_number": "+8613987650002",
        "text": "孩子白血病在昆明住院，新农合报销以后还欠二十多万，孩子妈妈没有工作，老大的学费也交不起了。"
                "我们是马街镇红土村的。",
        "caller_is_person": True, "caller": {"name": "赵永刚"}}),
    ("referral", "grassroots", {
        "text": "本村村民李有福八十多岁一个人住，前几天摔了一跤起不来床，儿女都在外地打工，没人照顾。",
        "village_code": "530329201202", "person": {"name": "李有福", "tags": ["独居", "高龄"]}}),
    ("app", "citizen-app", {
        "text": "白石镇黄泥村，我家房子漏雨墙也裂了，一家人住着害怕，能不能申请危房改造？",
        "citizen": {"name": "黄美兰"}}),
    ("call", "phone-system", {
        "call_id": "demo-call-3", "caller_number": "0874-3123456",
        "text": "想问一下低保申请需要准备什么材料，在哪里办？"}),
    ("call", "phone-system", {
        "call_id": "demo-call-4", "caller_number": "+8613987650004",
        "text": "我们小区路灯坏了一个多月了，晚上黑黢黢的，物业也不管。"}),
    ("call", "phone-system", {
        "call_id": "demo-call-5", "caller_number": "+8613987650005",
        "text": "我们村的低保都给了村干部的亲戚，真正困难的反而评不上，村里不给办。"}),
    ("referral", "grassroots", {
        "text": "村里有个孩子父母都在服刑，跟着奶奶过，奶奶上个月去世了，现在孩子一个人在家好几天了。",
        "village_code": "530329201202", "person": {"name": "小杰", "tags": ["事实无人抚养儿童"]}}),
)


def seed_demo_requests(sessions: sessionmaker[Session], queue: Queue, max_attempts: int) -> int:
    """Post the demo requests through the inbox (once: their message ids make reruns no-ops)."""
    now = dt.datetime.now(dt.UTC)
    new = 0
    with sessions() as session:
        for n, (channel, source, payload) in enumerate(DEMO_REQUESTS, start=1):
            # The same validation and normalisation as the HTTP channels.
            clean = SCHEMAS[channel].model_validate(
                {**payload, "message_id": payload.get("message_id", f"demo-{n}")}
                if channel != "call" else payload
            ).model_dump(exclude_none=True)
            if channel == "call":
                clean["caller_area"] = phone_area(clean["caller_number"])
            received = receive(session, channel=channel, source=source,
                               message_id=f"demo-{n}", payload=clean, now=now)
            if not received.duplicate:
                enqueue_intake(queue, received.intake.id, max_attempts)
                new += 1
    return new
