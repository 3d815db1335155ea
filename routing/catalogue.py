"""The assistance catalogue: categories, departments and routing thresholds, read from TOML.

The defaults ship in `routing/defaults/catalogue.toml`; a county's own file
overrides single entries (one key of one category, one department name, one
threshold) and everything is checked once, at load, so that a wrong code fails
at start-up with the entry named instead of misrouting cases later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.config_file import read_toml

DEFAULT_FILE = Path(__file__).parent / "defaults" / "catalogue.toml"

_URGENCIES = ("critical", "urgent", "normal")
_CATEGORY_KEYS = frozenset(
    "name lead assisting resolve_days needs_department transfers_out advance_aid".split()
)
_THRESHOLD_KEYS = frozenset(
    {"auto_dispatch_confidence", "co_need_probability", "advance_aid_urgencies"}
)
_COMPLAINT_KEYS = frozenset({"township_staff_words"})
_SECTIONS = frozenset({"thresholds", "complaints", "departments", "categories"})


class CatalogueError(ValueError):
    """The catalogue configuration is wrong; the message names the entry, in Chinese."""


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    lead: str | None  # None only when the hotline answers it itself
    assisting: tuple[str, ...] = ()
    resolve_days: int | None = None  # working days; None: no resolve clock
    needs_department: bool = True
    transfers_out: bool = False  # not social assistance: handed to another hotline
    advance_aid: bool = False  # starts the 先行救助 clock by itself


@dataclass(frozen=True)
class Thresholds:
    auto_dispatch_confidence: float
    co_need_probability: float
    advance_aid_urgencies: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    categories: Mapping[str, Category]
    departments: Mapping[str, str]  # code → Chinese name
    thresholds: Thresholds
    township_staff_words: tuple[str, ...]

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise CatalogueError(f"事项代码 '{code}' 不在救助事项目录中") from None

    def category_name(self, code: str) -> str:
        return self.category(code).name

    def department_name(self, code: str) -> str:
        try:
            return self.departments[code]
        except KeyError:
            raise CatalogueError(f"部门代码 '{code}' 不在部门列表中") from None


def load_catalogue(override: Path | None = None) -> Catalogue:
    """The default catalogue, with `override`'s entries laid over it when given."""
    raw = _read(DEFAULT_FILE)
    if override is not None:
        raw = _merge(raw, _read(override), override)
    return _build(raw)


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path, CatalogueError, "救助事项目录")


def _merge(base: dict[str, Any], over: dict[str, Any], path: Path) -> dict[str, Any]:
    merged = {key: dict(value) for key, value in base.items()}
    merged["categories"] = {code: dict(entry) for code, entry in base["categories"].items()}
    for section, entries in over.items():
        if section not in _SECTIONS:
            raise CatalogueError(f"{path}：未知的配置节 [{section}]")
        if not isinstance(entries, dict):
            raise CatalogueError(f"{path}：[{section}] 应为一个表")
        if section != "categories":
            merged[section].update(entries)
            continue
        for code, entry in entries.items():
            if code not in merged["categories"]:
                raise CatalogueError(f"{path}：categories.{code}：未知的事项代码 '{code}'")
            if not isinstance(entry, dict):
                raise CatalogueError(f"{path}：categories.{code} 应为一个表")
            merged["categories"][code].update(entry)
    return merged


def _build(raw: dict[str, Any]) -> Catalogue:
    departments = raw.get("departments", {})
    for code, name in departments.items():
        _expect(isinstance(name, str) and bool(name), f"departments.{code}", "应为非空的部门名称")
    categories = {
        code: _category(code, entry, departments) for code, entry in raw["categories"].items()
    }
    return Catalogue(
        categories=categories,
        departments=dict(departments),
        thresholds=_thresholds(raw.get("thresholds", {})),
        township_staff_words=_complaint_words(raw.get("complaints", {})),
    )


def _category(code: str, entry: dict[str, Any], departments: Mapping[str, str]) -> Category:
    where = f"categories.{code}"
    unknown = set(entry) - _CATEGORY_KEYS
    _expect(not unknown, where, f"未知的键 {', '.join(sorted(unknown))}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise CatalogueError(f"救助事项目录配置错误：{where}.name：应为非空的中文名称")
    needs_department = entry.get("needs_department", True)
    transfers_out = entry.get("transfers_out", False)
    advance_aid = entry.get("advance_aid", False)
    for key, value in (
        ("needs_department", needs_department),
        ("transfers_out", transfers_out),
        ("advance_aid", advance_aid),
    ):
        _expect(isinstance(value, bool), f"{where}.{key}", "应为 true 或 false")
    lead = entry.get("lead")
    if needs_department:
        _expect(isinstance(lead, str), f"{where}.lead", "需要主办部门代码")
        _expect(lead in departments, f"{where}.lead", f"部门 '{lead}' 不存在")
    else:
        _expect(lead is None, f"{where}.lead", "needs_department = false 的事项不能有主办部门")
    assisting = entry.get("assisting", [])
    _expect(isinstance(assisting, list), f"{where}.assisting", "应为部门代码列表")
    for dept in assisting:
        _expect(dept in departments, f"{where}.assisting", f"部门 '{dept}' 不存在")
        _expect(dept != lead, f"{where}.assisting", f"协办部门 '{dept}' 与主办部门相同")
    resolve_days = entry.get("resolve_days")
    if resolve_days is not None:
        ok = isinstance(resolve_days, int) and not isinstance(resolve_days, bool)
        _expect(ok and resolve_days > 0, f"{where}.resolve_days", "应为正整数（工作日）")
    return Category(
        code=code,
        name=name,
        lead=lead,
        assisting=tuple(assisting),
        resolve_days=resolve_days,
        needs_department=needs_department,
        transfers_out=transfers_out,
        advance_aid=advance_aid,
    )


def _thresholds(raw: dict[str, Any]) -> Thresholds:
    unknown = set(raw) - _THRESHOLD_KEYS
    _expect(not unknown, "thresholds", f"未知的键 {', '.join(sorted(unknown))}")
    values: dict[str, float] = {}
    for key in ("auto_dispatch_confidence", "co_need_probability"):
        value = raw.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
        _expect(ok, f"thresholds.{key}", "应为 0 到 1 之间的数")
        values[key] = float(value)  # type: ignore[arg-type]
    urgencies = raw.get("advance_aid_urgencies", [])
    _expect(isinstance(urgencies, list), "thresholds.advance_aid_urgencies", "应为紧急程度列表")
    for level in urgencies:
        _expect(
            level in _URGENCIES,
            "thresholds.advance_aid_urgencies",
            f"未知的紧急程度 '{level}'",
        )
    return Thresholds(
        auto_dispatch_confidence=values["auto_dispatch_confidence"],
        co_need_probability=values["co_need_probability"],
        advance_aid_urgencies=tuple(urgencies),
    )


def _complaint_words(raw: dict[str, Any]) -> tuple[str, ...]:
    unknown = set(raw) - _COMPLAINT_KEYS
    _expect(not unknown, "complaints", f"未知的键 {', '.join(sorted(unknown))}")
    words = raw.get("township_staff_words", [])
    ok = isinstance(words, list) and all(isinstance(w, str) and w for w in words)
    _expect(ok, "complaints.township_staff_words", "应为非空字符串列表")
    return tuple(words)


def _expect(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise CatalogueError(f"救助事项目录配置错误：{where}：{problem}")
