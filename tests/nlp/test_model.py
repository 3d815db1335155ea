"""The lead read as topic × form (nlp/model.py)."""

from __future__ import annotations

import numpy as np

from nlp.categories import CATEGORIES
from nlp.corpus import Example
from nlp.model import FORMS, TextModel, _lead, model_text
from nlp.normalise import normalise


def test_the_lead_is_out_of_scope_or_a_form_or_a_topic_and_sums_to_one() -> None:
    topic = np.zeros((2, len(CATEGORIES)))
    topic[0, CATEGORIES.index("dibao")] = 0.7
    topic[0, CATEGORIES.index("yiliao")] = 0.1
    topic[0, CATEGORIES.index("feijiuzhu")] = 0.2
    topic[1, CATEGORIES.index("canji")] = 1.0
    form = np.array([[0.5, 0.1, 0.4], [0.0, 0.0, 1.0]])  # FORMS order: zixun, tousu, help
    lead = _lead(topic, form)
    assert FORMS == ("zixun", "tousu", "help")
    np.testing.assert_allclose(lead.sum(axis=1), 1.0)
    first = dict(zip(CATEGORIES, lead[0], strict=True))
    assert first["feijiuzhu"] == 0.2
    np.testing.assert_allclose(
        [first["zixun"], first["tousu"], first["dibao"], first["yiliao"]],
        [0.8 * 0.5, 0.8 * 0.1, 0.7 * 0.4, 0.1 * 0.4],
    )
    assert CATEGORIES[int(lead[1].argmax())] == "canji"


def _examples(lines: list[tuple[str, tuple[str, ...]]]) -> list[Example]:
    # Every third line urgent: the urgency head needs two labels to train.
    return [
        Example(text, categories, "normal" if n % 3 else "urgent", categories != ("feijiuzhu",))
        for n, (text, categories) in enumerate(lines)
    ]


def _leads(model: TextModel, texts: list[str]) -> list[str]:
    _, rows = model.features([model_text(normalise(t)) for t in texts])
    return [CATEGORIES[int(i)] for i in model.predict(rows).lead.argmax(axis=1)]


def test_a_question_and_a_request_about_one_topic_are_told_apart_by_the_form() -> None:
    lines = []
    for n in range(6):
        lines += [
            (f"请问低保的标准是多少{n}", ("zixun", "dibao")),
            (f"家里没有收入了想申请低保{n}", ("dibao",)),
            (f"请问残疾证去哪里办理{n}", ("zixun", "canji")),
            (f"腿断了想申请轮椅和残疾证{n}", ("canji",)),
            (f"小区路灯坏了没人修{n}", ("feijiuzhu",)),
        ]
    model = TextModel.fit(_examples(lines))
    assert model.form_model is not None
    assert _leads(model, ["请问低保的标准是多少", "家里没有收入想申请低保", "路灯坏了"]) == [
        "zixun", "dibao", "feijiuzhu",
    ]


def test_lines_without_a_topic_or_without_questions_still_train() -> None:
    # An agent's correction may name only 投诉; a small corpus may hold no question at all.
    only_help = _examples(
        [(f"家里没有收入{n}", ("dibao",)) for n in range(4)]
        + [(f"腿断了要轮椅{n}", ("canji",)) for n in range(4)]
        + [(f"村干部优亲厚友{n}", ("tousu",)) for n in range(1)]
    )
    model = TextModel.fit(only_help)
    assert _leads(model, ["家里没有收入"]) == ["dibao"]
    helped = TextModel.fit(only_help[:-1])
    assert helped.form_model is None
    assert _leads(helped, ["腿断了要轮椅"]) == ["canji"]
