"""A clock's allowed time: an amount in minutes, hours, working hours or working days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, cast

Unit = Literal["m", "h", "wh", "wd"]

UNITS: tuple[Unit, ...] = ("m", "h", "wh", "wd")
UNIT_NAMES: dict[Unit, str] = {"m": "分钟", "h": "小时", "wh": "工作小时", "wd": "工作日"}

_PATTERN = re.compile(r"^\s*(\d+)\s*(wd|wh|m|h)\s*$")


@dataclass(frozen=True)
class Duration:
    """`amount` of `unit`: m and h run on calendar time, wh and wd on the working calendar."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"时长单位 {self.unit!r} 无效，应为 m、h、wh 或 wd")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError(f"时长数值 {self.amount!r} 无效，应为正整数")

    @property
    def working(self) -> bool:
        return self.unit in ("wh", "wd")

    def calendar_time(self) -> timedelta:
        """The exact length of a calendar-time duration (m or h)."""
        if self.unit == "m":
            return timedelta(minutes=self.amount)
        if self.unit == "h":
            return timedelta(hours=self.amount)
        raise ValueError(f"{self} 按工作时间计算，没有固定长度")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def describe(self) -> str:
        """The Chinese reading shown to people, e.g. "3个工作日"."""
        if self.unit == "wd":
            return f"{self.amount}个工作日"
        if self.unit == "h":
            return f"{self.amount}小时"
        return f"{self.amount}{UNIT_NAMES[self.unit]}"


def parse_duration(text: str) -> Duration:
    """Read "15m", "48h", "4wh" or "3wd"."""
    match = _PATTERN.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"无法识别的时长 {text!r}：应为正整数加单位，"
            "m=分钟、h=小时、wh=工作小时、wd=工作日，例如 15m、48h、4wh、3wd"
        )
    return Duration(int(match.group(1)), cast(Unit, match.group(2)))
