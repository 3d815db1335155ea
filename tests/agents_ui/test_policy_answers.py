"""Policy answers: seeded once from the shipped texts, searched by what callers say, validated."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from agents_ui.policy_answers import shipped_answers
from cases.policy_answers import (
    InvalidAnswer,
    PolicyAnswer,
    ensure_table,
    save_answer,
    search_answers,
    seed_answers,
)

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
SEEDS = Path("/work/shared/seeds")


def test_every_shipped_answer_names_its_seed_and_quotes_a_rule() -> None:
    answers = shipped_answers()
    topics = {a["topic"] for a in answers}
    assert {"低保", "特困", "临时救助", "医疗救助", "先行救助", "12349"} <= topics
    for answer in answers:
        files = re.findall(r"\d{3}_[0-9a-f]{16}\.txt", answer["source"])
        assert files, answer["question"]
        assert answer["rule"] and answer["answer"] and answer["keywords"]
        if SEEDS.exists():
            for name in files:
                assert (SEEDS / name).exists(), name


def test_seeding_happens_once_and_keeps_edits(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert seed_answers(session, shipped_answers(), NOW) == len(shipped_answers())
        edited = search_answers(session, "低保标准")[0]
        save_answer(session, {"topic": edited.topic, "question": edited.question,
                              "answer": "本县标准见县民政局公示。"}, "admin", NOW, edited.id)
        session.commit()
        assert seed_answers(session, shipped_answers(), NOW) == 0
        kept = session.get(PolicyAnswer, edited.id)
        assert kept is not None and kept.answer == "本县标准见县民政局公示。"


@pytest.mark.parametrize(("said", "topic"), [
    ("我想问问低保一个月能拿多少钱，标准是多少", "低保"),
    ("家里出了车祸急需用钱，临时救助多久能到", "临时救助"),
    ("我家是危房，下雨天漏得厉害", "住房救助"),
    ("孩子上学交不起学费", "教育救助"),
    ("12349这个电话能办什么", "12349"),
    ("我爸是重度残疾，能不能单独吃低保", "低保"),
])
def test_what_a_caller_says_finds_the_right_answer(sessions: sessionmaker[Session], said: str,
                                                   topic: str) -> None:
    with sessions() as session:
        seed_answers(session, shipped_answers(), NOW)
        found = search_answers(session, said)
        assert found and found[0].topic == topic


def test_nothing_matching_finds_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        seed_answers(session, shipped_answers(), NOW)
        assert search_answers(session, "今天天气怎么样") == []


def test_an_answer_must_have_its_fields(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ensure_table(session)
        with pytest.raises(InvalidAnswer, match="answer：不能为空"):
            save_answer(session, {"topic": "低保", "question": "问"}, "admin", NOW)
        with pytest.raises(InvalidAnswer, match="topic：不能超过32字"):
            save_answer(session, {"topic": "长" * 33, "question": "问", "answer": "答"}, "admin", NOW)
        with pytest.raises(LookupError):
            save_answer(session, {"topic": "低保", "question": "问", "answer": "答"}, "admin", NOW, 999)
