"""How much evidence each harm tag has: one rule for the board's column counts, the room's slides, the PDF and
the follow-up check, so a tag shows the same number on every screen and page.

The rule: the unit is the quote (the card on the board). A quote counts once for each tag a person put on it
or accepted (the caller passes only those: `vocabulary.EVIDENCE_SOURCES`), whatever its conversation's channel.
A quote from a pre-existing conversation is old product confusion: it is counted apart and never as this
incident's damage.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class HarmCount:
    incident: int = 0  # quotes that are this incident's damage: the number every screen shows
    pre_existing: int = 0  # quotes of old confusion, shown apart ("+2 old") and never added to it


def count_harm(quotes: Iterable[tuple[Iterable[Key], bool]]) -> dict[Key, HarmCount]:
    """{tag: HarmCount} from (the tags a person gave a quote, whether its conversation is pre-existing)."""
    incident: dict[Key, int] = {}
    old: dict[Key, int] = {}
    for tags, pre_existing in quotes:
        side = old if pre_existing else incident
        for tag in dict.fromkeys(tags):  # a tag given twice to one quote still counts that quote once
            side[tag] = side.get(tag, 0) + 1
    return {tag: HarmCount(incident.get(tag, 0), old.get(tag, 0)) for tag in {**incident, **old}}
