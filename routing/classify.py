"""Text → (Signals, Route): the text analyser and `decide()` behind one object.

The worker job, the `/api/v1/classify` endpoint and `hotline classify` all
classify through a `Classifier`, so they can never disagree about a text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from nlp.signals import Signals
from routing.catalogue import Catalogue
from routing.decide import RoutingContext, decide
from routing.jurisdiction import JurisdictionTree
from routing.route import Route


class TextAnalyser(Protocol):
    """What the classifier needs of `nlp.analyser.Analyser`."""

    version: str

    def analyse(self, text: str) -> Signals: ...

    def analyse_many(self, texts: Sequence[str]) -> list[Signals]: ...


class Classifier:
    def __init__(
        self, analyser: TextAnalyser, tree: JurisdictionTree, catalogue: Catalogue
    ) -> None:
        self.analyser = analyser
        self.tree = tree
        self.catalogue = catalogue

    @property
    def version(self) -> str:
        return self.analyser.version

    def classify(
        self, text: str, context: RoutingContext | None = None
    ) -> tuple[Signals, Route]:
        signals = self.analyser.analyse(text)
        return signals, self.route(signals, context)

    def classify_many(
        self, texts: Sequence[str], contexts: Sequence[RoutingContext | None] | None = None
    ) -> list[tuple[Signals, Route]]:
        """Many texts through the model at once (much faster than one by one)."""
        contexts = contexts if contexts is not None else [None] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError("texts and contexts differ in length")
        analysed = self.analyser.analyse_many(texts)
        return [(s, self.route(s, c)) for s, c in zip(analysed, contexts, strict=True)]

    def route(self, signals: Signals, context: RoutingContext | None = None) -> Route:
        return decide(signals, context or RoutingContext(), self.tree, self.catalogue)

    def classify_json(self, text: str, context: RoutingContext | None = None) -> dict[str, Any]:
        return self.as_json(*self.classify(text, context))

    def as_json(self, signals: Signals, route: Route) -> dict[str, Any]:
        """The flat fields people and scripts read, the Chinese names, then Signals and Route."""
        names = self.catalogue
        unit = self.tree.get(route.accepting_unit) if route.accepting_unit else None
        return {
            "category": route.category,
            "categories": list(route.categories),
            "lead_department": route.lead_department,
            "co_departments": list(route.co_departments),
            "accepting_unit": route.accepting_unit,
            "urgency": route.urgency,
            "in_scope": signals.in_scope,
            "intent": signals.intent,
            "confidence": route.confidence,
            "state": route.state,
            "explanation": route.explanation,
            "triage_reasons": list(route.triage_reasons),
            "names": {
                "categories": [names.category_name(c) for c in route.categories],
                "lead_department": (
                    names.department_name(route.lead_department) if route.lead_department else None
                ),
                "co_departments": [names.department_name(d) for d in route.co_departments],
                "accepting_unit": unit.name if unit is not None else None,
            },
            "signals": signals_json(signals),
            "route": route.as_dict(),
        }


def signals_json(signals: Signals) -> dict[str, Any]:
    """Signals as plain JSON types (lists, not tuples), with the derived `categories`."""
    data: dict[str, Any] = _lists(dataclasses.asdict(signals))
    data["categories"] = list(signals.categories)
    return data


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
