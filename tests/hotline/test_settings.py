from __future__ import annotations

from pathlib import Path

import pytest

from hotline.settings import ConfigError, Settings


def test_defaults_are_embedded(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOTLINE_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    assert settings.redis_url == ""
    assert settings.port == 8349 and settings.host == "127.0.0.1"
    assert settings.model_dir == tmp_path / "model"


def test_production_refuses_to_guess_its_stores(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL, REDIS_URL is missing"):
        Settings.from_env({"HOTLINE_DATA_DIR": str(tmp_path), "HOTLINE_PRODUCTION": "1"})
    settings = Settings.from_env({"HOTLINE_PRODUCTION": "1", "REDIS_URL": "redis://r:6379/0",
                                  "DATABASE_URL": "postgresql+psycopg://h@db/hotline"})
    assert settings.production


def test_a_bad_number_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="invalid numeric setting"):
        Settings.from_env({"HOTLINE_PORT": "eighty"})
