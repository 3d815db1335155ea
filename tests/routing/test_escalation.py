"""Escalation up the jurisdiction tree: 乡→县 on a breach, 县→市 at 200%, seen live."""

from __future__ import annotations

import json
from datetime import timedelta

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases.tables import Case, Clock, Event
from intake.events import publish
from intake.services import EVENTS_CHANNEL
from routing.calendar import WorkingCalendar
from routing.escalation import escalation_chain, level_unit, record_fire
from routing.jurisdiction import JurisdictionTree
from routing.sla_policy import SlaPolicy
from routing.timers import TimerEngine
from tests.routing.test_timers import BAISHI, CITY, COUNTY, local, open_test_case

PROVINCE = "530000000000"


def test_the_chain_goes_township_county_city_province(tree: JurisdictionTree) -> None:
    assert escalation_chain(tree, BAISHI) == [BAISHI, COUNTY, CITY, PROVINCE]
    # A complaint about township staff is accepted by the county: its breach goes to the city.
    assert escalation_chain(tree, COUNTY) == [COUNTY, CITY, PROVINCE]
    # No accepting unit (never routed): the hotline, then the county.
    assert escalation_chain(tree, None) == [None, COUNTY, CITY, PROVINCE]


def test_a_case_without_a_unit_escalates_to_the_county_and_the_top_stays_the_top(
    tree: JurisdictionTree,
) -> None:
    case = Case(accepting_unit=None)
    assert level_unit(tree, case, 0) == (None, "12349热线")
    assert level_unit(tree, case, 1) == (COUNTY, "清溪县")
    assert level_unit(tree, Case(accepting_unit=BAISHI), 9) == (PROVINCE, "云南省")


def test_two_clocks_breaching_do_not_push_the_case_further(
    sessions: sessionmaker[Session], policy: SlaPolicy, calendar: WorkingCalendar,
    tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)
    at = local(2026, 9, 30, 13, 0)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        first, second = session.scalars(select(Clock).where(Clock.case_id == case_id)
                                        .order_by(Clock.id)).all()
        kinds = [e.kind for e in record_fire(session, case, first, "breach", first.deadline, at,
                                             True, tree)]
        kinds += [e.kind for e in record_fire(session, case, second, "breach", second.deadline,
                                              at, True, tree)]
        session.commit()
        assert case.escalation_level == 1
    assert kinds == ["sla_breached", "escalated", "sla_breached"]


def test_a_breach_at_200_percent_goes_from_county_to_city_and_is_published(
    sessions: sessionmaker[Session], redis: Redis, policy: SlaPolicy,
    calendar: WorkingCalendar, tree: JurisdictionTree,
) -> None:
    case_id = open_test_case(sessions, policy, calendar)  # 白石镇, dispatch 15m from 12:00
    engine = TimerEngine(sessions, redis, policy, calendar, tree, publish)
    engine.start()
    pubsub = redis.pubsub()  # type: ignore[no-untyped-call]
    pubsub.subscribe(EVENTS_CHANNEL)
    pubsub.get_message(timeout=1.0)
    assert engine.tick(local(2026, 9, 29, 12, 15)) == 2  # warned and breached: 乡→县
    assert engine.tick(local(2026, 9, 29, 12, 30) - timedelta(seconds=1)) == 0
    assert engine.tick(local(2026, 9, 29, 12, 30)) == 1  # 200%: 县→市
    messages = []
    while (message := pubsub.get_message(timeout=1.0)) is not None:
        messages.append(json.loads(message["data"]))
    pubsub.close()
    escalations = [(m["event"]["data"]["level_unit"], m["case"]["escalation_level"])
                   for m in messages if m["event"]["kind"] == "escalated"]
    assert escalations == [(COUNTY, 1), (CITY, 2)]
    assert messages[-1]["event"]["data"]["message"] == "派单时限超时已达两倍，升级至曲靖市督办"
    with sessions() as session:
        timeline = [e.kind for e in session.scalars(
            select(Event).where(Event.case_id == case_id).order_by(Event.id))]
    assert timeline == ["received", "triage", "sla_warned", "sla_breached", "escalated",
                        "sla_breached", "escalated"]
