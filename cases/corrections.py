"""Agents' corrections of the classifier, kept as labelled examples for the next training."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.tables import TrainingExample


def record_correction(
    session: Session, *, case_id: int | None, text: str, categories: list[str],
    departments: list[str], urgency: str, in_scope: bool, by: str, now: dt.datetime,
) -> TrainingExample:
    example = TrainingExample(case_id=case_id, text=text, categories=categories,
                              departments=departments, urgency=urgency, in_scope=in_scope,
                              created_by=by, created_at=now)
    session.add(example)
    return example


def all_corrections(session: Session) -> list[TrainingExample]:
    """Every correction; a case corrected twice counts once, by its latest correction."""
    latest: dict[object, TrainingExample] = {}
    for row in session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        latest[row.case_id if row.case_id is not None else ("text", row.text)] = row
    return list(latest.values())
