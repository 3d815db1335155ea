"""The jurisdiction tree: 省 → 市 → 县 → 乡镇（街道）→ 村（社区）, with 12-digit GB/T 2260 codes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.signals import Place, PlaceMention

LEVELS = ("province", "city", "county", "township", "village")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_HEADER = ["code", "name", "level", "parent_code", "aliases"]


class JurisdictionError(ValueError):
    """The tree's data is wrong; the message names the line or code and the field, in Chinese."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str | None
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def parse_units_csv(text: str) -> list[Unit]:
    """Units from CSV with header `code,name,level,parent_code,aliases` (`|` between aliases)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [cell.strip() for cell in rows[0]] != _HEADER:
        raise JurisdictionError(f"第1行：表头应为 {','.join(_HEADER)}")
    units: list[Unit] = []
    line_of: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(_HEADER):
            raise JurisdictionError(f"第{line}行：应有{len(_HEADER)}列，实际{len(row)}列")
        code, name, level, parent, aliases = (cell.strip() for cell in row)
        if not (len(code) == 12 and code.isdigit()):
            raise JurisdictionError(f"第{line}行 code：'{code}' 不是12位数字代码")
        if code in line_of:
            raise JurisdictionError(f"第{line}行 code：'{code}' 与第{line_of[code]}行重复")
        if not name:
            raise JurisdictionError(f"第{line}行 name：名称为空")
        if level not in _RANK:
            raise JurisdictionError(
                f"第{line}行 level：未知级别 '{level}'（应为 {'/'.join(LEVELS)}）"
            )
        line_of[code] = line
        alias_list = tuple(a.strip() for a in aliases.split("|") if a.strip())
        units.append(Unit(code, name, level, parent or None, alias_list))
    for unit in units:
        if unit.parent_code is not None and unit.parent_code not in line_of:
            raise JurisdictionError(
                f"第{line_of[unit.code]}行 parent_code：上级 '{unit.parent_code}' 不存在"
            )
    JurisdictionTree.from_units(units)
    return units


class JurisdictionTree:
    """Lookups over a validated set of units; build it with `from_units`."""

    def __init__(self, units: dict[str, Unit], children: dict[str, list[str]]) -> None:
        self._units = units
        self._children = children
        self._by_name = _index_names(units.values())

    @classmethod
    def from_units(cls, units: Iterable[Unit]) -> JurisdictionTree:
        by_code: dict[str, Unit] = {}
        for unit in units:
            if unit.code in by_code:
                raise JurisdictionError(f"单位 {unit.code} code：代码重复")
            if unit.level not in _RANK:
                raise JurisdictionError(f"单位 {unit.code} level：未知级别 '{unit.level}'")
            by_code[unit.code] = unit
        children: dict[str, list[str]] = {code: [] for code in by_code}
        for unit in by_code.values():
            if unit.parent_code is None:
                continue
            parent = by_code.get(unit.parent_code)
            if parent is None:
                raise JurisdictionError(
                    f"单位 {unit.code} parent_code：上级 '{unit.parent_code}' 不存在"
                )
            if _RANK[parent.level] >= _RANK[unit.level]:
                raise JurisdictionError(
                    f"单位 {unit.code} parent_code：上级 {parent.name}（{parent.level}）"
                    f"级别不高于本级（{unit.level}）"
                )
            children[parent.code].append(unit.code)
        return cls(by_code, children)

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def get(self, code: str) -> Unit | None:
        return self._units.get(code)

    def parent(self, code: str) -> Unit | None:
        unit = self._units.get(code)
        if unit is None or unit.parent_code is None:
            return None
        return self._units[unit.parent_code]

    def ancestors(self, code: str) -> list[Unit]:
        """Parent first, up to the root."""
        found: list[Unit] = []
        current = self.parent(code)
        while current is not None:
            found.append(current)
            current = self.parent(current.code)
        return found

    def children(self, code: str) -> list[Unit]:
        return [self._units[c] for c in self._children.get(code, [])]

    def township_of(self, code: str) -> Unit | None:
        """The township of a village, a township itself; None above township level or unknown."""
        unit = self._units.get(code)
        while unit is not None and unit.level != "township":
            if _RANK[unit.level] < _RANK["township"]:
                return None
            unit = self.parent(unit.code)
        return unit

    def county(self) -> Unit:
        counties = [u for u in self._units.values() if u.level == "county"]
        if len(counties) != 1:
            raise JurisdictionError(f"辖区树应恰有一个县级单位，实际有{len(counties)}个")
        return counties[0]

    def townships(self) -> list[Unit]:
        return [u for u in self._units.values() if u.level == "township"]

    def escalation_target(self, code: str) -> Unit | None:
        """Who supervises `code` when its clock breaches: one level up (乡→县→市→省)."""
        return self.parent(code)

    def places(self) -> list[Place]:
        """The tree as the text analyser's gazetteer sees it."""
        return [
            Place(u.code, u.name, u.level, aliases=u.aliases, parent_code=u.parent_code)
            for u in self._units.values()
        ]

    def mentions_in(self, text: str) -> list[PlaceMention]:
        """Units named in `text`, longest names first where names overlap (白石镇 over 白石).

        A name shared by several units (新民村) yields one mention per unit.
        """
        spans: list[tuple[int, int, str]] = []
        for name in sorted(self._by_name, key=len, reverse=True):
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if all(end <= s or start >= e for s, e, _ in spans):
                    spans.append((start, end, name))
                start = text.find(name, end)
        spans.sort()
        return [
            PlaceMention(text=name, code=unit.code, level=unit.level)
            for _, _, name in spans
            for unit in self._by_name[name]
        ]


def _index_names(units: Iterable[Unit]) -> dict[str, list[Unit]]:
    index: dict[str, list[Unit]] = {}
    for unit in units:
        for name in dict.fromkeys(unit.names):
            index.setdefault(name, []).append(unit)
    return index
