"""Putting intakes on the rq queue. The job carries only the intake id."""

from __future__ import annotations

import datetime as dt

from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from intake.services import QUEUE_NAME

_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


_PREFIX = "intake-"


def job_id(intake_id: str) -> str:
    return f"{_PREFIX}{intake_id}"


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
    """True when a job for the intake is still waiting to run (queued or scheduled for retry).

    A job marked queued that is no longer on the queue was taken off it by a worker's
    drain (`take_waiting`) that did not finish: it is not waiting.
    """
    try:
        job = Job.fetch(job_id(intake_id), connection=queue.connection)
    except NoSuchJobError:
        return False
    status = job.get_status()
    if status == JobStatus.QUEUED:
        return queue.get_job_position(job.id) is not None
    return status in _WAITING


def take_waiting(queue: Queue, limit: int) -> list[str]:
    """Take up to `limit` intake jobs off the head of the queue; return their intake ids.

    Their job hashes stay until `finish_taken` (or `give_back`), so a retry count and
    a failure record are never lost.
    """
    raw = queue.connection.lpop(queue.key, limit) or []
    ids = [value.decode() if isinstance(value, bytes) else str(value) for value in raw]
    others = [i for i in ids if not i.startswith(_PREFIX)]
    if others:  # not an intake job: back where it was
        queue.connection.lpush(queue.key, *reversed(others))
    return [i.removeprefix(_PREFIX) for i in ids if i.startswith(_PREFIX)]


def finish_taken(queue: Queue, intake_ids: list[str]) -> None:
    """The taken jobs are done: delete them, as rq does with a job kept for 0 s."""
    if intake_ids:
        queue.connection.delete(*(Job.key_for(job_id(i)) for i in intake_ids))


def retry_later(queue: Queue, intake_id: str, delay_s: float) -> None:
    """Schedule a taken job to run again after `delay_s` (its rq retry count untouched)."""
    try:
        job = Job.fetch(job_id(intake_id), connection=queue.connection)
    except NoSuchJobError:
        return  # gone: the reconciler finds the pending intake
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay_s)
    queue.schedule_job(job, when)


def give_back(queue: Queue, intake_ids: list[str]) -> None:
    """Put taken jobs back at the head of the queue, untouched, for rq to run as usual."""
    if intake_ids:
        queue.connection.lpush(queue.key, *reversed([job_id(i) for i in intake_ids]))


def make_queue(connection: object) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)  # type: ignore[arg-type]
