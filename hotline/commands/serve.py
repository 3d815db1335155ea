"""`hotline serve` (everything on one machine), `hotline web`, `hotline worker`, `hotline scheduler`."""

from __future__ import annotations

import argparse
import json
import logging
import os
from typing import Any

import uvicorn

from hotline.demo.requests import seed_demo_requests
from hotline.demo.seed import seed
from hotline.runtime import Supervisor, run_scheduler, run_worker, web_app
from hotline.settings import Settings
from hotline.wiring import catalogue_of, connect_redis, open_database
from intake.queueing import make_queue
from nlp.training import ensure_model


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run everything: embedded Redis, web, workers, scheduler")
    serve.add_argument("--demo", action="store_true", help="load the demo county, users and API keys")
    serve.set_defaults(func=cmd_serve)
    web = subparsers.add_parser("web", help="run a web process (REDIS_URL required)")
    web.set_defaults(func=cmd_web)
    worker = subparsers.add_parser("worker", help="run a worker process (REDIS_URL required)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(func=cmd_worker)
    scheduler = subparsers.add_parser("scheduler", help="run the reconciler and SLA timers")
    scheduler.set_defaults(func=cmd_scheduler)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_serve(args: argparse.Namespace) -> int:
    _logging()
    settings = Settings.from_env()
    _, sessions = open_database(settings)
    if args.demo:
        credentials = seed(sessions, catalogue_of(settings), settings.data_dir)
        print("演示账号与接口凭据 (demo credentials), saved in",
              settings.data_dir / "demo-credentials.json")
        print(json.dumps(credentials, ensure_ascii=False, indent=2))
    # Train the model once here, before the workers start, so they never race to train it.
    print("classifier model:", ensure_model(settings.model_dir))
    supervisor = Supervisor(settings)
    url = supervisor.start()
    print(f"Redis: {url}")
    if args.demo:
        queue = make_queue(connect_redis(url))
        print("demo requests queued:", seed_demo_requests(sessions, queue, settings.job_retries))
    print(f"12349 hotline is up: open http://{settings.host}:{settings.port}/ "
          f"(health: /healthz, API: /api/v1/openapi.json)", flush=True)
    try:
        uvicorn.run(web_app(Settings.from_env({**os.environ, "REDIS_URL": url})),
                    host=settings.host, port=settings.port, log_level="warning")
    finally:
        supervisor.stop()
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    _logging()
    settings = Settings.from_env()
    uvicorn.run(web_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _logging()
    run_worker(Settings.from_env(), burst=args.burst)
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    _logging()
    run_scheduler(Settings.from_env())
    return 0
