"""`hotline serve --demo` (what `make run` runs): everything up, a request becomes a case, Ctrl-C stops all."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: object, seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()  # type: ignore[operator]
            if value:
                return value
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_serve_demo_runs_the_whole_system(tmp_path: Path, model_dir: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(HOTLINE_DATA_DIR=str(tmp_path / "var"), HOTLINE_PORT=str(port),
               HOTLINE_MODEL_DIR=str(model_dir))
    server = subprocess.Popen([sys.executable, "-m", "hotline.cli", "serve", "--demo"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_for(lambda: (r := httpx2.get(f"{base}/healthz")).status_code == 200
                          and r.json(), 90)
        assert health["status"] == "ok" and health["workers"] >= 1  # type: ignore[index]

        credentials_file = tmp_path / "var" / "demo-credentials.json"
        assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
        credentials = json.loads(credentials_file.read_text(encoding="utf-8"))
        assert set(credentials["users"]) == {"agent", "township", "department", "grassroots",
                                             "supervisor", "admin"}
        headers = {"Authorization": f"Bearer {credentials['call']['api_key']}"}
        accepted = httpx2.post(f"{base}/api/v1/intake/call", headers=headers, json={
            "call_id": "serve-1", "caller_number": "13900001111",
            "text": "河口镇渡口村有个老人一个人住，好几天没见他出门了，门也敲不开"})
        assert accepted.status_code == 202
        intake_url = f"{base}/api/v1/intakes/{accepted.json()['intake_id']}"
        state = wait_for(lambda: (r := httpx2.get(intake_url, headers=headers).json())["state"]
                         == "processed" and r, 30)
        case = httpx2.get(f"{base}/api/v1/cases/{state['case_id']}", headers=headers).json()  # type: ignore[index]
        assert case["accepting_unit"] == "530329104000"  # 河口镇
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    redis_pid = tmp_path / "var" / "redis" / "redis.sock"
    assert not redis_pid.exists()  # the embedded Redis stopped with it
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "child processes left running"
