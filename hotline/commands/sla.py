"""`hotline sla deadline` (a deadline on the working calendar) and `hotline sla policy`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.commands.calendar import load_calendar
from hotline.settings import Settings
from routing.deadlines import add
from routing.duration import parse_duration
from routing.sla_policy import (
    CLOCK_NAMES,
    URGENCIES,
    URGENCY_CLOCKS,
    SlaPolicyError,
    load_sla_policy,
)

URGENCY_NAMES = {"critical": "特急", "urgent": "紧急", "normal": "一般"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sla", help="时限：计算期限，查看时限表")
    commands = parser.add_subparsers(dest="sla_command", required=True)

    deadline = commands.add_parser("deadline", help="按法定工作日历计算期限")
    deadline.add_argument("--start", required=True, help="开始时间，例如 2026-09-30T16:00")
    deadline.add_argument(
        "--duration", required=True, help="时长：15m、48h、4wh（工作小时）、3wd（工作日）"
    )
    deadline.add_argument("--tz", help="开始时间未带时区时所用的时区，默认为工作日历的时区")
    deadline.set_defaults(func=_deadline)

    policy = commands.add_parser("policy", help="显示生效的时限表及其版本")
    policy.set_defaults(func=_policy)


def _deadline(args: argparse.Namespace) -> int:
    try:
        duration = parse_duration(args.duration)
    except ValueError as exc:
        print(f"--duration：{exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    try:
        calendar = load_calendar(settings)
    except SlaPolicyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        zone = ZoneInfo(args.tz) if args.tz else calendar.tz
    except (ZoneInfoNotFoundError, ValueError):
        print(f"--tz：无法识别的时区 {args.tz!r}，例如 Asia/Shanghai", file=sys.stderr)
        return 2
    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        print(f"--start：无法识别的时间 {args.start!r}，例如 2026-09-30T16:00", file=sys.stderr)
        return 2
    if start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    deadline = add(start, duration, calendar)
    print(deadline.isoformat())
    local_start = calendar.local(start)
    for warning in calendar.warnings(range(local_start.year, deadline.year + 1)):
        print(f"警告：{warning}", file=sys.stderr)
    return 0


def _policy(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        policy = load_sla_policy(settings.sla_file)
    except SlaPolicyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"时限表版本 {policy.version}（{settings.sla_file or '默认配置'}）")
    print(f"工作时间 {'、'.join(policy.hours.describe())}（{policy.timezone}）")
    levels = "  ".join(URGENCY_NAMES[level] for level in URGENCIES)
    print(f"计时        {levels}")
    for clock in URGENCY_CLOCKS:
        limits = policy.clocks[clock]
        cells = "  ".join(str(limits[level] or "—") for level in URGENCIES)
        only = policy.clock_categories.get(clock)
        scope = f"（仅 {'、'.join(sorted(only))}）" if only is not None else ""
        print(f"{CLOCK_NAMES[clock]}  {cells}{scope}")
    resolve = "、".join(f"{code} {limit or '—'}" for code, limit in policy.resolve.items())
    print(f"{CLOCK_NAMES['resolve']}  {resolve}")
    thresholds = policy.thresholds
    print(
        f"预警 {thresholds.warn:.0%}，超时 {thresholds.breach:.0%}，"
        f"再次升级 {thresholds.second_escalation:.0%}"
    )
    return 0
