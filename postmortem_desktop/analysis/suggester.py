"""Suggested tags with a reason and a confidence: phrase patterns, the tag model and the person's examples.

Three sources, each explainable in a support lead's words:
- a phrase pattern matched: 'the phrase “charged twice”' (confidence: how precise that tag's patterns
  were on the labelled tune part);
- the tag model passed its threshold: 'the words that weighed most: “refund”, “never came”';
- the person's own decisions: 'like 3 quotes you tagged trust-loss'; a message close to suggestions
  the person dismissed does not get that tag again.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.vocabulary import Role
from .example_memory import Evidence, ExampleMemory
from .tag_model import ModelScore, TagModel
from .tagger import Tagger

#: tags about how agents worded things: suggested on agents' messages only
AGENT_ONLY_TAGS = frozenset({"calming-wording", "worsening-wording"})
#: below this confidence a suggestion is "low confidence" (the board and reader can hide those)
LOW_CONFIDENCE = 0.7
#: confirmed neighbours must add up to this similarity for a suggestion on examples alone
EXAMPLE_MIN_SCORE = 0.4
#: each unit of example evidence moves the model's log-odds by this much
EXAMPLE_LOGIT_WEIGHT = 3.0
#: a pattern's confidence when the model file does not say how precise that tag's patterns were
DEFAULT_PATTERN_CONFIDENCE = 0.8
#: with this many confirmed examples of a tag, the workspace sets its own threshold for that tag ...
MIN_CONFIRMED_FOR_THRESHOLD = 5
#: ... at this quantile of the model's probabilities for those examples: half of what the person
#: tagged would have been suggested
WORKSPACE_QUANTILE = 0.5


@dataclass(frozen=True)
class Suggestion:
    """A proposed tag: `phrase` is the short evidence for a badge, `reason` says why in a sentence.

    start/end locate `phrase` in the text when it is one span of it (a matched pattern), else -1.
    """

    tag: str
    phrase: str
    start: int = -1
    end: int = -1
    confidence: float = 1.0
    reason: str = ""
    basis: str = "phrase"  # "phrase", "words" or "examples"

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


@dataclass
class Suggester:
    """Combines the three sources for one workspace; `memory` grows as the person decides."""

    patterns: Tagger
    model: TagModel | None = None
    memory: ExampleMemory = field(default_factory=ExampleMemory)
    _thresholds: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _thresholds_for: int = field(default=-1, init=False, repr=False)

    def workspace_thresholds(self) -> dict[str, float]:
        """Per tag with enough confirmed examples: the threshold this workspace's examples imply.

        The shipped thresholds are set for precision across many companies; a support lead who has
        tagged five messages of a kind has shown what that tag looks like here, so a tag reaches
        messages the model rates as highly as the median of those examples.
        """
        if self.model is None or self._thresholds_for == len(self.memory):
            return self._thresholds
        probabilities: dict[str, list[float]] = {}
        for example in self.memory.confirmed_examples():
            for score in self.model.score(example.text, None, explain=False):
                if score.tag == example.tag:
                    probabilities.setdefault(example.tag, []).append(score.probability)
        self._thresholds = {tag: sorted(values)[int(len(values) * (1 - WORKSPACE_QUANTILE))]
                            for tag, values in probabilities.items() if len(values) >= MIN_CONFIRMED_FOR_THRESHOLD}
        self._thresholds_for = len(self.memory)
        return self._thresholds

    def suggest(self, text: str, role: str | None = None) -> list[Suggestion]:
        """Suggestions for one message or quote, by position of their evidence (pattern matches first)."""
        allowed = self._allowed(role)
        scores = {s.tag: s for s in self.model.score(text, role)} if self.model is not None else {}
        for tag, threshold in self.workspace_thresholds().items():
            score = scores.get(tag)
            if score is not None and threshold < score.threshold:
                scores[tag] = self.model.rescore(text, role, score, threshold)  # type: ignore[union-attr]
        evidence = self.memory.evidence(text) if len(self.memory) else {}
        found: dict[str, Suggestion] = {}
        for match in self.patterns.suggest(text):
            if allowed(match.tag):
                confidence = max(self._pattern_confidence(match.tag), _confidence(scores.get(match.tag)))
                found[match.tag] = Suggestion(match.tag, match.phrase, match.start, match.end, confidence,
                                              f"the phrase “{match.phrase}”", "phrase")
        for tag in set(scores) | set(evidence):
            if tag in found or not allowed(tag):
                continue
            score, seen = scores.get(tag), evidence.get(tag)
            if seen is None and (score is None or score.probability < score.threshold):
                continue  # neither the model nor the person's examples have anything to say: the common case
            made = _from_model_and_examples(score, seen, tag)
            if made is not None:
                found[tag] = made
        return sorted((s for s in found.values() if not _dismissed_nearby(evidence.get(s.tag))),
                      key=lambda s: (s.start < 0, s.start, -s.confidence, s.tag))

    def _pattern_confidence(self, tag: str) -> float:
        measured = self.model.pattern_precision.get(tag) if self.model is not None else None
        return measured if measured is not None else DEFAULT_PATTERN_CONFIDENCE

    @staticmethod
    def _allowed(role: str | None) -> Callable[[str], bool]:
        if role is None or role == Role.AGENT.value:
            return lambda tag: True
        return lambda tag: tag not in AGENT_ONLY_TAGS


def _probability(score: ModelScore | None) -> float:
    return score.probability if score is not None else 0.0


def _confidence(score: ModelScore | None) -> float:
    return score.confidence if score is not None else 0.0


def _from_model_and_examples(score: ModelScore | None, evidence: Evidence | None, tag: str) -> Suggestion | None:
    """The model's verdict moved by the person's examples; None when neither is convincing."""
    lift = evidence.score if evidence is not None else 0.0
    if score is not None and score.threshold < 1.0:
        probability = _sigmoid(_logit(score.probability) + EXAMPLE_LOGIT_WEIGHT * lift)
        confidence = max(score.confidence, _sigmoid(_logit(score.confidence) + EXAMPLE_LOGIT_WEIGHT * lift))
        if probability >= score.threshold and (lift <= 0 or evidence is None or evidence.confirmed == 0):
            return _words_suggestion(tag, score, confidence)
        if probability >= score.threshold:
            return _examples_suggestion(tag, evidence, confidence)  # type: ignore[arg-type]
    if evidence is not None and evidence.confirmed and evidence.score >= EXAMPLE_MIN_SCORE:
        confidence = max(_confidence(score), min(0.95, 0.5 + evidence.best / 2))
        return _examples_suggestion(tag, evidence, confidence)
    return None


def _words_suggestion(tag: str, score: ModelScore, confidence: float) -> Suggestion:
    words = score.words
    quoted = ", ".join(f"“{w}”" for w in words)
    reason = f"the words that weighed most: {quoted}" if words else "the message as a whole"
    return Suggestion(tag, ", ".join(words), -1, -1, confidence, reason, "words")


def _examples_suggestion(tag: str, evidence: Evidence, confidence: float) -> Suggestion:
    count = evidence.confirmed
    reason = f"like {count} quote{'s' if count != 1 else ''} you tagged {tag}"
    return Suggestion(tag, reason, -1, -1, confidence, reason, "examples")


def _dismissed_nearby(evidence: Evidence | None) -> bool:
    """The person said no to this tag on something close, and said yes to nothing closer."""
    return evidence is not None and evidence.dismissed > 0 and evidence.score < 0


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


__all__ = ["AGENT_ONLY_TAGS", "LOW_CONFIDENCE", "Suggester", "Suggestion"]
