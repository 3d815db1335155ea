"""`hotline sla deadline`, `hotline sla policy`, `hotline calendar import|check` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from hotline.cli import main
from hotline.commands.calendar import load_calendar
from hotline.settings import Settings
from routing.calendar import WorkingCalendar

UNCOVERED = 2040
WARNING_2040 = f"{UNCOVERED}年节假日安排尚未导入，按周末计算工作日，期限可能不准确"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str,
             engine: Engine) -> Path:
    # `engine` gives each test an empty database, also on an external PostgreSQL.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("HOTLINE_SLA_FILE", raising=False)
    return tmp_path / "var"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def calendar_file(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "calendar.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize(
    ("start", "duration", "printed"),
    [
        ("2026-09-30T16:00", "3wd", "2026-10-10T17:30:00+08:00"),
        ("2026-09-30T16:00", "4wh", "2026-10-08T11:00:00+08:00"),
        ("2026-09-30T16:00", "48h", "2026-10-02T16:00:00+08:00"),
        ("2026-09-30T16:00", "15m", "2026-09-30T16:15:00+08:00"),
        ("2026-09-30T16:00", "30m", "2026-09-30T16:30:00+08:00"),
        ("2026-09-30T08:00+00:00", "3wd", "2026-10-10T17:30:00+08:00"),
    ],
)
def test_sla_deadline(
    capsys: pytest.CaptureFixture[str], start: str, duration: str, printed: str
) -> None:
    assert run(capsys, "sla", "deadline", "--start", start, "--duration", duration) == (
        0,
        printed + "\n",
        "",
    )


def test_sla_deadline_with_a_zone_for_a_naive_start(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "sla", "deadline", "--start", "2026-09-30T08:00", "--duration", "4wh", "--tz", "UTC"
    )
    assert (status, out) == (0, "2026-10-08T11:00:00+08:00\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start", "2026-09-30T16:00", "--duration", "3d"], "--duration：无法识别的时长 '3d'"),
        (["--start", "30/09/2026", "--duration", "3wd"], "--start：无法识别的时间"),
        (["--start", "2026-09-30T16:00", "--duration", "3wd", "--tz", "Mars/Base"], "--tz"),
    ],
)
def test_sla_deadline_refuses_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, "sla", "deadline", *argv)
    assert status == 2
    assert out == ""
    assert message in err


def test_sla_deadline_into_an_uncovered_year_warns(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "sla", "deadline", "--start", f"{UNCOVERED}-05-04T18:00", "--duration", "2wd"
    )
    assert (status, out) == (0, f"{UNCOVERED}-05-08T17:30:00+08:00\n")
    assert WARNING_2040 in err


def test_calendar_import_then_check_and_deadline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "calendar", "check", "--years", "2026", str(UNCOVERED))[0] == 1
    # invented days for a year no package covers; GBK as Excel on Chinese Windows saves it
    text = f"date,kind,备注\n{UNCOVERED}-05-07,休,测试\n{UNCOVERED}-05-05,班,测试\n"
    status, out, _ = run(capsys, "calendar", "import", calendar_file(tmp_path, text, "gbk"))
    assert status == 0
    assert f"{UNCOVERED}年：放假 1 天，调休上班 1 天" in out
    status, out, err = run(capsys, "calendar", "check", "--years", "2026", str(UNCOVERED))
    assert (status, err) == (0, "")
    assert f"{UNCOVERED}年：已导入节假日安排（2 天）" in out
    assert "2026年：使用国务院节假日安排" in out
    # Saturday 05-05 is now a working day and Monday 05-07 a holiday
    status, out, err = run(
        capsys, "sla", "deadline", "--start", f"{UNCOVERED}-05-04T18:00", "--duration", "2wd"
    )
    assert (status, out, err) == (0, f"{UNCOVERED}-05-08T17:30:00+08:00\n", "")
    status, out, _ = run(
        capsys, "sla", "deadline", "--start", f"{UNCOVERED}-05-04T18:00", "--duration", "1wd"
    )
    assert out == f"{UNCOVERED}-05-05T17:30:00+08:00\n"


def test_calendar_check_fails_loudly_for_an_uncovered_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "calendar", "check", "--years", str(UNCOVERED))
    assert status == 1
    assert f"{UNCOVERED}年：未覆盖" in out
    assert WARNING_2040 in err


def test_calendar_check_defaults_to_this_year_and_next(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "calendar", "check")
    years = [int(line[:4]) for line in out.splitlines()]
    assert len(years) == 2 and years[1] == years[0] + 1
    assert status == (0 if all(WorkingCalendar().covered(year) for year in years) else 1)


def test_calendar_import_names_the_bad_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = calendar_file(tmp_path, "date,kind\n2027-01-01,holiday\n2027-02-30,holiday\n")
    status, out, err = run(capsys, "calendar", "import", path)
    assert (status, out) == (1, "")
    assert "第3行：日期 '2027-02-30' 无效" in err
    assert load_calendar(Settings.from_env()).overrides == {}


def test_calendar_import_of_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "calendar", "import", "nowhere.csv")
    assert status == 1
    assert "导入失败" in err


def test_county_sla_file_sets_working_hours(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = tmp_path / "county_sla.toml"
    county.write_text('[working_hours]\nperiods = ["09:00-12:00", "13:30-17:00"]\n', "utf-8")
    monkeypatch.setenv("HOTLINE_SLA_FILE", str(county))
    status, out, _ = run(
        capsys, "sla", "deadline", "--start", "2026-09-30T16:00", "--duration", "3wd"
    )
    assert (status, out) == (0, "2026-10-10T17:00:00+08:00\n")


def test_a_broken_county_sla_file_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = tmp_path / "county_sla.toml"
    county.write_text('[clocks.dispatch]\nnormal = "soon"\n', "utf-8")
    monkeypatch.setenv("HOTLINE_SLA_FILE", str(county))
    status, _, err = run(capsys, "calendar", "check", "--years", "2026")
    assert status == 1
    assert "clocks.dispatch.normal" in err
    status, _, err = run(capsys, "sla", "policy")
    assert status == 1
    assert "clocks.dispatch.normal" in err


def test_sla_policy_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "sla", "policy")
    assert status == 0
    assert "派单  15m  1h  4wh" in out
    assert "先行救助  24h  48h  —（仅 linshi）" in out
    assert "dibao 30wd" in out
    assert "预警 75%，超时 100%，再次升级 200%" in out
