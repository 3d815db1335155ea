"""Where one case goes: the outcome of `decide()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATES = ("dispatched", "answered", "transferred_out", "triage")


@dataclass(frozen=True)
class Route:
    accepting_unit: str | None  # township code (the county for a complaint about a township)
    lead_department: str | None
    co_departments: tuple[str, ...]
    categories: tuple[str, ...]  # lead first
    urgency: str
    state: str  # one of STATES
    sla_keys: tuple[str, ...]  # the clocks this case starts: dispatch, resolve:yiliao, …
    explanation: str  # Chinese, for the agent and the handler
    triage_reasons: tuple[str, ...]  # Chinese; empty unless state is triage
    confidence: float
    model_version: str

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown route state {self.state!r}")
        if self.lead_department is not None and self.lead_department in self.co_departments:
            raise ValueError("the lead department cannot also assist")

    @property
    def category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepting_unit": self.accepting_unit,
            "lead_department": self.lead_department,
            "co_departments": list(self.co_departments),
            "category": self.category,
            "categories": list(self.categories),
            "urgency": self.urgency,
            "state": self.state,
            "sla_keys": list(self.sla_keys),
            "explanation": self.explanation,
            "triage_reasons": list(self.triage_reasons),
            "confidence": self.confidence,
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Route:
        """The inverse of `as_dict`, for a route stored as JSON."""
        return cls(
            accepting_unit=data["accepting_unit"],
            lead_department=data["lead_department"],
            co_departments=tuple(data["co_departments"]),
            categories=tuple(data["categories"]),
            urgency=data["urgency"],
            state=data["state"],
            sla_keys=tuple(data["sla_keys"]),
            explanation=data["explanation"],
            triage_reasons=tuple(data["triage_reasons"]),
            confidence=float(data["confidence"]),
            model_version=data["model_version"],
        )
