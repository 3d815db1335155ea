"""The benchmark's baseline: rq's default forking Worker with nothing preloaded.

Every job runs in a fresh fork that must build the pipeline (jieba, the model, the
tree) before it can work — what the architecture warns against.
"""

from __future__ import annotations

import os
from typing import Any

from rq import Worker

from hotline.runtime import worker_services
from hotline.settings import Settings
from intake.jobs import Pipeline, install


class UnloadedForkingWorker(Worker):
    def perform_job(self, job: Any, queue: Any, *args: Any) -> bool:
        # Runs in the forked work horse: the load happens once per job.
        services, _ = worker_services(Settings.from_env(), os.environ["REDIS_URL"])
        install(Pipeline(services))
        return bool(super().perform_job(job, queue, *args))
