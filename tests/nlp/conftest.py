from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp.analyser import Analyser
from nlp.places import places_from_csv_rows
from nlp.signals import Place
from nlp.training import train

COUNTY_CSV = Path(__file__).parents[2] / "hotline" / "demo" / "county.csv"


@pytest.fixture(scope="session")
def demo_places() -> list[Place]:
    with COUNTY_CSV.open(encoding="utf-8") as handle:
        return places_from_csv_rows(list(csv.DictReader(handle)))


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model trained on the corpus train split for the whole session."""
    directory = tmp_path_factory.mktemp("model")
    train(directory)
    return directory


@pytest.fixture(scope="session")
def analyser(model_dir: Path, demo_places: list[Place]) -> Analyser:
    return Analyser.load(model_dir, demo_places)
