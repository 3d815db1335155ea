"""Console benchmark: from an intake posted to the API to the case showing in N open consoles.

Runs the real processes (`hotline web`, `hotline worker`) on the embedded Redis and a
SQLite file, opens N signed-in console websockets (agents: every case reaches every
one), posts call intakes one after another and notes when each console receives the
case's `received` event. Prints, for N = 10 and N = 100, p50/p99 of:

- intake → shown: request sent → the case event received by a console (every delivery);
- intake → all shown: request sent → the last of the N consoles has it;
- fan-out: the event seen on Redis pub/sub → received by a console (the relay's own cost).

    .venv/bin/python bench/console.py            # N = 10 and 100, 40 intakes each
    .venv/bin/python bench/console.py --quick    # 15 intakes each
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2
from redis import Redis
from redis.exceptions import RedisError
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents_ui.sessions import SessionStore  # noqa: E402
from cases.tables import User  # noqa: E402
from hotline.demo.seed import seed  # noqa: E402
from hotline.embedded_redis import EmbeddedRedis  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from hotline.wiring import catalogue_of, open_database  # noqa: E402
from intake.services import EVENTS_CHANNEL  # noqa: E402
from nlp.training import ensure_model  # noqa: E402

PORT = 8397
BASE = f"http://127.0.0.1:{PORT}"
TEXTS = [
    "龙泉镇水井村的王大爷一个人住，瘫在床上好几天没人管了",
    "我家房子漏雨，墙也裂了，住着害怕，能申请危房改造吗",
    "白石镇新民村张某家里失火，房子烧了，一家四口没地方住",
    "孩子白血病住院，报销后还欠二十万，妈妈没工作，老大交不起学费",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class PublishWatcher:
    """When each intake's `received` event was published (seen by a plain subscriber)."""

    def __init__(self, url: str) -> None:
        self.seen: dict[str, float] = {}
        self._pubsub = Redis.from_url(url).pubsub(  # type: ignore[no-untyped-call]
            ignore_subscribe_messages=True)
        self._pubsub.subscribe(EVENTS_CHANNEL)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            for message in self._pubsub.listen():
                event = json.loads(message["data"]).get("event") or {}
                if event.get("kind") == "received":
                    self.seen[event["data"]["intake_id"]] = time.perf_counter()
        except RedisError:
            return


class System:
    def __init__(self, data_dir: Path, model_dir: Path) -> None:
        self.redis = EmbeddedRedis(data_dir / "redis")
        self.url = self.redis.start()
        env = {"HOTLINE_DATA_DIR": str(data_dir), "REDIS_URL": self.url,
               "HOTLINE_MODEL_DIR": str(model_dir), "HOTLINE_PORT": str(PORT)}
        self.settings = Settings.from_env(env)
        _, self.sessions = open_database(self.settings)
        self.credentials = seed(self.sessions, catalogue_of(self.settings), data_dir)
        full_env = dict(os.environ, **env)
        python = sys.executable
        self.children = [subprocess.Popen([python, "-m", "hotline.cli", command], env=full_env,
                                          cwd=ROOT) for command in ("web", "worker")]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{BASE}/healthz", timeout=2).json().get("workers", 0) >= 1:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("system did not come up")

    def agent_cookies(self, count: int) -> list[str]:
        """Signed-in agent sessions, made in the session store as a login would."""
        with self.sessions() as session:
            agent = session.query(User).filter(User.username == "agent").one()
        store = SessionStore(Redis.from_url(self.url), 30)
        return [store.create(user_id=agent.id, username=agent.username,
                             display_name=agent.display_name, role=agent.role,
                             unit_code=agent.unit_code)[0] for _ in range(count)]

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.redis.stop()


DUPLICATES: list[str] = []  # the same event delivered twice to one console: a relay fault


async def console(cookie: str, ready: asyncio.Event, arrivals: dict[str, list[float]],
                  opened: list[ClientConnection]) -> None:
    socket = await connect(f"ws://127.0.0.1:{PORT}/console/ws", origin=BASE,  # type: ignore[arg-type]
                           additional_headers={"Cookie": f"hotline_session={cookie}"},
                           max_queue=None)
    opened.append(socket)
    hello = json.loads(await socket.recv())
    assert hello["type"] == "hello", hello
    ready.set()
    seen: set[str] = set()
    async for raw in socket:
        message = json.loads(raw)
        event = message.get("event") or {}
        if event.get("kind") == "received":
            intake_id = event["data"]["intake_id"]
            if intake_id in seen:
                DUPLICATES.append(intake_id)
                continue
            seen.add(intake_id)
            arrivals.setdefault(intake_id, []).append(time.perf_counter())


