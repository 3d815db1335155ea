"""Intake benchmark: the HTTP intake driven at fixed rates, on the embedded stack.

For each request: 202 latency, and intake→case latency (request sent → the case's
`received` event seen on Redis pub/sub), and the CPU each process used per intake.
Each system is warmed up for 2 s at 20/s first (not counted). Steps up the rate to
find the highest sustained one (every case opened, cases opened at ≥ 95 % of the
offered rate, p99 intake→case < 2 s), then measures a baseline — rq's default forking worker without
preloading (jieba and the model load in every forked job) — and prints the ratio.

    .venv/bin/python bench/intake.py            # full run (~3 min)
    .venv/bin/python bench/intake.py --quick    # shorter steps
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx2
from redis import Redis
from redis.exceptions import RedisError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline.demo.seed import seed  # noqa: E402
from hotline.embedded_redis import EmbeddedRedis  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from hotline.wiring import catalogue_of, open_database  # noqa: E402
from intake.services import EVENTS_CHANNEL  # noqa: E402
from nlp.training import ensure_model  # noqa: E402

TEXTS = [
    "龙泉镇水井村的王大爷一个人住，瘫在床上好几天没人管了",
    "孩子白血病住院，报销后还欠二十万，妈妈没工作，老大交不起学费",
    "我家房子漏雨，墙也裂了，住着害怕，能申请危房改造吗",
    "白石镇新民村张某家里失火，房子烧了，一家四口没地方住",
    "想问一下低保申请需要什么材料",
    "小区路灯坏了好几天了没人修",
]


@dataclass
class Step:
    rate: float
    sent: int = 0
    accepted_ms: list[float] = field(default_factory=list)
    to_case_ms: list[float] = field(default_factory=list)
    errors: int = 0
    duration_s: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)

    def pct(self, values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def cpu_line(self) -> str:
        done = len(self.to_case_ms) or 1
        parts = ", ".join(f"{name} {1000 * seconds / done:.2f}" for name, seconds in self.cpu_s.items())
        return f"         CPU ms per intake: {parts}"

    def line(self) -> str:
        done = len(self.to_case_ms)
        return (
            f"rate {self.rate:6.0f}/s  sent {self.sent:5d}  cases {done:5d}  errors {self.errors:3d}  "
            f"202 p50/p95/p99 {self.pct(self.accepted_ms, .5):6.1f}/{self.pct(self.accepted_ms, .95):6.1f}/"
            f"{self.pct(self.accepted_ms, .99):6.1f} ms  "
            f"intake→case p50/p95/p99 {self.pct(self.to_case_ms, .5):7.1f}/"
            f"{self.pct(self.to_case_ms, .95):7.1f}/{self.pct(self.to_case_ms, .99):7.1f} ms  "
            f"throughput {done / self.duration_s if self.duration_s else 0:6.1f}/s"
        )


class CaseWatcher:
    """Notes when each intake's case is opened, from the published `received` events."""

    def __init__(self, redis_url: str) -> None:
        self.seen: dict[str, float] = {}
        self._pubsub = Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(EVENTS_CHANNEL)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for message in self._pubsub.listen():
                data = json.loads(message["data"])
                event = data.get("event") or {}
                if event.get("kind") == "received":
                    self.seen[event["data"]["intake_id"]] = time.perf_counter()
        except RedisError:
            return  # the system under test was stopped


class System:
    def __init__(self, workers: int, baseline: bool, data_dir: Path, model_dir: Path,
                 database_url: str = "") -> None:
        self.data_dir = data_dir
        self.redis = EmbeddedRedis(data_dir / "redis")
        self.url = self.redis.start()
        stores = {"HOTLINE_DATA_DIR": str(data_dir), "REDIS_URL": self.url,
                  "HOTLINE_MODEL_DIR": str(model_dir), "HOTLINE_PORT": "8399"}
        if database_url:
            stores["DATABASE_URL"] = database_url
        self.settings = Settings.from_env(stores)
        _, sessions = open_database(self.settings)
        self.credentials = seed(sessions, catalogue_of(self.settings), data_dir)
        env = dict(os.environ, **stores)
        python = sys.executable
        self.children = [subprocess.Popen([python, "-m", "hotline.cli", "web"], env=env, cwd=ROOT)]
        for _ in range(workers):
            if baseline:
                command = [python, "-m", "rq.cli", "worker", "--url", self.url, "--worker-class",
                           "bench.baseline_worker.UnloadedForkingWorker", "--path", str(ROOT),
                           "--quiet", "intake"]
            else:
                command = [python, "-m", "hotline.cli", "worker"]
            self.children.append(subprocess.Popen(command, env=env, cwd=ROOT))
        self._wait_ready(workers)

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                health = httpx2.get("http://127.0.0.1:8399/healthz", timeout=2).json()
                if health.get("workers", 0) >= workers:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("system did not come up")

    def cpu_s(self) -> dict[str, float]:
        """CPU seconds used so far by each process of the system."""
        pids = {"web": self.children[0].pid, "redis": self.redis.process.pid if self.redis.process else 0}
        for n, child in enumerate(self.children[1:]):
            pids[f"worker{n + 1}"] = child.pid
        return {name: _cpu_s(pid) for name, pid in pids.items()}

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.redis.stop()


