"""SLA policies: the domain table, county overrides, errors that name the entry, versions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.deadlines import add
from routing.duration import Duration, parse_duration
from routing.sla_policy import (
    SlaPolicyError,
    load_sla_policy,
    policy_from_snapshot,
)

DOMAIN_TABLE = {
    "dispatch": ("15m", "1h", "4wh"),
    "accept": ("30m", "2h", "1wd"),
    "first_contact": ("2h", "24h", "3wd"),
    "followup": ("1wd", "2wd", "3wd"),
}
RESOLVE_DAYS = {
    "dibao": 30,
    "tekun": 30,
    "linshi": 15,
    "yiliao": 15,
    "jiaoyu": 15,
    "zhufang": 20,
    "jiuye": 15,
    "shouzai": 10,
    "liulang": 3,
    "canji": 15,
    "ertong": 10,
    "laonian": 10,
    "falv": 15,
    "tousu": 15,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "county_sla.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("clock", sorted(DOMAIN_TABLE))
@pytest.mark.parametrize("category", ["dibao", "linshi", "zixun"])
def test_defaults_follow_the_domain_table(clock: str, category: str) -> None:
    policy = load_sla_policy()
    expected = DOMAIN_TABLE[clock]
    for urgency, limit in zip(("critical", "urgent", "normal"), expected, strict=True):
        assert policy.duration(clock, urgency, category) == parse_duration(limit)


@pytest.mark.parametrize(("category", "days"), sorted(RESOLVE_DAYS.items()))
def test_resolve_by_category_for_every_urgency(category: str, days: int) -> None:
    policy = load_sla_policy()
    for urgency in ("critical", "urgent", "normal"):
        assert policy.duration("resolve", urgency, category) == Duration(days, "wd")


def test_where_a_clock_does_not_apply() -> None:
    policy = load_sla_policy()
    assert policy.duration("advance_aid", "critical", "linshi") == Duration(24, "h")
    assert policy.duration("advance_aid", "urgent", "linshi") == Duration(48, "h")
    assert policy.duration("advance_aid", "normal", "linshi") is None
    assert policy.duration("advance_aid", "critical", "dibao") is None
    assert policy.duration("advance_aid", "critical") is None
    assert policy.duration("resolve", "normal", "zixun") is None
    assert policy.duration("resolve", "normal", "feijiuzhu") is None


def test_thresholds_and_hours() -> None:
    policy = load_sla_policy()
    assert (policy.thresholds.warn, policy.thresholds.breach) == (0.75, 1.0)
    assert policy.thresholds.second_escalation == 2.0
    assert policy.timezone == "Asia/Shanghai"
    assert policy.hours.describe() == ["08:30-12:00", "14:00-17:30"]


@pytest.mark.parametrize(
    ("clock", "urgency", "category", "message"),
    [
        ("resolve", "normal", "unknown", "没有事项 'unknown'"),
        ("resolve", "normal", None, "需要事项代码"),
        ("dispatch", "high", None, "未知的紧急程度 'high'"),
        ("callback", "normal", None, "未知的计时 'callback'"),
    ],
)
def test_unknown_questions_are_errors(
    clock: str, urgency: str, category: str | None, message: str
) -> None:
    with pytest.raises(SlaPolicyError, match=message):
        load_sla_policy().duration(clock, urgency, category)


def test_county_override(tmp_path: Path) -> None:
    default = load_sla_policy()
    county = load_sla_policy(
        write(
            tmp_path,
            """
[clocks.dispatch]
normal = "2wh"

[clocks.advance_aid]
normal = "3wd"
categories = ["linshi", "shouzai"]

[resolve]
dibao = "20wd"
yanglao = "10wd"

[working_hours]
periods = ["09:00-12:00", "13:30-17:00"]

[thresholds]
warn = 0.8
""",
        )
    )
    assert county.duration("dispatch", "normal", "dibao") == Duration(2, "wh")
    assert county.duration("dispatch", "critical", "dibao") == Duration(15, "m")
    assert county.duration("advance_aid", "normal", "shouzai") == Duration(3, "wd")
    assert county.duration("advance_aid", "urgent", "linshi") == Duration(48, "h")
    assert county.duration("resolve", "normal", "dibao") == Duration(20, "wd")
    assert county.duration("resolve", "normal", "yanglao") == Duration(10, "wd")
    assert county.duration("resolve", "normal", "tekun") == Duration(30, "wd")
    assert county.thresholds.warn == 0.8
    assert county.thresholds.breach == 1.0
    assert county.version != default.version
    calendar = county.working_calendar()
    start = datetime(2026, 9, 30, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert add(start, parse_duration("3wd"), calendar).isoformat() == "2026-10-10T17:00:00+08:00"


def test_version_is_a_hash_of_the_effective_content(tmp_path: Path) -> None:
    assert load_sla_policy().version == load_sla_policy().version
    same = write(tmp_path, '[clocks.dispatch]\nnormal = "4wh"\n')
    assert load_sla_policy(same).version == load_sla_policy().version


def test_a_case_keeps_the_policy_it_started_under(tmp_path: Path) -> None:
    started_under = load_sla_policy()
    stored_version, stored_snapshot = started_under.version, started_under.snapshot()
    changed = load_sla_policy(write(tmp_path, '[clocks.accept]\nnormal = "2wd"\n'))
    assert changed.duration("accept", "normal", "dibao") == Duration(2, "wd")
    restored = policy_from_snapshot(stored_snapshot)
    assert restored.version == stored_version
    assert restored.duration("accept", "normal", "dibao") == Duration(1, "wd")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[holidays]\nx = 1\n", r"未知的配置节 \[holidays\]"),
        ('[clocks.callback]\nnormal = "1wd"\n', "clocks.callback：未知的计时"),
        ('[clocks.resolve]\ndibao = "1wd"\n', r"\[resolve\]"),
        ('[clocks.dispatch]\nnormal = "4 hours"\n', "clocks.dispatch.normal：无法识别的时长"),
        ("[clocks.dispatch]\nnormal = 4\n", "clocks.dispatch.normal：缺少时限"),
        ('[clocks.dispatch]\nlow = "4wh"\n', "clocks.dispatch：未知的键 low"),
        ('[clocks.advance_aid]\ncategories = "linshi"\n', "clocks.advance_aid.categories"),
        ('[resolve]\ndibao = "0wd"\n', "resolve.dibao"),
        ("[thresholds]\nwarn = 1.5\n", "warn < breach < second_escalation"),
        ('[thresholds]\nbreach = "1"\n', "thresholds.breach"),
        ("[thresholds]\nyellow = 0.5\n", "thresholds：未知的键 yellow"),
        ('[working_hours]\nperiods = ["8:30-12:00", "11:00-17:30"]\n', "working_hours：工作时段"),
        ('[working_hours]\ntimezone = "China/Qujing"\n', "working_hours：无法识别的时区"),
        ('[working_hours]\nopen = "08:30"\n', "working_hours：未知的键 open"),
        ("clocks = 3\n", r"\[clocks\] 应为一个表"),
        ("[clocks\n", "格式错误"),
    ],
)
def test_bad_override_entries_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SlaPolicyError, match=message):
        load_sla_policy(write(tmp_path, text))


def test_a_missing_override_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SlaPolicyError, match="找不到 SLA 配置文件"):
        load_sla_policy(tmp_path / "nowhere.toml")


def test_a_broken_snapshot_is_an_error() -> None:
    with pytest.raises(SlaPolicyError, match="快照"):
        policy_from_snapshot("{not json")
    with pytest.raises(SlaPolicyError, match="快照"):
        policy_from_snapshot("[]")
