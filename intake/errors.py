"""Error answers of the API: which field, why — in Chinese, with a stable code."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "int_type": "应为整数",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不正确",
}


def _field_message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    is_text = isinstance(error.get("input"), str)
    if kind in ("string_too_short", "too_short"):
        if ctx.get("min_length") == 1:
            return "不能为空"
        return f"至少{ctx.get('min_length')}{'个字符' if is_text else '项'}"
    if kind in ("string_too_long", "too_long"):
        return f"超过最大长度{ctx.get('max_length')}个字符" if is_text else f"最多{ctx.get('max_length')}项"
    if kind == "literal_error":
        return f"取值不在允许范围内，可选：{ctx.get('expected', '')}"
    return _MESSAGES.get(kind, str(error["msg"]))


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error["loc"]) or "(body)",
            "code": error["type"],
            "message": _field_message(error),
        }
        for error in exc.errors()
    ]


def problem(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    body = {"error": code, "message": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def validation_problem(exc: ValidationError) -> JSONResponse:
    fields = field_errors(exc)
    summary = "；".join(f"{f['field']}：{f['message']}" for f in fields)
    return problem(422, "validation_failed", f"请求内容有误：{summary}", fields=fields)
