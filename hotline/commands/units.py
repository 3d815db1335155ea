"""`hotline units import FILE`: load a jurisdiction tree from CSV (code,name,level,parent_code,aliases)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hotline.demo.seed import import_tree
from hotline.settings import Settings
from hotline.wiring import open_database
from routing.jurisdiction import JurisdictionError


def register(subparsers: Any) -> None:
    units = subparsers.add_parser("units", help="jurisdiction tree and units")
    sub = units.add_subparsers(dest="units_command", required=True)
    imp = sub.add_parser("import", help="import or update units from a CSV file")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    engine, sessions = open_database(Settings.from_env())
    try:
        with sessions() as session:
            try:
                added, updated = import_tree(session, text)
            except JurisdictionError as exc:
                print(f"导入失败：{exc}", file=sys.stderr)
                return 1
            session.commit()
    finally:
        engine.dispose()
    print(f"imported: {added} added, {updated} updated")
    return 0
