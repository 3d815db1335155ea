"""`hotline sla explain CASE` and `hotline sla rebuild` on a real database and Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from cases.tables import Case
from hotline.cli import main
from hotline.demo.seed import demo_tree_csv, import_tree
from routing.clock_service import ClockService
from routing.sla_policy import load_sla_policy
from routing.timers import DUE_KEY, SEEN_KEY
from tests.routing.test_timers import local, open_test_case


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str,
                redis_url: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("HOTLINE_SLA_FILE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def held_case(sessions: sessionmaker[Session]) -> tuple[int, str]:
    policy = load_sla_policy()
    calendar = policy.working_calendar()
    with sessions() as session:
        import_tree(session, demo_tree_csv())
        session.commit()
    case_id = open_test_case(sessions, policy, calendar, received_at=local(2026, 9, 29, 9, 0),
                             state="dispatched", urgency="normal", categories=("dibao",),
                             lead="mz_jz", co=("jy",))
    service = ClockService(policy, calendar)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.tracking_no is not None
        service.apply(session, case, "accept", local(2026, 9, 29, 10, 0))
        service.apply(session, case, "assignment_accept", local(2026, 9, 30, 9, 0),
                      department="jy")
        service.apply(session, case, "hold", local(2026, 9, 30, 10, 0))
        session.commit()
        return case_id, case.tracking_no


def test_explain_shows_each_clock_with_paused_time_and_remaining(
    capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session],
) -> None:
    case_id, tracking_no = held_case(sessions)
    status, out, err = run(capsys, "sla", "explain", tracking_no, "--now", "2026-10-08T12:00")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"案件 {tracking_no}（#{case_id}）  状态：已派单  紧急程度：一般")
    assert lines[1] == "督办级别：0（白石镇）  计算时间：2026-10-08 12:00"
    assert lines[2].split() == ["计时", "部门", "时限", "开始", "期限", "暂停", "剩余", "状态"]
    rows = [line.split() for line in lines[3:]]
    assert rows == [
        ["签收", "mz_jz", "1wd", "2026-09-29", "09:00", "2026-09-30", "17:30", "0分", "—",
         "按时完成"],
        ["首次联系", "mz_jz", "3wd", "2026-09-29", "09:00", "2026-10-09", "17:30", "8天2小时",
         "9天7小时30分", "计时中（暂停中）"],
        ["办结", "mz_jz", "30wd", "2026-09-29", "09:00", "2026-11-16", "17:30", "8天2小时",
         "47天7小时30分", "计时中（暂停中）"],
        ["签收", "jy", "1wd", "2026-09-29", "09:00", "2026-09-30", "17:30", "0分", "—",
         "按时完成"],
        ["办结", "jy", "30wd", "2026-09-29", "09:00", "2026-11-16", "17:30", "8天2小时",
         "47天7小时30分", "计时中（暂停中）"],
    ]
    # By its number too; and an unknown case is an error, in Chinese.
    assert run(capsys, "sla", "explain", str(case_id), "--now", "2026-10-08T12:00")[1] == out
    assert run(capsys, "sla", "explain", "999999") == (1, "", "找不到案件 999999\n")


def test_explain_shows_a_breach_and_the_escalation_level(
    capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session],
) -> None:
    case_id, _ = held_case(sessions)
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.escalation_level = 1
        session.commit()
    status, out, _ = run(capsys, "sla", "explain", str(case_id), "--now", "2026-09-30T09:00")
    assert out.splitlines()[1] == "督办级别：1（清溪县）  计算时间：2026-09-30 09:00"


def test_rebuild_restores_the_index_after_redis_lost_it(
    capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session], redis: Redis,
) -> None:
    policy = load_sla_policy()
    for _ in range(2):
        open_test_case(sessions, policy, policy.working_calendar())
    redis.flushdb()
    assert run(capsys, "sla", "rebuild") == (0, "计时索引已重建：8 个待触发的预警/超时节点\n", "")
    assert redis.zcard(DUE_KEY) == 8 and redis.get(SEEN_KEY) == b"4"
