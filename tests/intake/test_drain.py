"""A job drains the intakes queued behind it; nothing taken off the queue is ever lost."""

from __future__ import annotations

import dataclasses
from typing import Any

from rq import SimpleWorker
from rq.job import Job, JobStatus
from starlette.testclient import TestClient

from cases.inbox import get_intake
from intake.jobs import Pipeline, install
from intake.queueing import is_waiting, job_id, take_waiting
from intake.reconciler import reconcile_once
from intake.services import IntakeServices
from routing.route import Route
from tests.intake.conftest import run_jobs
from tests.intake.test_channels import bearer, call_payload, counts
from tests.intake.test_faults import cases_of


def post_calls(client: TestClient, credentials: dict[str, Any], texts: list[str]) -> list[str]:
    ids = []
    for n, text in enumerate(texts):
        response = client.post("/api/v1/intake/call", headers=bearer(credentials, "call"),
                               json=call_payload(text=text, message_id=f"drain-{n}",
                                                 call_id=f"drain-{n}"))
        assert response.status_code == 202, response.text
        ids.append(response.json()["intake_id"])
    return ids


def run_one_job(services: IntakeServices) -> None:
    SimpleWorker([services.queue], connection=services.redis).work(
        burst=True, max_jobs=1, logging_level="ERROR")


def test_one_job_drains_the_backlog_behind_it(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    ids = post_calls(client, credentials, [call_payload()["text"]] * 6)
    assert services.queue.count == 6
    run_one_job(services)
    assert all(len(cases_of(services, i)) == 1 for i in ids)
    assert services.queue.count == 0
    # The drained jobs are gone as a finished job kept for 0 s is: nothing left to run twice.
    assert not any(services.redis.exists(Job.key_for(job_id(i))) for i in ids)
    assert counts(services) == (6, 6, 0)


def test_with_draining_off_each_job_makes_its_own_case(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    install(Pipeline(services, drain=0))
    ids = post_calls(client, credentials, [call_payload()["text"]] * 3)
    run_one_job(services)
    assert [len(cases_of(services, i)) for i in ids] == [1, 0, 0]
    run_jobs(services)
    assert counts(services) == (3, 3, 0)


def test_intakes_taken_by_a_worker_that_died_are_enqueued_again(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    ids = post_calls(client, credentials, [call_payload()["text"]] * 2)
    # A worker takes them off the queue, then dies before opening their cases.
    assert take_waiting(services.queue, 10) == ids
    job = Job.fetch(job_id(ids[0]), connection=services.redis)
    assert job.get_status() == JobStatus.QUEUED  # still marked queued, but no longer on the queue
    assert not is_waiting(services.queue, ids[0])
    assert reconcile_once(services, 0) == 2
    run_jobs(services)
    assert all(len(cases_of(services, i)) == 1 for i in ids)
    assert counts(services) == (2, 2, 0)


def test_an_intake_failing_in_a_drain_counts_an_attempt_and_is_retried_later(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    calls: list[Route] = []

    def plan_clocks(route: Route, now: Any) -> Any:
        calls.append(route)
        if len(calls) == 2:  # the first intake of the drained batch
            raise RuntimeError("SLA policy store unreachable")
        return (), ""

    services.retry_intervals = (30,)
    install(Pipeline(services, plan_clocks=plan_clocks))
    first, question, last = post_calls(client, credentials, [call_payload()["text"]] * 3)
    run_one_job(services)
    assert len(cases_of(services, first)) == 1 and len(cases_of(services, last)) == 1
    assert cases_of(services, question) == []
    with services.sessions() as session:
        intake = get_intake(session, question)
        assert intake is not None and intake.state == "pending" and intake.attempts == 1
        assert "SLA policy store unreachable" in (intake.last_error or "")
    # Its job waits for the retry interval, as rq's own retry would.
    job = Job.fetch(job_id(question), connection=services.redis)
    assert job.get_status() == JobStatus.SCHEDULED
    assert is_waiting(services.queue, question)
    assert reconcile_once(services, 0) == 0


def test_a_batch_that_cannot_be_classified_goes_back_to_the_queue(
    client: TestClient, services: IntakeServices, credentials: dict[str, Any]
) -> None:
    assert services.classifier is not None
    real = services.classifier()

    class OneByOneOnly:
        """A classifier whose batch path is broken: the jobs are handed back and run one by one."""

        catalogue = real.catalogue

        def classify(self, text: str, context: Any = None) -> Any:
            return real.classify(text, context)

        def classify_many(self, texts: Any, contexts: Any = None) -> Any:
            raise MemoryError("batch too large")

    broken = OneByOneOnly()
    install(Pipeline(dataclasses.replace(services, classifier=lambda: broken)))  # type: ignore[arg-type, return-value]
    ids = post_calls(client, credentials, [call_payload()["text"]] * 3)
    run_one_job(services)
    assert [len(cases_of(services, i)) for i in ids] == [1, 0, 0]
    assert services.queue.count == 2  # handed back, untouched
    run_jobs(services)
    assert counts(services) == (3, 3, 0)
