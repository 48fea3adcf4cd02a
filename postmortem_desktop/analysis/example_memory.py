"""What the support lead has confirmed or dismissed, as nearest neighbours for the next suggestions.

Every quote or message a person tagged (or whose suggestion they accepted) is a positive example of
its tag; every dismissed suggestion a negative one. A new message close in wording to confirmed
examples of a tag is suggested that tag "like 3 quotes you tagged trust-loss"; close to dismissed
ones, the suggestion is held back. The memory covers the whole workspace, so the next incident
starts from what the last one taught.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, repeat

from .text_features import clean_text, stems

#: neighbours below this cosine similarity say nothing about a message
MIN_SIMILARITY = 0.25
#: how many of the closest examples of a tag count
NEIGHBOURS = 3
#: a word in more than this share of the examples (and at least MIN_DF_CUT of them) is not indexed:
#: "the", "app" and "my" would make every example a neighbour of every message
COMMON_SHARE = 0.2
MIN_DF_CUT = 8


@dataclass(frozen=True)
class Example:
    """One decision by a person: `text` carries `tag` (confirmed) or does not (dismissed)."""

    text: str
    tag: str
    confirmed: bool = True


@dataclass(frozen=True)
class Evidence:
    """What the memory says about one tag for one message."""

    tag: str
    score: float  # summed similarity of the closest confirmed examples minus the closest dismissed ones
    confirmed: int  # how many confirmed examples are neighbours
    dismissed: int
    best: float  # the highest similarity to a confirmed example


def example_features(text: str) -> frozenset[str]:
    """Stems and stem pairs: what two messages must share to read alike (no typo grams, no emoji)."""
    found: set[str] = set()
    previous = ""
    for word_stem, negated in stems(clean_text(text)):
        if word_stem.startswith("emoji_"):
            continue
        found.add(("n:" if negated else "w:") + word_stem)
        if previous:
            found.add(f"b:{previous} {word_stem}")
        previous = word_stem
    return frozenset(found)


class ExampleMemory:
    """Confirmed and dismissed examples, indexed by feature for fast neighbour look-up."""

    def __init__(self, examples: Iterable[Example] = ()) -> None:
        self._examples: list[Example] = []
        self._features: list[frozenset[str]] = []
        self._index: dict[str, list[int]] = {}
        self._skip: frozenset[str] = frozenset()
        self._sizes: list[int] = []  # per example: how many of its features are indexed (not skipped)
        for example in examples:
            self._add(example)
        self._reindex()

    def __len__(self) -> int:
        return len(self._examples)

    def tags(self) -> set[str]:
        return {e.tag for e in self._examples}

    def counts(self) -> dict[str, int]:
        """Confirmed examples per tag."""
        found: dict[str, int] = {}
        for example in self._examples:
            if example.confirmed:
                found[example.tag] = found.get(example.tag, 0) + 1
        return found

    def confirmed_examples(self) -> list[Example]:
        return [e for e in self._examples if e.confirmed]

    def add(self, examples: Iterable[Example]) -> None:
        for example in examples:
            self._add(example)
        self._reindex()

    def _add(self, example: Example) -> None:
        self._examples.append(example)
        self._features.append(example_features(example.text))

    def _reindex(self) -> None:
        document_frequency: dict[str, int] = {}
        for names in self._features:
            for name in names:
                document_frequency[name] = document_frequency.get(name, 0) + 1
        cut = max(MIN_DF_CUT, COMMON_SHARE * len(self._features))
        self._skip = frozenset(name for name, n in document_frequency.items() if n > cut)
        self._index = {}
        self._sizes = []
        for position, names in enumerate(self._features):
            indexed = names - self._skip
            self._sizes.append(len(indexed))
            for name in indexed:
                self._index.setdefault(name, []).append(position)

    def evidence(self, text: str) -> dict[str, Evidence]:
        """Per tag with neighbours: the evidence from the closest confirmed and dismissed examples."""
        if not self._examples:
            return {}
        query = example_features(text) - self._skip
        if not query:
            return {}
        # how many indexed features each example shares with the text, counted in C: a message is looked up
        # against every example sharing a word with it, which on real text is most of a large memory
        shared = Counter(chain.from_iterable(map(self._index.get, query, repeat(()))))
        # an example sharing `overlap` features has at least that many, so it is at most sqrt(overlap / len(query))
        # alike: one sharing fewer than MIN_SIMILARITY² x len(query) cannot count (on real text, 9 candidates in 10)
        fewest = MIN_SIMILARITY * MIN_SIMILARITY * len(query)
        per_tag: dict[str, tuple[list[float], list[float]]] = {}
        for position, overlap in shared.items():
            if overlap < fewest:
                continue
            size = self._sizes[position]
            similarity = overlap / math.sqrt(size * len(query)) if size else 0.0
            if similarity < MIN_SIMILARITY:
                continue
            example = self._examples[position]
            confirmed, dismissed = per_tag.setdefault(example.tag, ([], []))
            (confirmed if example.confirmed else dismissed).append(similarity)
        result: dict[str, Evidence] = {}
        for tag, (confirmed, dismissed) in per_tag.items():
            confirmed.sort(reverse=True)
            dismissed.sort(reverse=True)
            score = sum(confirmed[:NEIGHBOURS]) - sum(dismissed[:NEIGHBOURS])
            result[tag] = Evidence(tag, score, len(confirmed), len(dismissed), confirmed[0] if confirmed else 0.0)
        return result


__all__ = ["Evidence", "Example", "ExampleMemory", "MIN_SIMILARITY", "example_features"]
