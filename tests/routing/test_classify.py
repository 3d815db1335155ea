from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hotline.commands.classify import classify_lines
from nlp.analyser import Analyser
from nlp.training import ensure_model
from routing.catalogue import Catalogue
from routing.classify import Classifier
from routing.decide import RoutingContext, decide
from routing.jurisdiction import JurisdictionTree

pytestmark = pytest.mark.slow

BAISHI = "530329102000"
SONGLIN = "530329201000"
LEUKAEMIA = "孩子白血病住院，报销后还欠二十万医药费，家住白石镇黄泥村"
FLAT = {
    "id", "category", "categories", "lead_department", "co_departments", "urgency",
    "in_scope", "confidence", "state", "explanation",
}


@pytest.fixture(scope="module")
def classifier(
    tmp_path_factory: pytest.TempPathFactory, tree: JurisdictionTree, catalogue: Catalogue
) -> Classifier:
    model_dir: Path = tmp_path_factory.mktemp("model")
    ensure_model(model_dir)
    return Classifier(Analyser.load(model_dir, tree.places()), tree, catalogue)


def test_classify_is_analyse_then_decide(
    classifier: Classifier, tree: JurisdictionTree, catalogue: Catalogue
) -> None:
    signals, route = classifier.classify(LEUKAEMIA)
    assert signals.categories[0] == "yiliao"
    assert route.accepting_unit == BAISHI
    assert route.lead_department == "yb"
    assert route == decide(signals, RoutingContext(), tree, catalogue)
    assert route.model_version == classifier.version


def test_context_reaches_decide(classifier: Classifier) -> None:
    _, route = classifier.classify("新民村的老人没人照顾", RoutingContext(address="松林乡新民村"))
    assert route.accepting_unit == SONGLIN


def test_many_at_once_equals_one_by_one(classifier: Classifier) -> None:
    texts = [LEUKAEMIA, "小区路灯坏了好几天", "低保标准是多少"]
    assert classifier.classify_many(texts) == [classifier.classify(t) for t in texts]


def test_json_is_plain_and_names_things_in_chinese(classifier: Classifier) -> None:
    data = json.loads(json.dumps(classifier.classify_json(LEUKAEMIA), ensure_ascii=False))
    assert FLAT - {"id"} <= set(data)
    assert data["names"]["lead_department"] == "县医疗保障局"
    assert data["names"]["accepting_unit"] == "白石镇"
    assert data["signals"]["categories"][0] == "yiliao"
    assert isinstance(data["signals"]["needs"], list)
    assert data["route"]["state"] == data["state"]


def test_jsonl_one_line_out_per_line_in(classifier: Classifier) -> None:
    source = io.StringIO(
        json.dumps({"id": "a1", "text": LEUKAEMIA}, ensure_ascii=False) + "\n"
        + "\n"
        + "not json\n"
        + json.dumps({"id": "a3"}) + "\n"
        + json.dumps({"id": "a4", "text": "新民村", "village_code": "530329201202"},
                     ensure_ascii=False) + "\n"
    )
    sink = io.StringIO()
    assert classify_lines(classifier, source, sink) == 1
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [line["id"] for line in lines] == ["a1", None, "a3", "a4"]
    assert FLAT <= set(lines[0]) and lines[0]["category"] == "yiliao"
    assert "error" in lines[1] and "text" in lines[2]["error"]
    assert lines[3]["accepting_unit"] == SONGLIN
