"""Phone numbers and resident ID numbers: parsed, validated, normalised.

Used by the channel adapters to validate payloads and by the entity extractor
to find them in free text.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class InvalidIdentity(ValueError):
    """A phone or ID number that cannot be right; the message says why, in Chinese."""


def id_check_digit(first17: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(raw: str, today: dt.date | None = None) -> str:
    """Return the 18-character ID number upper-cased, or raise InvalidIdentity."""
    value = raw.strip().replace(" ", "").upper()
    if len(value) != 18:
        raise InvalidIdentity(f"身份证号应为18位，实际为{len(value)}位")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdentity("身份证号前17位应为数字，末位为数字或X")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdentity("身份证号中的出生日期不存在") from None
    if birth > (today or dt.date.today()) or birth.year < 1890:
        raise InvalidIdentity("身份证号中的出生日期不合理")
    if id_check_digit(value[:17]) != value[17]:
        raise InvalidIdentity("身份证号校验位不正确")
    return value


def birth_date_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def normalise_phone(raw: str) -> str:
    """Return a Chinese mobile or landline number in E.164, or raise InvalidIdentity.

    Accepts 13812345678, 0874-3123456, (0874)3123456, +86 138 1234 5678, 86-138…
    """
    value = raw.strip()
    if not value:
        raise InvalidIdentity("电话号码为空")
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidIdentity("无法识别的电话号码") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity("电话号码无效（手机号应为11位，座机需带区号）")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_area(e164: str) -> str | None:
    """Where a number belongs (city for landlines, province for mobiles), in Chinese."""
    from phonenumbers import geocoder

    number = phonenumbers.parse(e164, None)
    place = geocoder.description_for_number(number, "zh")
    return place or None
