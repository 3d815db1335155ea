"""SLA policies: each clock's time limit by urgency (and by category for `resolve`).

The defaults ship in `routing/defaults/sla.toml`; a county's file overrides
single entries. Everything is checked at load, with the entry named. The
policy's `version` is a hash of its effective content: a case stores it, and
`snapshot()` / `policy_from_snapshot()` keep the content that goes with it, so
a case keeps the limits it started under when the county changes them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.calendar import WorkingCalendar, WorkingHours
from routing.config_file import read_toml
from routing.duration import Duration, parse_duration

DEFAULT_FILE = Path(__file__).parent / "defaults" / "sla.toml"

URGENCIES = ("critical", "urgent", "normal")
URGENCY_CLOCKS = ("dispatch", "accept", "first_contact", "advance_aid", "followup")
CLOCKS = ("dispatch", "accept", "first_contact", "advance_aid", "resolve", "followup")
CLOCK_NAMES = {
    "dispatch": "派单",
    "accept": "签收",
    "first_contact": "首次联系",
    "advance_aid": "先行救助",
    "resolve": "办结",
    "followup": "回访",
}
NOT_APPLICABLE = "-"

_SECTIONS = {"thresholds", "working_hours", "clocks", "resolve"}
_THRESHOLD_KEYS = ("warn", "breach", "second_escalation")
_HOURS_KEYS = {"timezone", "periods"}


class SlaPolicyError(ValueError):
    """The SLA configuration is wrong; the message names the entry, in Chinese."""


@dataclass(frozen=True)
class Thresholds:
    warn: float
    breach: float
    second_escalation: float


@dataclass(frozen=True)
class SlaPolicy:
    version: str
    thresholds: Thresholds
    hours: WorkingHours
    timezone: str
    clocks: Mapping[str, Mapping[str, Duration | None]]  # clock → urgency → limit
    clock_categories: Mapping[str, frozenset[str]]  # a clock limited to these categories
    resolve: Mapping[str, Duration | None]  # category → limit
    content: Mapping[str, Any]

    def duration(self, clock: str, urgency: str, category: str | None = None) -> Duration | None:
        """The limit of `clock`; None where the clock does not apply (advance_aid for normal)."""
        if urgency not in URGENCIES:
            raise SlaPolicyError(f"未知的紧急程度 '{urgency}'，应为 critical、urgent 或 normal")
        if clock == "resolve":
            if category is None:
                raise SlaPolicyError("办结时限按事项计算，需要事项代码")
            if category not in self.resolve:
                raise SlaPolicyError(f"SLA 配置中没有事项 '{category}' 的办结时限（[resolve]）")
            return self.resolve[category]
        if clock not in self.clocks:
            raise SlaPolicyError(f"未知的计时 '{clock}'，应为 {'、'.join(CLOCKS)} 之一")
        only = self.clock_categories.get(clock)
        if only is not None and category not in only:
            return None
        return self.clocks[clock][urgency]

    def working_calendar(self, overrides: Mapping[Any, str] | None = None) -> WorkingCalendar:
        """The working calendar with this policy's hours and time zone."""
        return WorkingCalendar(overrides, self.hours, self.timezone)

    def snapshot(self) -> str:
        """The effective content as canonical JSON, to be stored next to `version`."""
        return _canonical(self.content)


def load_sla_policy(override: Path | None = None) -> SlaPolicy:
    """The default policy, with `override`'s entries laid over it when given."""
    raw = _read(DEFAULT_FILE)
    if override is not None:
        raw = _merge(raw, _read(override), str(override))
    return _build(raw)


