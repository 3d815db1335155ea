"""Agents' corrections feed the next training, which runs as a job; workers pick up the new model."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from rq import SimpleWorker
from sqlalchemy.orm import Session, sessionmaker

from cases.corrections import record_correction
from hotline.settings import Settings
from hotline.training import TRAINING_QUEUE, corrections, enqueue_retrain
from hotline.wiring import current_classifier
from intake.services import IntakeServices
from nlp.training import current_version


def test_a_retraining_job_uses_corrections_and_workers_reload(
    settings: Settings, sessions: sessionmaker[Session], services: IntakeServices,
    credentials: dict[str, Any], tmp_path: Path, monkeypatch: Any,
) -> None:
    own_model = tmp_path / "model"
    shutil.copytree(settings.model_dir, own_model)
    settings = Settings(**{**settings.__dict__, "model_path": own_model})
    with sessions() as session:
        record_correction(session, case_id=None, text="村里的路灯坏了三个月没人修", categories=["feijiuzhu"],
                          departments=["rx12345"], urgency="normal", in_scope=False, by="agent",
                          now=dt.datetime.now(dt.UTC))
        session.commit()
    assert [e.categories for e in corrections(settings)] == [("feijiuzhu",)]

    provider = current_classifier(settings, sessions)
    before = provider()
    version_before = current_version(own_model)

    for name, value in (("HOTLINE_DATA_DIR", str(settings.data_dir)),
                        ("DATABASE_URL", settings.database_url),
                        ("HOTLINE_MODEL_DIR", str(own_model))):
        monkeypatch.setenv(name, value)
    enqueue_retrain(services.redis)
    from rq import Queue

    SimpleWorker([Queue(TRAINING_QUEUE, connection=services.redis)],
                 connection=services.redis).work(burst=True, logging_level="ERROR")
    assert current_version(own_model) != version_before
    assert provider() is not before
