"""A real worker process whose job stops half-way, so a test can kill -9 it mid-job.

The classifier is the real one, wrapped: it marks that the job has started, then
waits long enough to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rq import SimpleWorker  # noqa: E402

from hotline.runtime import worker_services  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from intake.jobs import Pipeline, install  # noqa: E402


class MarkThenWait:
    def __init__(self, inner: Any, marker: Path) -> None:
        self.inner, self.marker = inner, marker

    def classify(self, text: str, context: Any = None) -> Any:
        result = self.inner.classify(text, context)
        self.marker.write_text("started")
        time.sleep(120)
        return result


def main() -> None:
    settings = Settings.from_env()
    services, _ = worker_services(settings, os.environ["REDIS_URL"])
    slow = MarkThenWait(services.classifier(), Path(os.environ["SLOW_WORKER_MARKER"]))  # type: ignore[misc]
    services.classifier = lambda: slow  # type: ignore[assignment, return-value]
    install(Pipeline(services))
    SimpleWorker([services.queue], connection=services.redis).work(burst=True)


if __name__ == "__main__":
    main()
