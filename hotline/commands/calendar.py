"""`hotline calendar import FILE` and `hotline calendar check`: the statutory working calendar.

`load_calendar(settings)` is the one way the application builds its calendar:
the county's working hours from the SLA policy, the imported days from SQL.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cases.calendar_days import CalendarDay, import_calendar_days, load_calendar_days
from cases.db import Base, make_engine, make_sessionmaker
from hotline.settings import Settings
from routing.calendar import CalendarFileError, WorkingCalendar, parse_calendar_csv
from routing.sla_policy import SlaPolicyError, load_sla_policy


def load_calendar(settings: Settings, engine: Engine | None = None) -> WorkingCalendar:
    """The working calendar: the SLA policy's hours and zone, and the days an admin imported."""
    policy = load_sla_policy(settings.sla_file)
    own_engine = engine is None
    engine = engine or open_calendar_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            days = load_calendar_days(session)
    finally:
        if own_engine:
            engine.dispose()
    return policy.working_calendar(days)


def calendar_or_report(settings: Settings) -> WorkingCalendar | None:
    """The calendar for a command; a bad SLA file is reported on stderr and gives None."""
    try:
        return load_calendar(settings)
    except SlaPolicyError as exc:
        print(str(exc), file=sys.stderr)
        return None


def open_calendar_engine(settings: Settings) -> Engine:
    """An engine on the settings' database with the `calendar_days` table in place."""
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[CalendarDay.__tablename__]])
    return engine


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("calendar", help="工作日历：导入节假日安排，检查年份是否已覆盖")
    commands = parser.add_subparsers(dest="calendar_command", required=True)

    importer = commands.add_parser(
        "import",
        help="导入一整年的节假日和调休上班日（CSV：date,kind；kind 为 holiday/workday 或 休/班）",
    )
    importer.add_argument("file", type=Path, help="CSV 文件，UTF-8 或 GBK 编码")
    importer.set_defaults(func=_import)

    check = commands.add_parser(
        "check", help="检查各年份的节假日安排是否已知；有未覆盖的年份时退出码为 1"
    )
    check.add_argument("--years", type=int, nargs="+", help="要检查的年份，默认今年和明年")
    check.set_defaults(func=_check)


def _import(args: argparse.Namespace) -> int:
    try:
        days = parse_calendar_csv(_read_text(args.file))
    except (OSError, CalendarFileError) as exc:
        print(f"导入失败：{args.file}：{exc}", file=sys.stderr)
        return 1
    settings = Settings.from_env()
    engine = open_calendar_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            count = import_calendar_days(session, days)
    finally:
        engine.dispose()
    print(f"已导入 {count} 天：")
    kinds = Counter((day.year, kind) for day, kind in days.items())
    for year in sorted({day.year for day in days}):
        print(f"  {year}年：放假 {kinds[year, 'holiday']} 天，调休上班 {kinds[year, 'workday']} 天")
    return 0


def _check(args: argparse.Namespace) -> int:
    calendar = calendar_or_report(Settings.from_env())
    if calendar is None:
        return 1
    years: list[int] = args.years or _this_year_and_next(calendar)
    imported = Counter(day.year for day in calendar.overrides)
    for year in sorted(set(years)):
        if imported[year]:
            print(f"{year}年：已导入节假日安排（{imported[year]} 天）")
        elif calendar.covered(year):
            print(f"{year}年：使用国务院节假日安排（chinese_calendar 软件包）")
        else:
            print(f"{year}年：未覆盖")
    warnings = calendar.warnings(years)
    for warning in warnings:
        print(f"警告：{warning}。请用 `hotline calendar import 文件` 导入。", file=sys.stderr)
    return 1 if warnings else 0


def _this_year_and_next(calendar: WorkingCalendar) -> list[int]:
    year = datetime.now(calendar.tz).year
    return [year, year + 1]


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves CSV in GBK.
        return data.decode("gb18030")