def policy_from_snapshot(text: str) -> SlaPolicy:
    """The policy a case started under, from its stored `snapshot()`."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SlaPolicyError(f"SLA 配置快照格式错误：{exc}") from None
    if not isinstance(raw, dict):
        raise SlaPolicyError("SLA 配置快照应为一个 JSON 对象")
    return _build(raw)


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path, SlaPolicyError, " SLA 配置")


def _merge(base: dict[str, Any], over: dict[str, Any], source: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for section, entries in over.items():
        if section not in _SECTIONS:
            raise SlaPolicyError(f"{source}：未知的配置节 [{section}]")
        if not isinstance(entries, dict):
            raise SlaPolicyError(f"{source}：[{section}] 应为一个表")
        if section != "clocks":
            merged[section].update(entries)
            continue
        for clock, limits in entries.items():
            if clock not in URGENCY_CLOCKS:
                hint = "（办结时限写在 [resolve] 中）" if clock == "resolve" else ""
                raise SlaPolicyError(f"{source}：clocks.{clock}：未知的计时{hint}")
            if not isinstance(limits, dict):
                raise SlaPolicyError(f"{source}：clocks.{clock} 应为一个表")
            merged["clocks"][clock].update(limits)
    return merged


def _build(raw: Mapping[str, Any]) -> SlaPolicy:
    unknown = set(raw) - _SECTIONS
    _expect(not unknown, "", f"未知的配置节 {', '.join(sorted(unknown))}")
    clocks_raw = raw.get("clocks", {})
    _expect(isinstance(clocks_raw, dict), "clocks", "应为一个表")
    clocks: dict[str, dict[str, Duration | None]] = {}
    clock_categories: dict[str, frozenset[str]] = {}
    for clock in URGENCY_CLOCKS:
        entry = clocks_raw.get(clock)
        _expect(isinstance(entry, dict), f"clocks.{clock}", "缺少这个计时的时限表")
        extra = set(entry) - {*URGENCIES, "categories"}
        _expect(not extra, f"clocks.{clock}", f"未知的键 {', '.join(sorted(extra))}")
        clocks[clock] = {
            level: _limit(entry.get(level), f"clocks.{clock}.{level}") for level in URGENCIES
        }
        if "categories" in entry:
            only = entry["categories"]
            ok = isinstance(only, list) and all(isinstance(code, str) and code for code in only)
            _expect(ok, f"clocks.{clock}.categories", "应为事项代码列表")
            clock_categories[clock] = frozenset(only)
    extra_clocks = set(clocks_raw) - set(URGENCY_CLOCKS)
    _expect(not extra_clocks, "clocks", f"未知的计时 {', '.join(sorted(extra_clocks))}")
    resolve_raw = raw.get("resolve", {})
    _expect(isinstance(resolve_raw, dict) and bool(resolve_raw), "resolve", "应为事项到时限的表")
    resolve = {code: _limit(value, f"resolve.{code}") for code, value in resolve_raw.items()}
    timezone, hours = _working_hours(raw.get("working_hours", {}))
    thresholds = _thresholds(raw.get("thresholds", {}))
    content = {
        "thresholds": dict(raw.get("thresholds", {})),
        "working_hours": dict(raw.get("working_hours", {})),
        "clocks": clocks_raw,
        "resolve": resolve_raw,
    }
    version = hashlib.sha256(_canonical(content).encode()).hexdigest()[:12]
    return SlaPolicy(
        version=version,
        thresholds=thresholds,
        hours=hours,
        timezone=timezone,
        clocks=clocks,
        clock_categories=clock_categories,
        resolve=resolve,
        content=copy.deepcopy(content),
    )


def _limit(value: Any, where: str) -> Duration | None:
    if value == NOT_APPLICABLE:
        return None
    _expect(isinstance(value, str), where, '缺少时限，应写作 "4wh"、"3wd" 等，不适用写 "-"')
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise SlaPolicyError(f"SLA 配置错误：{where}：{exc}") from None


def _thresholds(raw: Any) -> Thresholds:
    _expect(isinstance(raw, dict), "thresholds", "应为一个表")
    extra = set(raw) - set(_THRESHOLD_KEYS)
    _expect(not extra, "thresholds", f"未知的键 {', '.join(sorted(extra))}")
    values: list[float] = []
    for key in _THRESHOLD_KEYS:
        value = raw.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        _expect(ok, f"thresholds.{key}", "应为正数（时限的比例，1.0 即到期）")
        values.append(float(value))
    warn, breach, second = values
    _expect(warn < breach < second, "thresholds", "须满足 warn < breach < second_escalation")
    return Thresholds(warn=warn, breach=breach, second_escalation=second)


def _working_hours(raw: Any) -> tuple[str, WorkingHours]:
    _expect(isinstance(raw, dict), "working_hours", "应为一个表")
    extra = set(raw) - _HOURS_KEYS
    _expect(not extra, "working_hours", f"未知的键 {', '.join(sorted(extra))}")
    timezone = raw.get("timezone")
    _expect(isinstance(timezone, str) and bool(timezone), "working_hours.timezone", "应为时区名")
    periods = raw.get("periods")
    ok = isinstance(periods, list) and all(isinstance(period, str) for period in periods)
    _expect(ok, "working_hours.periods", '应为时段列表，例如 ["08:30-12:00", "14:00-17:30"]')
    try:
        hours = WorkingHours.parse(periods)
        WorkingCalendar(hours=hours, tz=timezone)
    except ValueError as exc:
        raise SlaPolicyError(f"SLA 配置错误：working_hours：{exc}") from None
    return timezone, hours


def _expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        prefix = f"{where}：" if where else ""
        raise SlaPolicyError(f"SLA 配置错误：{prefix}{message}")


def _canonical(content: Mapping[str, Any] | Sequence[Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
