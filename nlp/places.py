"""Place names of the jurisdiction tree found in a text.

Full names (白石镇, 新民村) and the short forms listed as aliases (白石, 新民)
are matched, the longest form first at each position. A name shared by
several units yields one mention per unit: routing decides between them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.signals import Place, PlaceMention


class PlaceMatcher:
    def __init__(self, places: Sequence[Place]) -> None:
        self._by_surface: dict[str, list[Place]] = {}
        for place in places:
            for surface in (place.name, *place.aliases):
                surface = surface.strip()
                if surface:
                    self._by_surface.setdefault(surface, []).append(place)
        surfaces = sorted(self._by_surface, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(s) for s in surfaces)) if surfaces else None
        )

    @property
    def surfaces(self) -> tuple[str, ...]:
        return tuple(self._by_surface)

    def find(self, text: str) -> tuple[PlaceMention, ...]:
        if self._pattern is None:
            return ()
        mentions: list[PlaceMention] = []
        seen: set[str] = set()
        for match in self._pattern.finditer(text):
            for place in self._by_surface[match.group()]:
                if place.code not in seen:
                    seen.add(place.code)
                    mentions.append(PlaceMention(match.group(), place.code, place.level))
        return tuple(mentions)


def places_from_csv_rows(rows: Sequence[dict[str, str]]) -> list[Place]:
    """Places from rows shaped like hotline/demo/county.csv (aliases joined by '|')."""
    return [
        Place(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
            parent_code=row.get("parent_code") or None,
        )
        for row in rows
    ]
