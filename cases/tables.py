"""The record: every table the hotline keeps in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cases.db import Base, UTCDateTime

TZ = UTCDateTime()


class Unit(Base):
    """A place of the jurisdiction tree, a department, or the hotline itself."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # province | city | county | township | village | department | hotline
    kind: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    # agent | township | department | grassroots | supervisor | admin
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(TZ)


class ApiClient(Base):
    """A machine channel (the phone system, a citizen app) and its credentials."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # call | app
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the API key
    # The HMAC secret must be readable to verify signatures; it never leaves the server.
    secret: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Intake(Base):
    """The inbox: one row per acknowledged request, committed before the 202."""

    __tablename__ = "intakes"
    __table_args__ = (
        UniqueConstraint("channel", "source", "message_id", name="uq_intake_message"),
        Index("ix_intakes_state_enqueued", "state", "enqueued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))  # api client name or username
    message_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(TZ)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|processed|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[dt.datetime] = mapped_column(TZ)
    last_error: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(Integer)
    processed_at: Mapped[dt.datetime | None] = mapped_column(TZ)


class Person(Base):
    """Someone in need, a caller or a reporter; linked by normalised phone and ID number."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    village_code: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(TZ)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Opening a case is idempotent on the intake: a retried job hits this constraint.
    intake_id: Mapped[str] = mapped_column(ForeignKey("intakes.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24), index=True)
    urgency: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(16))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_department: Mapped[str | None] = mapped_column(String(32))
    co_departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    accepting_unit: Mapped[str | None] = mapped_column(String(32), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    triage_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    model_version: Mapped[str] = mapped_column(String(64), default="")
    policy_version: Mapped[str] = mapped_column(String(64), default="")
    signals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(TZ, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(TZ)


class Assignment(Base):
    """One department's part of a case: lead (主办) or assisting (协办)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("case_id", "department", name="uq_assignment_department"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    department: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(8))  # lead | assist
    state: Mapped[str] = mapped_column(String(24), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(TZ)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    replied_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    reply: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)


class Clock(Base):
    """An SLA clock; the deadline lives here, Redis only indexes what falls due."""

    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint("case_id", "assignment_id", "kind", name="uq_clock_kind"),
        Index("ix_clocks_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    kind: Mapped[str] = mapped_column(String(24))  # dispatch|accept|first_contact|advance_aid|resolve|followup
    duration: Mapped[str] = mapped_column(String(16))  # "4wh", "3wd", "48h"
    policy_version: Mapped[str] = mapped_column(String(64))
    # running | warned | breached | met | met_late | cancelled
    state: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(TZ)
    deadline: Mapped[dt.datetime] = mapped_column(TZ)
    warn_at: Mapped[dt.datetime] = mapped_column(TZ)
    paused_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    pauses: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)
    extensions: Mapped[list[str]] = mapped_column(JSON, default=list)
    warned_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    breached_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    second_breached_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    # The second escalation (200%): set by the timer engine when the clock breaches.
    second_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(TZ)


class Event(Base):
    """The timeline: every change of a case, kept forever, also published on Redis."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(TZ)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrainingExample(Base):
    """An agent's correction of the classifier, used by the next `hotline train`."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    text: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(JSON)
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgency: Mapped[str] = mapped_column(String(16))
    in_scope: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(TZ)
