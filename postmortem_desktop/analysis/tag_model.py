"""The statistical tag model: a linear model per tag over text_features, read from a small weights file.

The weights are fitted at build time (scripts/train_tagger.py, `make train-tagger`) and shipped as
resources/tag_model.json.gz; scoring here is plain Python dictionary look-ups, so the app needs no
numerical library and scores thousands of messages a second.

Two kinds of evidence add up in each tag's log-odds:
- word and stem-pair features (n-grams), each with its own weight;
- meaning: the passage's mean word embedding (static vectors distilled at build time from a sentence
  transformer, weighted so frequent words count less) projected on the tag's direction. Because that
  projection is linear, the file holds each stem's projection per tag, already multiplied by its
  weight, rather than the vectors: a weighted mean of a few numbers per word, not of 256 dimensions.
"""
from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..domain.vocabulary import Role
from ..resources import resource_path
from .text_features import Vocabulary, clean_text, feature_names, features, stems, words_with_places

MODEL_FILE = "tag_model.json.gz"
MODEL_FORMAT = 1
TOP_WORDS = 3
#: probabilities 0, 0.05, ... 0.95: the calibration table holds the measured precision at each
CALIBRATION_STEPS = tuple(round(0.05 * i, 2) for i in range(20))
#: stems that weigh in a model but explain nothing to a person on their own
FUNCTION_WORDS = frozenset({
    "i", "my", "me", "the", "a", "an", "to", "and", "of", "it", "is", "in", "for", "on", "this", "that", "you",
    "your", "we", "our", "they", "be", "was", "have", "has", "had", "am", "are", "at", "with", "so", "as", "by",
    "from", "or", "if", "do", "did", "just", "get", "got", "also", "there", "what", "can", "will", "would",
})
#: which part of the model reads which author's messages
AGENT_PART = "agent"
CUSTOMER_PART = "customer"


class ModelScore(NamedTuple):
    """How strongly the model sees one tag in a message, and the words that weighed most for it.

    A named tuple rather than a frozen dataclass: one is made per tag for every message scored, and
    that is a measurable share of the time at thousands of messages a second.
    """

    tag: str
    probability: float
    threshold: float
    words: tuple[str, ...] = ()
    confidence: float = 0.0  # the share of suggestions this probable that were right (tune part, out of fold)

    @property
    def passes(self) -> bool:
        return self.probability >= self.threshold


@dataclass(frozen=True)
class _Reading:
    """A message read with word positions, for explaining every tag of a part that passes."""

    words: list[tuple[str, bool]]
    places: list[tuple[int, int]]
    found: list[tuple[str, tuple[int, ...]]]


@dataclass(frozen=True)
class _Part:
    tags: tuple[str, ...]
    bias: tuple[float, ...]
    thresholds: tuple[float, ...]
    # feature -> its weight for each tag, in `tags` order: one look-up per feature, not one per tag
    weights: dict[str, tuple[float, ...]]
    vocabulary: Vocabulary
    calibration: tuple[tuple[float, ...], ...]
    # stem -> (its weight in the passage's mean, then weight x the stem's projection on each tag's direction)
    meaning: dict[str, tuple[float, ...]]

    @classmethod
    def from_file(cls, part: Mapping[str, Any]) -> _Part:
        tags = tuple(part["tags"])
        weights = {name: tuple(row) for name, row in zip(part["features"], part["weights"], strict=True)}
        meaning = part.get("meaning", {"stems": [], "rows": []})
        return cls(tags, tuple(part["bias"][t] for t in tags), tuple(part["thresholds"][t] for t in tags), weights,
                   Vocabulary(frozenset(part["common"])), tuple(tuple(part["calibration"][t]) for t in tags),
                   {s: tuple(row) for s, row in zip(meaning["stems"], meaning["rows"], strict=True)})

    def meaning_totals(self, words: list[tuple[str, bool]]) -> list[float]:
        """Each tag's share of log-odds from the passage's meaning (0 where no word has a vector)."""
        rows = [row for row in map(self.meaning.get, [w for w, _ in words]) if row is not None]
        if not rows:
            return [0.0] * len(self.tags)
        sums = [sum(column) for column in zip(*rows, strict=True)]
        return [value / sums[0] for value in sums[1:]]

    def column(self, index: int) -> dict[str, float]:
        return {name: row[index] for name, row in self.weights.items() if row[index]}


