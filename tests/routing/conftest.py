from __future__ import annotations

from pathlib import Path

import pytest

from routing.calendar import WorkingCalendar
from routing.catalogue import Catalogue, load_catalogue
from routing.jurisdiction import JurisdictionTree, parse_units_csv
from routing.sla_policy import SlaPolicy, load_sla_policy

DEMO_COUNTY = Path(__file__).resolve().parents[2] / "hotline" / "demo" / "county.csv"


@pytest.fixture(scope="session")
def tree() -> JurisdictionTree:
    return JurisdictionTree.from_units(parse_units_csv(DEMO_COUNTY.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def policy() -> SlaPolicy:
    return load_sla_policy()


@pytest.fixture(scope="session")
def calendar(policy: SlaPolicy) -> WorkingCalendar:
    return policy.working_calendar()
