"""Training the classifier on the corpus plus agents' corrections, from the CLI or as a job."""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue
from rq.job import Job

from cases.corrections import all_corrections
from hotline.settings import Settings
from hotline.wiring import open_database
from nlp.corpus import Example
from nlp.training import train

log = logging.getLogger(__name__)

TRAINING_QUEUE = "training"


def corrections(settings: Settings) -> list[Example]:
    engine, sessions = open_database(settings)
    examples: list[Example] = []
    try:
        with sessions() as session:
            for row in all_corrections(session):
                try:
                    examples.append(Example(text=row.text, categories=tuple(row.categories),
                                            urgency=row.urgency, in_scope=row.in_scope))
                except ValueError as exc:
                    log.warning("correction %s left out: %s", row.id, exc)
    finally:
        engine.dispose()
    return examples


def retrain(settings: Settings) -> tuple[str, int]:
    """Train a new model version; workers pick it up before their next job."""
    extra = corrections(settings)
    return train(settings.model_dir, extra), len(extra)


def retrain_job() -> str:
    version, used = retrain(Settings.from_env())
    log.info("model %s trained with %d agents' corrections", version, used)
    return version


def enqueue_retrain(redis: Redis) -> Job:
    return Queue(TRAINING_QUEUE, connection=redis).enqueue_call(
        "hotline.training.retrain_job", job_id="retrain", timeout=600, result_ttl=86400)
