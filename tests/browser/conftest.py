"""A real uvicorn server of the whole app on a free port, and Debian's Chromium to drive it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from agents_ui.deps import ConsoleDeps
from hotline.app import create_app
from hotline.commands.calendar import load_calendar
from hotline.settings import Settings
from intake.jobs import Pipeline, install
from intake.services import IntakeServices
from routing.clock_plan import planner
from routing.sla_policy import load_sla_policy
from tests.agents_ui.conftest import console_deps  # noqa: F401  (the console's fixture)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(settings: Settings, services: IntakeServices,
           console_deps: ConsoleDeps) -> Iterator[str]:  # noqa: F811
    """The app as `hotline web` serves it; intake jobs run when a test calls run_jobs."""
    policy = load_sla_policy(settings.sla_file)
    install(Pipeline(services, plan_clocks=planner(policy, load_calendar(settings))))
    config = uvicorn.Config(create_app(services, console_deps), host="127.0.0.1", port=free_port(),
                            log_level="warning", lifespan="off", ws="websockets-sansio")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    web.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
