"""Policy answers an agent reads out to close a question (zixun) on the spot; admins edit them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cases.db import Base, UTCDateTime


class PolicyAnswer(Base):
    __tablename__ = "policy_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), index=True)  # 低保, 特困, 临时救助, …
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)  # what the agent says
    rule: Mapped[str] = mapped_column(Text, default="")  # the quoted policy text
    source: Mapped[str] = mapped_column(String(200), default="")  # the document it comes from
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class InvalidAnswer(ValueError):
    """A field of an edited answer is missing or too long; the message names it, in Chinese."""


LIMITS = {"topic": 32, "question": 500, "answer": 2000, "rule": 2000, "source": 200}
REQUIRED = ("topic", "question", "answer")


def ensure_table(session: Session) -> None:
    """Create the table on a database made before policy answers existed."""
    bind = session.get_bind()
    if not inspect(bind).has_table(PolicyAnswer.__tablename__):
        PolicyAnswer.__table__.create(bind, checkfirst=True)  # type: ignore[attr-defined]


def seed_answers(session: Session, rows: Iterable[Mapping[str, Any]], now: dt.datetime) -> int:
    """Load the shipped answers into an empty table; an edited table is left alone."""
    ensure_table(session)
    if session.scalar(select(func.count()).select_from(PolicyAnswer)):
        return 0
    count = 0
    for row in rows:
        session.add(PolicyAnswer(**clean_fields(row), updated_by="system", updated_at=now))
        count += 1
    session.commit()
    return count


def clean_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, limit in LIMITS.items():
        value = str(data.get(name) or "").strip()
        if name in REQUIRED and not value:
            raise InvalidAnswer(f"{name}：不能为空")
        if len(value) > limit:
            raise InvalidAnswer(f"{name}：不能超过{limit}字")
        fields[name] = value
    raw = data.get("keywords") or []
    words = raw.replace("，", ",").split(",") if isinstance(raw, str) else list(raw)
    fields["keywords"] = [str(w).strip() for w in words if str(w).strip()][:20]
    return fields


def search_answers(session: Session, query: str, limit: int = 8) -> list[PolicyAnswer]:
    """Answers ranked by how many of the query's terms they contain (keywords count double).

    Callers write without spaces, so every keyword and topic found inside the query
    counts as a term too, not only the space-separated words.
    """
    answers = list(session.scalars(select(PolicyAnswer).order_by(PolicyAnswer.id)))
    query = query.strip()
    if not query:
        return answers[:limit]
    terms = {t for t in query.split() if t}
    scored: list[tuple[int, int, PolicyAnswer]] = []
    for answer in answers:
        text = f"{answer.topic} {answer.question} {answer.answer} {answer.rule}"
        score = sum(1 for t in terms if t in text)
        score += sum(2 for k in [*answer.keywords, answer.topic] if k and k in query)
        if score:
            scored.append((-score, answer.id, answer))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [answer for _, _, answer in scored[:limit]]


def save_answer(session: Session, data: Mapping[str, Any], editor: str, now: dt.datetime,
                answer_id: int | None = None) -> PolicyAnswer:
    """Create or update one answer (the caller commits); unknown ids raise LookupError."""
    fields = clean_fields(data)
    if answer_id is None:
        answer = PolicyAnswer(**fields, updated_by=editor, updated_at=now)
        session.add(answer)
        session.flush()
        return answer
    found = session.get(PolicyAnswer, answer_id)
    if found is None:
        raise LookupError(f"没有编号为{answer_id}的政策答复")
    for name, value in fields.items():
        setattr(found, name, value)
    found.updated_by = editor
    found.updated_at = now
    return found


def delete_answer(session: Session, answer_id: int) -> bool:
    found = session.get(PolicyAnswer, answer_id)
    if found is None:
        return False
    session.delete(found)
    return True


def answer_view(answer: PolicyAnswer) -> dict[str, Any]:
    return {"id": answer.id, "topic": answer.topic, "question": answer.question,
            "answer": answer.answer, "rule": answer.rule, "source": answer.source,
            "keywords": answer.keywords, "updated_by": answer.updated_by,
            "updated_at": answer.updated_at.isoformat()}
