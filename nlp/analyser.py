"""Text → Signals: normalisation, entities, places, needs, intent and urgency.

Empty or whitespace-only text is not an error: it gives Signals with no
needs, in_scope False, intent "self", urgency "normal" and confidence 0, so
that intake can mark such a request invalid without special cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.asking import ask_items, first_ask
from nlp.categories import CATEGORIES, OUT_OF_SCOPE
from nlp.entities import extract
from nlp.hardship import read
from nlp.model import Matrix, TextModel, WordRow, model_text
from nlp.normalise import normalise
from nlp.places import PlaceMatcher
from nlp.programmes import programme_named
from nlp.signals import INTENTS, NeedScore, Place, Signals
from nlp.tokens import add_words, use_cache_dir
from nlp.tokens import words as cut_words
from nlp.training import load_model
from nlp.urgency import UrgencyCues, find_cues

_OUT = CATEGORIES.index(OUT_OF_SCOPE)
_ZIXUN = CATEGORIES.index("zixun")
_NOT_NEEDS = (_OUT, _ZIXUN, CATEGORIES.index("tousu"))
_CRITICAL, _URGENT = 0, 1  # columns of URGENCY_LEVELS
# An item of an ask clause names a need when that need's words weigh at least this much
# there and this many times the next need's (cross-validated on 4,382 lines: 0.3–1.0 and
# 1.2–2.0 all within 0.06 %; reading items first instead of the whole clause +0.25 %).
ITEM_MIN_WEIGHT = 0.5
ITEM_MARGIN = 1.5


class Analyser:
    """One trained model version plus the jurisdiction's places, loaded once per process."""

    def __init__(self, model: TextModel, version: str, places: Sequence[Place] = ()) -> None:
        self.model = model
        self.version = version
        self._places = PlaceMatcher(places)
        # A category without a need head (never or always labelled) is judged by the lead alone.
        self._has_need_head = np.asarray([c in model.category_models for c in CATEGORIES])
        # Short aliases stay out of the tokenizer: 核桃 is a village and a nut.
        add_words(p.name for p in places)

    @classmethod
    def load(cls, model_dir: Path, places: Sequence[Place] = ()) -> Analyser:
        use_cache_dir(model_dir)  # jieba's prefix dictionary, kept beside the models
        version, model = load_model(model_dir)
        return cls(model, version, places)

    def analyse(self, text: str) -> Signals:
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Signals]:
        if isinstance(texts, str):
            raise TypeError("analyse_many 需要文本序列，单条文本请用 analyse")
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"文本应为字符串，而不是 {type(text).__name__}")
        normalised = [normalise(t) for t in texts]
        filled = [i for i, t in enumerate(normalised) if t]
        results = [self._empty(t, n) for t, n in zip(texts, normalised, strict=True)]
        if not filled:
            return results
        model_texts = [model_text(normalised[i]) for i in filled]
        word_rows, matrix = self.model.features(model_texts)
        predicted = self.model.predict(matrix)
        for row, index in enumerate(filled):
            results[index] = self._signals(
                texts[index],
                normalised[index],
                model_texts[row],
                word_rows[row],
                predicted.lead[row],
                predicted.needs[row],
                predicted.urgency[row],
                None if predicted.intent is None else predicted.intent[row],
            )
        return results

    def _signals(
        self,
        original: str,
        text: str,
        for_model: str,
        words: WordRow,
        lead_p: Matrix,
        need_p: Matrix,
        urgency_p: Matrix,
        intent_p: Matrix | None,
    ) -> Signals:
        cues = find_cues(text)
        lead = self._lead(lead_p, need_p, for_model, cues)
        in_scope = lead != _OUT
        needs = self._needs(lead, lead_p, need_p, words, in_scope)
        urgency, evidence = self._urgency(cues, urgency_p, words)
        entities = extract(text)
        return Signals(
            original=original,
            text=text,
            needs=needs,
            in_scope=in_scope,
            intent=self._intent(CATEGORIES[lead], intent_p),
            urgency=urgency,
            urgency_evidence=evidence,
            confidence=needs[0].probability,
            model_version=self.version,
            phones=entities.phones,
            id_numbers=entities.id_numbers,
            amounts=entities.amounts,
            ages=entities.ages,
            family=entities.family,
            places=self._places.find(text),
        )

    def _lead(self, lead_p: Matrix, need_p: Matrix, for_model: str, cues: UrgencyCues) -> int:
        settings = self.model.settings
        agreement = np.where(self._has_need_head, np.maximum(need_p, 1e-9), 1.0) ** settings.lead_need_weight
        scores = lead_p * agreement
        lead = int(np.argmax(scores))
        # Someone whose life is at risk is in scope whatever else the text is about, and so
        # is a request that names a social-assistance programme.
        if lead == _OUT and (cues.critical or programme_named(for_model)):
            scores[_OUT] = -1.0
            lead = int(np.argmax(scores))
        # A text that asks no question at all (an application, a plea) is no policy question.
        if lead == _ZIXUN and read(for_model).asks_nothing:
            scores[_ZIXUN] = -1.0
            lead = int(np.argmax(scores))
        if lead not in _NOT_NEEDS:
            lead = self._asked_first(lead, scores, need_p, for_model)
        if (
            lead not in _NOT_NEEDS
            and not cues.critical
            and lead_p[_ZIXUN] >= settings.question_zixun
            and read(for_model).question_only
        ):
            return _ZIXUN
        return lead

    def _asked_first(self, lead: int, scores: Matrix, need_p: Matrix, for_model: str) -> int:
        """Of the needs listed, the one asked for first leads when the scores are close."""
        settings = self.model.settings
        listed = [
            column
            for column in np.flatnonzero(need_p >= settings.need_threshold).tolist()
            if column not in _NOT_NEEDS
        ]
        if not listed or listed == [lead]:
            return lead
        clause = first_ask(for_model)
        if not clause:
            return lead
        best = self._named_first(clause, {lead, *listed}, lead)
        if best != lead and scores[best] * (1.0 + settings.asked_first_boost) > scores[lead]:
            return best
        return lead

    def _named_first(self, clause: str, candidates: set[int], lead: int) -> int:
        """The candidate the first item of the ask clause clearly names; failing that, the
        one whose words weigh most in the whole clause."""

        def heaviest(asked: list[str]) -> tuple[int, list[float]]:
            weights = {c: self.model.weight_of(asked, CATEGORIES[c]) for c in candidates}
            return max(weights, key=lambda c: (weights[c], c == lead)), sorted(
                weights.values(), reverse=True
            )

        items = [cut_words(item) for item in ask_items(clause)]
        for asked in items:
            named, (top, second, *_) = heaviest(asked)
            if top >= ITEM_MIN_WEIGHT and top >= ITEM_MARGIN * second:
                return named
        return heaviest([word for asked in items for word in asked])[0]

    def _needs(
        self,
        lead: int,
        lead_p: Matrix,
        need_p: Matrix,
        words: WordRow,
        in_scope: bool,
    ) -> tuple[NeedScore, ...]:
        def score(column: int, probability: float) -> NeedScore:
            category = CATEGORIES[column]
            return NeedScore(category, round(probability, 4), self.model.evidence(words, category))

        first = score(lead, float(max(lead_p[lead], need_p[lead])))
        if not in_scope:
            return (first,)
        threshold = self.model.settings.need_threshold
        others = [
            score(column, float(need_p[column]))
            for column in np.argsort(-need_p)
            if column not in (lead, _OUT) and need_p[column] >= threshold
        ]
        return (first, *others)

    def _urgency(
        self, cues: UrgencyCues, urgency_p: Matrix, words: WordRow
    ) -> tuple[str, tuple[str, ...]]:
        if cues.critical:
            return "critical", cues.critical
        settings = self.model.settings
        # A past event told as past (去年差点喝药) does not let the model raise it either.
        if urgency_p[_CRITICAL] >= settings.critical_threshold and not cues.guarded:
            return "critical", self.model.critical_evidence(words) or ("模型判断",)
        if cues.urgent:
            return "urgent", cues.urgent
        if urgency_p[_CRITICAL] + urgency_p[_URGENT] >= 0.5:
            return "urgent", ("模型判断",)
        return "normal", ()

    def _intent(self, lead: str, intent_p: Matrix | None) -> str:
        if lead in ("tousu", "zixun"):
            return lead
        if intent_p is None:
            return "self"
        allowed = [i for i, intent in enumerate(INTENTS) if intent not in ("tousu", "zixun")]
        return INTENTS[max(allowed, key=lambda i: intent_p[i])]

    def _empty(self, original: str, text: str) -> Signals:
        return Signals(
            original=original,
            text=text,
            needs=(),
            in_scope=False,
            intent="self",
            urgency="normal",
            urgency_evidence=(),
            confidence=0.0,
            model_version=self.version,
        )
