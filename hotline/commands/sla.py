"""`hotline sla deadline|policy|explain|rebuild`: deadlines, policy, a case's clocks, the index."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.tables import Assignment, Case, Clock
from cases.workflow import STATE_NAMES
from hotline.commands.calendar import calendar_or_report
from hotline.embedded_redis import EmbeddedRedis
from hotline.settings import Settings
from hotline.wiring import connect_redis, load_tree, open_database
from routing.deadlines import add
from routing.duration import parse_duration
from routing.escalation import level_unit
from routing.jurisdiction import JurisdictionTree
from routing.sla_policy import (
    CLOCK_NAMES,
    URGENCIES,
    URGENCY_CLOCKS,
    SlaPolicyError,
    load_sla_policy,
)
from routing.timers import TimerIndex, clock_pauses

URGENCY_NAMES = {"critical": "特急", "urgent": "紧急", "normal": "一般"}
CLOCK_STATE_NAMES = {
    "running": "计时中", "warned": "预警", "breached": "超时", "met": "按时完成",
    "met_late": "超时完成", "cancelled": "已取消",
}


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

    explain = commands.add_parser(
        "explain", help="显示一个案件的各项计时：开始、期限、暂停、剩余、状态"
    )
    explain.add_argument("case", help="案件编号（数字 ID 或受理编号）")
    explain.add_argument("--now", help="按此时间计算剩余时间（默认现在），例如 2026-10-09T10:00")
    explain.set_defaults(func=_explain)

    rebuild = commands.add_parser("rebuild", help="从数据库重建 Redis 中的计时索引")
    rebuild.set_defaults(func=_rebuild)


def _deadline(args: argparse.Namespace) -> int:
    try:
        duration = parse_duration(args.duration)
    except ValueError as exc:
        print(f"--duration：{exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    calendar = calendar_or_report(settings)
    if calendar is None:
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


def _explain(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    calendar = calendar_or_report(settings)
    if calendar is None:
        return 1
    now = datetime.now(UTC)
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            print(f"--now：无法识别的时间 {args.now!r}，例如 2026-10-09T10:00", file=sys.stderr)
            return 2
        if now.tzinfo is None:
            now = now.replace(tzinfo=calendar.tz)
    engine, sessions = open_database(settings)
    try:
        with sessions() as session:
            case = find_case(session, args.case)
            if case is None:
                print(f"找不到案件 {args.case}", file=sys.stderr)
                return 1
            print(explain_case(session, case, now, calendar.tz, load_tree(sessions)))
    finally:
        engine.dispose()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    url = settings.redis_url
    embedded = EmbeddedRedis(settings.redis_dir)
    if not url and embedded.socket.exists():
        url = embedded.url
    if not url:
        print("REDIS_URL 未设置，也没有找到本机内置 Redis（hotline serve 启动时创建）",
              file=sys.stderr)
        return 1
    engine, sessions = open_database(settings)
    try:
        with sessions() as session:
            count = TimerIndex(connect_redis(url)).rebuild(session)
    except RedisError as exc:
        print(f"无法连接 Redis（{url}）：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"计时索引已重建：{count} 个待触发的预警/超时节点")
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


def find_case(session: Session, key: str) -> Case | None:
    """A case by its number (ID) or its tracking number (受理编号)."""
    case = session.scalars(select(Case).where(Case.tracking_no == key)).first()
    if case is None and key.isdigit():
        case = session.get(Case, int(key))
    return case


def explain_case(
    session: Session, case: Case, now: datetime, zone: ZoneInfo, tree: JurisdictionTree
) -> str:
    """Each clock of `case` as a table: kind, department, start, deadline, paused, remaining."""
    departments = {a.id: a.department for a in session.scalars(
        select(Assignment).where(Assignment.case_id == case.id))}
    clocks = session.scalars(select(Clock).where(Clock.case_id == case.id).order_by(Clock.id))
    _, level_name = level_unit(tree, case, case.escalation_level)
    lines = [
        f"案件 {case.tracking_no}（#{case.id}）  状态：{STATE_NAMES.get(case.state, case.state)}"
        f"  紧急程度：{URGENCY_NAMES.get(case.urgency, case.urgency)}"
        f"  时限表版本：{case.policy_version or '—'}",
        f"督办级别：{case.escalation_level}（{level_name}）"
        f"  计算时间：{now.astimezone(zone):%Y-%m-%d %H:%M}",
    ]
    rows = [("计时", "部门", "时限", "开始", "期限", "暂停", "剩余", "状态")]
    for clock in clocks:
        rows.append((
            CLOCK_NAMES.get(clock.kind, clock.kind),
            departments.get(clock.assignment_id or -1, "—"),
            clock.duration + (f"+{'+'.join(clock.extensions)}" if clock.extensions else ""),
            f"{clock.started_at.astimezone(zone):%Y-%m-%d %H:%M}",
            f"{clock.deadline.astimezone(zone):%Y-%m-%d %H:%M}",
            _span(_paused(clock, now)),
            _remaining(clock, now),
            CLOCK_STATE_NAMES.get(clock.state, clock.state)
            + ("（暂停中）" if clock.paused_at is not None else ""),
        ))
    if len(rows) == 1:
        lines.append("该案件没有计时。")
        return "\n".join(lines)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell + " " * (width - _width(cell))
                 for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _paused(clock: Clock, now: datetime) -> timedelta:
    """Calendar time the clock stood still (an open pause counts up to `now`)."""
    total = timedelta()
    for start, end in clock_pauses(clock):
        total += max(timedelta(), (end or now) - start)
    return total


def _remaining(clock: Clock, now: datetime) -> str:
    if clock.stopped_at is not None:
        return "—"
    left = clock.deadline - (clock.paused_at or now)
    if left < timedelta():
        return f"已超时{_span(-left)}"
    return _span(left)


def _span(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "",
             f"{minutes}分" if minutes or not (days or hours) else ""]
    return "".join(parts)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