async def measure(system: System, watcher: PublishWatcher, consoles: int,
                  intakes: int) -> dict[str, list[float]]:
    arrivals: dict[str, list[float]] = {}
    opened: list[ClientConnection] = []
    readies = [asyncio.Event() for _ in range(consoles)]
    tasks = [asyncio.create_task(console(c, r, arrivals, opened))
             for c, r in zip(system.agent_cookies(consoles), readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {system.credentials['call']['api_key']}"}
    async with httpx2.AsyncClient(base_url=BASE, headers=headers, timeout=30) as client:
        for n in range(intakes):
            start = time.perf_counter()
            response = await client.post("/api/v1/intake/call", json={
                "call_id": f"bench-{consoles}-{n}", "caller_number": f"139{n:08d}",
                "text": TEXTS[n % len(TEXTS)], "message_id": f"bench-{consoles}-{n}"})
            assert response.status_code == 202, response.text
            intake_id = response.json()["intake_id"]
            sent[intake_id] = start
            until = time.perf_counter() + 10
            while len(arrivals.get(intake_id, [])) < consoles and time.perf_counter() < until:
                await asyncio.sleep(0.005)
    for socket in opened:
        await socket.close()
    for task in tasks:
        task.cancel()
    shown, all_shown, fan_out, missing = [], [], [], 0
    for intake_id, start in sent.items():
        times = arrivals.get(intake_id, [])
        missing += consoles - len(times)
        shown += [(t - start) * 1000 for t in times]
        if len(times) == consoles:
            all_shown.append((max(times) - start) * 1000)
        if intake_id in watcher.seen:
            fan_out += [(t - watcher.seen[intake_id]) * 1000 for t in times]
    return {"shown": shown, "all_shown": all_shown, "fan_out": fan_out,
            "missing": [float(missing)]}


def warm_up(system: System, watcher: PublishWatcher) -> None:
    """One case first: the worker's first job pays for loading what later ones reuse."""
    response = httpx2.post(f"{BASE}/api/v1/intake/call", json={
        "call_id": "warm-up", "caller_number": "13900000000", "text": TEXTS[0]},
        headers={"Authorization": f"Bearer {system.credentials['call']['api_key']}"}, timeout=30)
    intake_id = response.json()["intake_id"]
    until = time.perf_counter() + 60
    while intake_id not in watcher.seen and time.perf_counter() < until:
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--consoles", type=int, nargs="*", default=[10, 100])
    args = parser.parse_args()
    intakes = 15 if args.quick else 40
    data_dir = Path(tempfile.mkdtemp(prefix="hotline-console-bench-"))
    model_dir = data_dir / "model"
    ensure_model(model_dir)
    system = System(data_dir, model_dir)
    try:
        watcher = PublishWatcher(system.url)
        warm_up(system, watcher)
        print(f"machine: {os.cpu_count()} CPUs; 1 web process, 1 worker; {intakes} intakes per N,"
              " posted one after another")
        for consoles in args.consoles:
            figures = asyncio.run(measure(system, watcher, consoles, intakes))
            print(f"N = {consoles:3d}  "
                  f"intake→shown p50/p99 {pct(figures['shown'], .5):6.1f}/"
                  f"{pct(figures['shown'], .99):6.1f} ms  "
                  f"intake→all {consoles} shown p50/p99 {pct(figures['all_shown'], .5):6.1f}/"
                  f"{pct(figures['all_shown'], .99):6.1f} ms  "
                  f"fan-out p50/p99 {pct(figures['fan_out'], .5):5.1f}/"
                  f"{pct(figures['fan_out'], .99):5.1f} ms  "
                  f"missed deliveries {int(figures['missing'][0])}  "
                  f"duplicate deliveries {len(DUPLICATES)}")
            DUPLICATES.clear()
    finally:
        system.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
