from __future__ import annotations

from pathlib import Path

import pytest

from routing.catalogue import CatalogueError, load_catalogue

DOMAIN_LEADS = {
    "dibao": "mz_jz", "tekun": "mz_jz", "linshi": "mz_jz", "yiliao": "yb", "jiaoyu": "jy",
    "zhufang": "zj", "jiuye": "rs", "shouzai": "yj", "liulang": "mz_jzz", "canji": "cl",
    "ertong": "mz_et", "laonian": "mz_yl", "falv": "sf", "tousu": "jd", "zixun": None,
    "feijiuzhu": "rx12345",
}
RESOLVE_DAYS = {
    "dibao": 30, "tekun": 30, "linshi": 15, "yiliao": 15, "jiaoyu": 15, "zhufang": 20,
    "jiuye": 15, "shouzai": 10, "liulang": 3, "canji": 15, "ertong": 10, "laonian": 10,
    "falv": 15, "tousu": 15,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "county.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_follow_the_domain_tables() -> None:
    catalogue = load_catalogue()
    assert {code: c.lead for code, c in catalogue.categories.items()} == DOMAIN_LEADS
    assert {
        code: c.resolve_days for code, c in catalogue.categories.items() if c.resolve_days
    } == RESOLVE_DAYS
    assert catalogue.category("liulang").assisting == ("ga",)
    assert catalogue.category("canji").assisting == ("mz_jz",)
    assert not catalogue.category("zixun").needs_department
    assert catalogue.category("feijiuzhu").transfers_out
    assert catalogue.category("linshi").advance_aid
    assert len(catalogue.departments) == 17


def test_names_in_chinese() -> None:
    catalogue = load_catalogue()
    assert catalogue.category_name("yiliao") == "医疗救助"
    assert catalogue.department_name("yb") == "县医疗保障局"
    with pytest.raises(CatalogueError, match="bogus"):
        catalogue.category_name("bogus")
    with pytest.raises(CatalogueError, match="nowhere"):
        catalogue.department_name("nowhere")


def test_county_overrides_single_entries(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[thresholds]
auto_dispatch_confidence = 0.7

[departments]
hsh = "县红十字会"
yb = "县医保局"

[categories.yiliao]
lead = "mz_jz"
assisting = ["yb", "hsh"]
""",
    )
    catalogue = load_catalogue(path)
    yiliao = catalogue.category("yiliao")
    assert (yiliao.lead, yiliao.assisting) == ("mz_jz", ("yb", "hsh"))
    assert yiliao.name == "医疗救助" and yiliao.resolve_days == 15
    assert catalogue.department_name("yb") == "县医保局"
    assert catalogue.department_name("hsh") == "县红十字会"
    assert catalogue.thresholds.auto_dispatch_confidence == 0.7
    defaults = load_catalogue()
    assert catalogue.thresholds.co_need_probability == defaults.thresholds.co_need_probability
    assert catalogue.category("dibao") == defaults.category("dibao")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[categories.yiliao]\nlead = "ybj"\n', "categories.yiliao.lead"),
        ('[categories.yiliao]\nlead = "ybj"\n', "ybj"),
        ('[categories.xinfang]\nname = "信访"\n', "categories.xinfang"),
        ('[categories.liulang]\nassisting = ["police"]\n', "categories.liulang.assisting"),
        ('[categories.liulang]\nassisting = ["mz_jzz"]\n', "与主办部门相同"),
        ('[categories.dibao]\nresolve_days = 0\n', "categories.dibao.resolve_days"),
        ('[categories.dibao]\nleader = "mz_jz"\n', "leader"),
        ('[categories.zixun]\nlead = "mz_jz"\n', "categories.zixun.lead"),
        ("[thresholds]\nauto_dispatch_confidence = 1.5\n", "thresholds.auto_dispatch_confidence"),
        ("[thresholds]\nminimum = 0.2\n", "minimum"),
        ('[thresholds]\nadvance_aid_urgencies = ["asap"]\n', "asap"),
        ('[departments]\nyb = ""\n', "departments.yb"),
        ("[routes]\nx = 1\n", "routes"),
        ("[categories.dibao\n", "格式错误"),
    ],
)
def test_wrong_override_names_the_entry(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(CatalogueError, match=named.replace(".", r"\.")):
        load_catalogue(write(tmp_path, text))


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="找不到"):
        load_catalogue(tmp_path / "absent.toml")
