from __future__ import annotations

from pathlib import Path

import pytest

from routing.catalogue import Catalogue, load_catalogue
from routing.jurisdiction import JurisdictionTree, parse_units_csv

DEMO_COUNTY = Path(__file__).resolve().parents[2] / "hotline" / "demo" / "county.csv"


@pytest.fixture(scope="session")
def tree() -> JurisdictionTree:
    return JurisdictionTree.from_units(parse_units_csv(DEMO_COUNTY.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()
