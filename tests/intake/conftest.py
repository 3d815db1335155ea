"""Helpers shared by the tests that make cases through the intake path."""

from __future__ import annotations

from rq import SimpleWorker

from intake.services import IntakeServices


def run_jobs(services: IntakeServices) -> None:
    """Run every queued job in this process, as a non-forking worker would."""
    SimpleWorker([services.queue], connection=services.redis).work(burst=True, logging_level="ERROR")
