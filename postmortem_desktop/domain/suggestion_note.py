"""How a stored suggestion keeps its evidence, reason and confidence in the tag assignment's phrase text.

A suggestion row has always kept the phrase that triggered it. It now also says why and how sure,
packed into the same text column (fields joined by U+001F, which no typed text contains), so
workspaces need no new schema version; a row written before this carries its phrase alone and reads
back as a phrase match of unknown confidence.
"""
from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = "\x1f"


@dataclass(frozen=True)
class SuggestionNote:
    phrase: str  # short evidence for a badge: the matched phrase or the words that weighed most
    reason: str = ""  # why, in a sentence a support lead understands
    confidence: float | None = None  # 0..1, None when not known (older rows)

    def encode(self) -> str:
        if self.confidence is None and not self.reason:
            return _clean(self.phrase)
        confidence = "" if self.confidence is None else f"{self.confidence:.3f}"
        return SEPARATOR.join((_clean(self.phrase) or " ", _clean(self.reason), confidence))

    @classmethod
    def decode(cls, stored: str | None) -> SuggestionNote:
        if not stored or SEPARATOR not in stored:
            phrase = stored or ""
            return cls(phrase, f"the phrase “{phrase}”" if phrase else "", None)
        phrase, reason, confidence = (stored.split(SEPARATOR) + ["", ""])[:3]
        try:
            value: float | None = min(1.0, max(0.0, float(confidence))) if confidence else None
        except ValueError:
            value = None
        return cls(phrase.strip(), reason, value)

    def percent(self) -> str:
        """'82 %' or '' when unknown."""
        return "" if self.confidence is None else f"{round(self.confidence * 100)} %"


def _clean(text: str) -> str:
    return text.replace(SEPARATOR, " ")


__all__ = ["SEPARATOR", "SuggestionNote"]
