"""Reading a county's TOML configuration file, with errors a person can act on."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The file's tables; a missing or malformed file raises `error` naming it, in Chinese.

    `what` names the file in Chinese; start it with a space when it starts with Latin letters
    ("找不到 SLA 配置文件").
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"找不到{what}文件：{path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what.lstrip()}文件 {path} 格式错误：{exc}") from None
