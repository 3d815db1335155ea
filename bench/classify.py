"""Classifier speed: batch throughput, one-text latency, cold model load. Prints figures.

Targets: >= 1,000 texts/s per core in batch, p99 <= 5 ms for one text, load <= 2 s.
Uses the model in the data directory (training one first if there is none).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.settings import Settings  # noqa: E402
from nlp.analyser import Analyser  # noqa: E402
from nlp.corpus import corpus_examples  # noqa: E402
from nlp.training import ensure_model  # noqa: E402

COLD_LOAD = """
import sys, time
start = time.perf_counter()
from pathlib import Path
from nlp.analyser import Analyser
analyser = Analyser.load(Path(sys.argv[1]))
analyser.analyse("想申请低保")
print(time.perf_counter() - start)
"""


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    model_dir = Settings.from_env().model_dir
    started = time.perf_counter()
    version = ensure_model(model_dir)
    print(f"model {version} ready in {time.perf_counter() - started:.1f} s ({model_dir})")

    loads = [_cold_load(model_dir) for _ in range(3)]
    print(f"cold load (new process: import, jieba, model, first text): "
          f"best {min(loads):.2f} s, worst {max(loads):.2f} s")

    analyser = Analyser.load(model_dir)
    texts = [e.text for e in corpus_examples("test") + corpus_examples("train")]
    if not texts:
        texts = ["我想申请低保，家里没有收入", "孩子白血病住院，报销后还欠二十万"]
    batch = (texts * (2000 // len(texts) + 1))[:2000]
    mean_chars = statistics.mean(len(t) for t in batch)
    analyser.analyse_many(batch[:50])
    rates = []
    for _ in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        analyser.analyse_many(batch)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rates.append(len(batch) / cpu)
        print(f"batch: {len(batch)} texts (mean {mean_chars:.0f} chars) in {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU -> {len(batch) / cpu:,.0f} texts/s per core")
    print(f"batch best of 3: {max(rates):,.0f} texts/s per core")

    wall_ms, cpu_ms = [], []
    for text in batch[:1000]:
        wall, cpu = time.perf_counter(), time.thread_time()
        analyser.analyse(text)
        cpu_ms.append((time.thread_time() - cpu) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
    for name, values in (("wall", wall_ms), ("CPU", cpu_ms)):
        values.sort()
        p50, p99 = values[len(values) // 2], values[int(len(values) * 0.99)]
        print(f"one text ({name}): p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {values[-1]:.2f} ms")
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (others' work inflates wall times)")


def _cold_load(model_dir: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-c", COLD_LOAD, str(model_dir)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )
    return float(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
