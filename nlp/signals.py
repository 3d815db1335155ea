"""What the text of one request says: the contract between nlp/ and routing/."""

from __future__ import annotations

from dataclasses import dataclass, field

URGENCY_LEVELS = ("critical", "urgent", "normal")
INTENTS = ("self", "other", "zixun", "tousu")


@dataclass(frozen=True)
class Place:
    """One unit of the jurisdiction tree as nlp sees it (nlp imports no other package)."""

    code: str
    name: str
    level: str  # province | city | county | township | village
    aliases: tuple[str, ...] = ()
    parent_code: str | None = None


@dataclass(frozen=True)
class PlaceMention:
    text: str  # the words as they stand in the text
    code: str
    level: str


@dataclass(frozen=True)
class NeedScore:
    category: str  # a catalogue code: dibao, yiliao, …
    probability: float
    evidence: tuple[str, ...] = ()  # words of the text that carried it


@dataclass(frozen=True)
class Signals:
    original: str
    text: str  # normalised: simplified, half-width, clean whitespace
    needs: tuple[NeedScore, ...]  # ranked, most probable first; those above the threshold
    in_scope: bool
    intent: str  # one of INTENTS
    urgency: str  # one of URGENCY_LEVELS
    urgency_evidence: tuple[str, ...]
    confidence: float  # probability of the top need (or of out-of-scope)
    model_version: str
    phones: tuple[str, ...] = ()  # E.164
    id_numbers: tuple[str, ...] = ()  # validated 18-character numbers
    amounts: tuple[int, ...] = ()  # yuan
    ages: tuple[int, ...] = ()
    family: tuple[str, ...] = ()  # family members mentioned: 妈妈, 孩子, …
    places: tuple[PlaceMention, ...] = field(default=())

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(n.category for n in self.needs)
