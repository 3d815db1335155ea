"""The phone and ID-number checks every channel applies, for the console to apply the same way."""

from __future__ import annotations

from nlp.identity import InvalidIdentity, normalise_id_number, normalise_phone, phone_area

__all__ = ["InvalidIdentity", "normalise_id_number", "normalise_phone", "phone_area"]