class TagModel:
    """Scores messages with the shipped (or a given) weights file; one part for customers, one for agents."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"tag model format {data.get('format')!r} is not {MODEL_FORMAT}; rebuild it "
                             "with `make train-tagger`")
        self._parts = {name: _Part.from_file(part) for name, part in data["parts"].items()}
        self.trained_on = data.get("trained_on", {})
        #: how precise each tag's phrase patterns were on the tune part (a pattern match's confidence)
        self.pattern_precision: dict[str, float] = data.get("pattern_precision", {})

    @classmethod
    def load(cls, path: str | Path | None = None) -> TagModel:
        """The shipped model, or the weights file at path."""
        path = Path(path) if path is not None else resource_path(MODEL_FILE)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return cls(json.load(handle))
        except (OSError, json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"the tag model {path} cannot be read ({exc}); rebuild it with `make train-tagger`") \
                from exc

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(tag for part in self._parts.values() for tag in part.tags)

    def parts_for(self, role: str | None) -> list[str]:
        """Agents' words get the wording tags, everyone else's the harm tags; unknown authors get both."""
        if role is None:
            return list(self._parts)
        return [AGENT_PART if role == Role.AGENT.value else CUSTOMER_PART]

    def score(self, text: str, role: str | None = None, *, explain: bool = True) -> list[ModelScore]:
        """Every tag of the role's parts with its probability; words only for tags that pass."""
        text = clean_text(text)
        words = stems(text)
        scores: list[ModelScore] = []
        read: dict[str, _Reading] = {}  # words with places, worked out once per part and only if a tag passes
        for name in self.parts_for(role):
            part = self._parts.get(name)
            if part is None:
                continue
            names = feature_names(words, part.vocabulary)
            rows = [row for row in map(part.weights.get, names) if row is not None]
            totals = [sum(column) for column in zip(*rows, strict=True)] if rows else [0.0] * len(part.tags)
            scale = 1.0 / math.sqrt(len(names)) if names else 0.0
            meaning = part.meaning_totals(words) if part.meaning else None
            steps = len(CALIBRATION_STEPS) - 1
            for index, (tag, bias, threshold, table) in enumerate(
                    zip(part.tags, part.bias, part.thresholds, part.calibration, strict=True)):
                z = bias + scale * totals[index] + (meaning[index] if meaning else 0.0)
                probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
                explained = self._explain(text, part, index, read, name) if explain and probability >= threshold else ()
                # the share of out-of-fold suggestions this probable that were right (its calibration step)
                confidence = table[min(steps, int(probability / 0.05 + 1e-9))]
                scores.append(ModelScore(tag, probability, threshold, explained, confidence))
        return scores

    def rescore(self, text: str, role: str | None, score: ModelScore, threshold: float) -> ModelScore:
        """The same score against another threshold (a workspace's own), explained if it now passes."""
        if score.probability < threshold or score.words:
            return ModelScore(score.tag, score.probability, threshold, score.words, score.confidence)
        for name in self.parts_for(role):
            part = self._parts.get(name)
            if part is not None and score.tag in part.tags:
                words = self._explain(clean_text(text), part, part.tags.index(score.tag))
                return ModelScore(score.tag, score.probability, threshold, words, score.confidence)
        return score

    @staticmethod
    def _explain(text: str, part: _Part, index: int, read: dict[str, _Reading] | None = None,
                 name: str = "") -> tuple[str, ...]:
        reading = read.get(name) if read is not None else None
        if reading is None:
            words, places = words_with_places(text)  # the slower path with positions, only for suggestions made
            reading = _Reading(words, places, features(words, part.vocabulary))
            if read is not None:
                read[name] = reading
        # both kinds of evidence on the scale of the log-odds they add, so they can be ranked together
        distinct = {f for f, _ in reading.found}
        scale = 1.0 / math.sqrt(len(distinct)) if distinct else 0.0
        weights = {f: scale * part.weights[f][index] for f in distinct if f in part.weights}
        return top_words(text, reading.words, reading.places, reading.found, weights,
                         meaning_per_word(part, index, reading.words))


def meaning_per_word(part: _Part, index: int, words: list[tuple[str, bool]]) -> dict[int, float]:
    """How much each word's meaning moved the tag's log-odds: its share of the passage's weighted mean."""
    rows = [part.meaning.get(w) for w, _ in words]
    total = sum(row[0] for row in rows if row is not None)
    return {i: row[1 + index] / total for i, row in enumerate(rows) if row is not None and total}


def top_words(text: str, words: list[tuple[str, bool]], places: list[tuple[int, int]],
              found: list[tuple[str, tuple[int, ...]]], weights: dict[str, float],
              per_word_meaning: dict[int, float] | None = None, limit: int = TOP_WORDS) -> tuple[str, ...]:
    """The few stretches of the message whose features (and meaning) pushed the tag up most, as written.

    A stretch of function words alone ("my", "the") is no explanation a person can use and is left out.
    """
    per_word: dict[int, float] = dict(per_word_meaning or {})
    for feature, indexes in found:
        weight = weights.get(feature, 0.0)
        if weight:
            for index in indexes:
                per_word[index] = per_word.get(index, 0.0) + weight / len(indexes)
    ranked = sorted((i for i, w in per_word.items() if w > 0), key=lambda i: -per_word[i])
    best = [i for i in ranked if words[i][0] not in FUNCTION_WORDS][:limit]
    seen: dict[str, tuple[float, str]] = {}  # the same words twice are one reason
    for run in _adjacent_runs(sorted(best)):
        phrase = text[places[run[0]][0] : places[run[-1]][1]]
        weight = sum(per_word[i] for i in run)
        if phrase.lower() not in seen or seen[phrase.lower()][0] < weight:
            seen[phrase.lower()] = (weight, phrase)
    return tuple(phrase for _, phrase in sorted(seen.values(), key=lambda pair: -pair[0]))


def _adjacent_runs(indexes: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


__all__ = ["MODEL_FILE", "ModelScore", "TagModel", "top_words"]
