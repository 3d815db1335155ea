"""Settings, read once at start-up from the environment (prefix HOTLINE_) and an optional .env."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    port: int = 8349
    host: str = "127.0.0.1"
    database_url: str = ""
    redis_url: str = ""  # empty: start the embedded redis-server under data_dir
    production: bool = False
    workers: int = 2
    reconcile_after_s: float = 30.0
    job_retries: int = 3
    session_idle_minutes: int = 30
    catalogue_file: Path | None = None
    sla_file: Path | None = None
    model_path: Path | None = None  # default: <data_dir>/model
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def model_dir(self) -> Path:
        return self.model_path or self.data_dir / "model"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        source = dict(_read_dotenv(Path(".env")))
        source.update(os.environ if env is None else env)

        def get(name: str, default: str = "") -> str:
            return source.get(name, default)

        data_dir = Path(get("HOTLINE_DATA_DIR", "./var")).resolve()
        database_url = get("DATABASE_URL") or f"sqlite:///{data_dir / 'hotline.sqlite3'}"
        production = get("HOTLINE_PRODUCTION", "0").lower() in ("1", "true", "yes")
        try:
            port = int(get("HOTLINE_PORT", "8349"))
            workers = int(get("HOTLINE_WORKERS", "2"))
            reconcile_after_s = float(get("HOTLINE_RECONCILE_AFTER", "30"))
            job_retries = int(get("HOTLINE_JOB_RETRIES", "3"))
            idle = int(get("HOTLINE_SESSION_IDLE_MINUTES", "30"))
        except ValueError as exc:
            raise ConfigError(f"invalid numeric setting: {exc}") from None
        if production:
            missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not get(name)]
            if missing:
                raise ConfigError(
                    f"HOTLINE_PRODUCTION is set but {', '.join(missing)} is missing, and has no "
                    "default in production (no SQLite file, no embedded Redis)."
                )
        catalogue = get("HOTLINE_CATALOGUE_FILE")
        sla = get("HOTLINE_SLA_FILE")
        model = get("HOTLINE_MODEL_DIR")
        return cls(
            data_dir=data_dir,
            port=port,
            host=get("HOTLINE_HOST", "127.0.0.1"),
            database_url=database_url,
            redis_url=get("REDIS_URL"),
            production=production,
            workers=workers,
            reconcile_after_s=reconcile_after_s,
            job_retries=job_retries,
            session_idle_minutes=idle,
            catalogue_file=Path(catalogue) if catalogue else None,
            sla_file=Path(sla) if sla else None,
            model_path=Path(model) if model else None,
        )
