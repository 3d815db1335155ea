"""The payloads of the three channels, validated strictly (unknown fields are errors)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from nlp.identity import InvalidIdentity, normalise_id_number, normalise_phone

MAX_TEXT = 5000
_KEEP = {"\n", "\t"}


def _strip_controls(value: object) -> object:
    """Drop control and format characters (NUL, bidi overrides, …), keep newlines and tabs."""
    if not isinstance(value, str):
        return value
    cleaned = "".join(
        ch for ch in value if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    return re.sub(r"[ \t]+\n", "\n", cleaned).strip()


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidIdentity as exc:
        raise ValueError(str(exc)) from None


def _id_number(value: str) -> str:
    try:
        return normalise_id_number(value)
    except InvalidIdentity as exc:
        raise ValueError(str(exc)) from None


Clean = BeforeValidator(_strip_controls)
Text = Annotated[str, Clean, Field(min_length=1, max_length=MAX_TEXT)]
ShortText = Annotated[str, Clean, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Clean, Field(max_length=32), AfterValidator(_phone)]
IdNumber = Annotated[str, Clean, Field(max_length=32), AfterValidator(_id_number)]
MessageId = Annotated[str, Clean, Field(min_length=1, max_length=128)]
UnitCode = Annotated[str, Clean, Field(pattern=r"^[0-9]{6,12}$")]
Tag = Literal[
    "独居", "空巢", "残疾", "重病", "失能", "留守儿童", "留守老人", "孤儿", "事实无人抚养儿童",
    "困境儿童", "低保户", "特困", "低保边缘", "精神障碍", "孕产妇", "流浪", "单亲", "高龄",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PersonIn(Strict):
    """The person in need."""

    name: ShortText | None = None
    phone: Phone | None = None
    id_number: IdNumber | None = None
    address: Annotated[str, Clean, Field(max_length=200)] | None = None
    village_code: UnitCode | None = Field(default=None, description="村（社区）代码")
    tags: list[Tag] = Field(default_factory=list, max_length=10)


class ContactIn(Strict):
    """A caller or citizen who is not the person in need."""

    name: ShortText | None = None
    phone: Phone | None = None
    id_number: IdNumber | None = None
    relation: ShortText | None = Field(default=None, description="与求助对象关系，如 邻居、女儿")


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class AgentRoute(Strict):
    """The agent's decision on the classifier's suggestion: accepted as is, or corrected."""

    categories: list[Code] = Field(min_length=1, max_length=8, description="诉求类别，主诉求在前")
    lead_department: Code | None = Field(default=None, description="主办部门")
    co_departments: list[Code] = Field(default_factory=list, max_length=10, description="协办部门")
    urgency: Literal["critical", "urgent", "normal"] | None = None


class CallIntake(Strict):
    """A case written by a hotline agent during or after a call."""

    call_id: MessageId
    caller_number: Phone
    text: Text
    message_id: MessageId | None = Field(default=None, description="重复投递去重用")
    agent: ShortText | None = None
    caller: ContactIn | None = None
    person: PersonIn | None = None
    caller_is_person: bool = Field(default=False, description="来电人即求助对象")
    accepting_unit: UnitCode | None = Field(default=None, description="接线员指定的受理乡镇")
    agent_route: AgentRoute | None = Field(default=None, description="接线员确认或更正的分派")


class AppIntake(Strict):
    """A request from a citizen app, posted to the signed webhook."""

    message_id: MessageId
    text: Text
    citizen: ContactIn | None = None
    citizen_verified: bool = Field(default=False, description="APP已实名核验")
    person: PersonIn | None = None
    submitted_at: Annotated[str, Clean, Field(max_length=40)] | None = None


class ReferralIntake(Strict):
    """A grassroots worker reporting someone in need (主动发现)."""

    text: Text
    village_code: UnitCode = Field(description="发现对象所在村（社区）代码")
    person: PersonIn
    message_id: MessageId | None = None
    observed_at: Annotated[str, Clean, Field(max_length=40)] | None = None


class TokenRequest(Strict):
    username: ShortText
    password: Annotated[str, Field(min_length=1, max_length=200)]


class ClassifyRequest(Strict):
    text: Annotated[str, Field(max_length=100_000)]