async def drive(system: System, rate: float, seconds: float, watcher: CaseWatcher,
                label: str = "") -> Step:
    step = Step(rate)
    key = system.credentials["call"]["api_key"]
    headers = {"Authorization": f"Bearer {key}"}
    sent_at: dict[str, float] = {}
    tag = label or f"{rate:g}"
    # aiohttp: the load generator shares the 2 cores with the system; it costs about a
    # third of the CPU per request that httpx did.
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession("http://127.0.0.1:8399", headers=headers,
                                     connector=connector, timeout=timeout) as client:

        async def one(n: int) -> None:
            payload = {"call_id": f"bench-{tag}-{n}", "caller_number": f"139{n % 100000000:08d}",
                       "text": TEXTS[n % len(TEXTS)], "message_id": f"bench-{tag}-{n}"}
            start = time.perf_counter()
            try:
                async with client.post("/api/v1/intake/call", json=payload) as response:
                    body = await response.json() if response.status == 202 else None
            except (aiohttp.ClientError, TimeoutError):
                step.errors += 1
                return
            if body is None:
                step.errors += 1
                return
            step.accepted_ms.append((time.perf_counter() - start) * 1000)
            sent_at[body["intake_id"]] = start

        tasks = []
        begin = time.perf_counter()
        total = int(rate * seconds)
        for n in range(total):
            target = begin + n / rate
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        step.sent = total
    # Let the backlog drain, up to 30 s.
    drain_until = time.perf_counter() + 30
    while time.perf_counter() < drain_until and not all(i in watcher.seen for i in sent_at):
        await asyncio.sleep(0.05)
    finished = [watcher.seen[i] for i in sent_at if i in watcher.seen]
    step.to_case_ms = [(watcher.seen[i] - s) * 1000 for i, s in sent_at.items() if i in watcher.seen]
    step.duration_s = (max(finished) - begin) if finished else seconds
    return step


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sustained(step: Step) -> bool:
    """All cases made, none erred, and the system kept pace: cases were opened at 95 % of
    the offered rate or better, and p99 intake→case stayed under 2 s."""
    done = len(step.to_case_ms)
    throughput = done / step.duration_s if step.duration_s else 0.0
    return (step.errors == 0 and done == step.sent and throughput >= 0.95 * step.rate
            and step.pct(step.to_case_ms, .99) < 2000)


def run(workers: int, baseline: bool, rates: list[float], seconds: float, model_dir: Path,
        database_url: str = "") -> list[Step]:
    data_dir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    system = System(workers, baseline, data_dir, model_dir, database_url)
    watcher = CaseWatcher(system.url)
    steps: list[Step] = []
    try:
        # Warm-up (not counted): first connections, SQLite's page cache, the first jobs.
        asyncio.run(drive(system, 20, 2, watcher, label="warm-up"))
        for rate in rates:
            before, generator = system.cpu_s(), time.process_time()
            step = asyncio.run(drive(system, rate, seconds, watcher))
            after = system.cpu_s()
            step.cpu_s = {name: after[name] - before[name] for name in after}
            step.cpu_s["load generator"] = time.process_time() - generator
            print(("baseline " if baseline else "hotline  ") + step.line(), flush=True)
            print(step.cpu_line(), flush=True)
            steps.append(step)
            if not sustained(step):
                break
    finally:
        system.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to measure instead of SQLite")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    seconds = 5.0 if args.quick else 10.0
    model_dir = Path(tempfile.mkdtemp(prefix="hotline-bench-model-"))
    print("training the model once for the benchmark:", ensure_model(model_dir), flush=True)

    print(f"== hotline workers (non-forking, model preloaded), {args.workers} workers, "
          f"{seconds:.0f} s per rate ==")
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(f"database: {store}")
    steps = run(args.workers, False, [50, 100, 150, 200, 250, 300, 400], seconds, model_dir,
                args.database_url)
    best = max((s.rate for s in steps if sustained(s)), default=0.0)
    at50 = steps[0]
    print(f"highest sustained rate: {best:.0f} intakes/s; at 50/s intake→case p99 "
          f"{at50.pct(at50.to_case_ms, .99):.0f} ms")

    if args.no_baseline:
        return
    print(f"== baseline: rq's default forking worker, nothing preloaded, {args.workers} workers ==")
    base = run(args.workers, True, [2], seconds, model_dir)[0]
    base_rate = len(base.to_case_ms) / base.duration_s if base.duration_s else 0.0
    base_job_ms = statistics.median(base.to_case_ms) if base.to_case_ms else float("nan")
    ours_ms = statistics.median(at50.to_case_ms) if at50.to_case_ms else float("nan")
    print(f"baseline median intake→case {base_job_ms:.0f} ms at 2/s (throughput {base_rate:.1f}/s); "
          f"ours {ours_ms:.0f} ms at 50/s: {base_job_ms / ours_ms:.0f}× faster per intake")
    shutil.rmtree(model_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
