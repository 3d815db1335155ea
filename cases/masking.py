"""Masking personal data for lists and logs (张*, 138****5678, 5303**********1234)."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """+8613812345678 → 138****5678; landlines keep area code and last four."""
    if not phone:
        return phone
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    national = "0" + digits if phone.startswith("+86") else digits
    return f"{national[:4]}{'*' * (len(national) - 8)}{national[-4:]}"


def mask_id_number(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_address(value: str | None) -> str | None:
    """Keep the place names up to the village; hide house numbers and details."""
    if not value:
        return value
    for marker in ("村", "社区", "街道", "镇", "乡"):
        pos = value.find(marker)
        if pos != -1:
            end = pos + len(marker)
            return value[:end] + ("***" if end < len(value) else "")
    return value[: max(1, len(value) // 3)] + "***"
