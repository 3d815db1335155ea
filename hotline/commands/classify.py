"""`hotline classify TEXT` and `hotline classify --jsonl`: what the classifier makes of a text.

One text prints its Signals and Route as JSON. With --jsonl, lines of
`{"id": …, "text": …}` (optionally village_code, address, caller_area,
accepting_unit, channel) are read from standard input and one JSON line per
input line is written, in the same order, for evaluation scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from hotline.settings import Settings
from hotline.wiring import build_classifier
from routing.classify import Classifier
from routing.decide import RoutingContext

BATCH = 256
FLAT_FIELDS = (
    "category", "categories", "lead_department", "co_departments", "accepting_unit", "urgency",
    "in_scope", "intent", "confidence", "state", "explanation", "triage_reasons",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "classify", help="对一段诉求文本做分类和分派，输出 JSON（Signals 与 Route）"
    )
    parser.add_argument("text", nargs="?", help="诉求文本；与 --jsonl 二选一")
    parser.add_argument(
        "--jsonl", action="store_true",
        help='从标准输入逐行读取 {"id","text"}，每行输出一条 JSON 结果',
    )
    parser.add_argument("--village", dest="village_code", help="转介村（社区）代码")
    parser.add_argument("--address", help="当事人自述住址")
    parser.add_argument("--unit", dest="accepting_unit", help="指定受理单位代码（覆盖自动判断）")
    parser.add_argument("--caller-area", help="来电归属地（仅作参考）")
    parser.add_argument("--channel", default="call", help="渠道：call、app、referral，默认 call")
    parser.set_defaults(func=_classify)


def _classify(args: argparse.Namespace) -> int:
    if args.jsonl == bool(args.text):
        print("请给出一段文本，或使用 --jsonl 从标准输入读取（二者选一）", file=sys.stderr)
        return 2
    classifier = build_classifier(Settings.from_env())
    if not classifier.tree.townships():
        print("辖区树中没有乡镇（街道），请先用 hotline units import 导入辖区", file=sys.stderr)
        return 1
    if args.jsonl:
        return classify_lines(classifier, sys.stdin, sys.stdout)
    context = RoutingContext(
        channel=args.channel,
        village_code=args.village_code,
        address=args.address,
        caller_area=args.caller_area,
        accepting_unit=args.accepting_unit,
    )
    result = classifier.classify_json(args.text, context)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def classify_lines(classifier: Classifier, source: IO[str], sink: IO[str]) -> int:
    """Classify JSON lines from `source` into `sink`; 1 if any line was unusable."""
    status = 0
    for batch in _batches(source):
        good = [(number, item) for number, item in batch if "error" not in item]
        results = classifier.classify_many(
            [item["text"] for _, item in good], [_context(item) for _, item in good]
        )
        answers = iter(results)
        for number, item in batch:
            if "error" in item:
                status = 1
                print(f"第{number}行：{item['error']}", file=sys.stderr)
                out = {"id": item.get("id"), "error": item["error"]}
            else:
                full = classifier.as_json(*next(answers))
                out = {"id": item.get("id"), **{key: full[key] for key in FLAT_FIELDS}}
            sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return status


def _batches(source: IO[str]) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        batch.append((number, _parse(line)))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _parse(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return {"error": "不是有效的 JSON"}
    if not isinstance(item, dict):
        return {"error": "应为 JSON 对象"}
    if not isinstance(item.get("text"), str):
        return {"id": item.get("id"), "error": "缺少 text 字段（字符串）"}
    return item


def _context(item: dict[str, Any]) -> RoutingContext:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) and value else None

    return RoutingContext(
        channel=text("channel") or "call",
        village_code=text("village_code"),
        address=text("address"),
        caller_area=text("caller_area"),
        accepting_unit=text("accepting_unit"),
    )


