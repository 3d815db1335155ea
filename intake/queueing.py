"""Putting intakes on the rq queue. The job carries only the intake id."""

from __future__ import annotations

from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from intake.services import QUEUE_NAME

_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def job_id(intake_id: str) -> str:
    return f"intake-{intake_id}"


def enqueue_intake(queue: Queue, intake_id: str, max_attempts: int,
                   retry_intervals: tuple[int, ...] = (1, 5, 15)) -> Job:
    retry = Retry(max=max_attempts - 1, interval=list(retry_intervals)) if max_attempts > 1 else None
    return queue.enqueue_call(
        "intake.jobs.process_intake",
        args=(intake_id,),
        job_id=job_id(intake_id),
        retry=retry,
        result_ttl=0,  # the inbox row is the record of the outcome
        failure_ttl=7 * 24 * 3600,
        timeout=120,
    )


def is_waiting(queue: Queue, intake_id: str) -> bool:
    """True when a job for the intake is still waiting to run (queued or scheduled for retry)."""
    try:
        job = Job.fetch(job_id(intake_id), connection=queue.connection)
    except NoSuchJobError:
        return False
    return job.get_status() in _WAITING


def make_queue(connection: object) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)  # type: ignore[arg-type]
