"""/healthz is 200 only when web, database, Redis and at least one worker are up."""

from __future__ import annotations

from rq import SimpleWorker
from starlette.testclient import TestClient

from intake.services import IntakeServices


def test_health_needs_a_worker(client: TestClient, services: IntakeServices) -> None:
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["down"] == ["workers"]

    worker = SimpleWorker([services.queue], connection=services.redis)
    worker.register_birth()
    try:
        up = client.get("/healthz")
        assert up.status_code == 200
        assert up.json() == {"web": "ok", "database": "ok", "redis": "ok", "workers": 1,
                             "status": "ok"}
    finally:
        worker.register_death()
