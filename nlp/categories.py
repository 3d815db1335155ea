"""The assistance catalogue's category codes as the classifier knows them."""

from __future__ import annotations

CATEGORY_NAMES: dict[str, str] = {
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
    "linshi": "临时救助",
    "yiliao": "医疗救助",
    "jiaoyu": "教育救助",
    "zhufang": "住房救助",
    "jiuye": "就业救助",
    "shouzai": "受灾人员救助",
    "liulang": "流浪乞讨人员救助",
    "canji": "残疾人两项补贴",
    "ertong": "儿童福利",
    "laonian": "老年人关爱",
    "falv": "法律援助",
    "tousu": "投诉举报",
    "zixun": "政策咨询",
    "feijiuzhu": "非社会救助诉求",
}

CATEGORIES: tuple[str, ...] = tuple(CATEGORY_NAMES)

OUT_OF_SCOPE = "feijiuzhu"


class UnknownCategory(ValueError):
    """A category code that is not in the catalogue."""


def check_category(code: str) -> str:
    if code not in CATEGORY_NAMES:
        raise UnknownCategory(f"未知的救助事项代码：{code!r}")
    return code
