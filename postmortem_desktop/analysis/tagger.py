"""Suggests customer-harm tags for a message from phrase patterns, skipping negated phrases."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from postmortem_desktop.analysis.phrase_patterns import (
    VARIANTS_KEY,
    compile_pattern_regex,
    first_words,
    load_pattern_file,
    merge_patterns,
    tag_names,
    validate_patterns,
)
from postmortem_desktop.resources import resource_path

__all__ = ["TagSuggestion", "Tagger", "load_pattern_file", "is_negated"]

PATTERN_FILE = "tag_patterns.json"
NEGATION_WINDOW_WORDS = 5
_LOOKBACK_CHARS = 80

# "can't"/"couldn't" are left out on purpose: they state inability ("I can't tell if it went
# through"), not that the phrase is false.
NEGATION_CUES = frozenset(
    {
        "not", "no", "never", "nor", "neither", "without", "none", "nothing", "nobody",
        "isnt", "wasnt", "arent", "werent", "dont", "doesnt", "didnt", "havent", "hasnt",
        "hadnt", "wont", "wouldnt", "shouldnt", "aint",
    }
)
# A cue followed by one of these expresses doubt, not denial: "not sure if", "don't know if".
PSEUDO_NEGATION_NEXT = frozenset(
    {"know", "sure", "idea", "certain", "clear", "tell", "understand", "only", "just", "even", "knowing",
     "worry", "worried", "panic"}
)
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\n\u2014]|\b(?:but|however|though|although|yet|so)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'\u2019]+")
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_MESSAGE_WORD = re.compile(r"\w[\w'\u2019\u2018`\u00b4]*")
_STARTING_CACHE_LIMIT = 200_000
_PLAIN: dict[str, str] = {}


def _plain_word(raw: str) -> str:
    """Lower case without apostrophes, cached per spelling as written."""
    word = _PLAIN.get(raw)
    if word is None:
        if len(_PLAIN) >= _STARTING_CACHE_LIMIT:
            _PLAIN.clear()
        word = _PLAIN[raw] = _APOSTROPHES.sub("", raw).lower()
    return word


@dataclass(frozen=True)
class TagSuggestion:
    """A tag the engine proposes; `phrase` is text[start:end], the span that triggered it."""

    tag: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class _CompiledPattern:
    tag: str
    regex: re.Pattern[str]


class Tagger:
    """Holds compiled patterns indexed by anchor word and suggests at most one occurrence per tag."""

    def __init__(
        self,
        tags: Sequence[str],
        patterns: Mapping[str, Sequence[str]],
        variants: Mapping[str, Sequence[str]],
    ) -> None:
        self._tags = tuple(tags)
        self._by_word: dict[str, list[_CompiledPattern]] = {}
        self._by_prefix: dict[str, list[_CompiledPattern]] = {}
        self._always: list[_CompiledPattern] = []
        self._prefix_lengths: tuple[int, ...] = ()
        for tag in self._tags:
            for pattern in dict.fromkeys(patterns[tag]):
                self._index(_CompiledPattern(tag, compile_pattern_regex(pattern, variants, tag=tag)), pattern, variants)
        self._prefix_lengths = tuple(sorted({len(prefix) for prefix in self._by_prefix}))
        # word -> the patterns that may start at it: the same words come back in every message
        self._starting: dict[str, tuple[_CompiledPattern, ...]] = {}
        # the same, keyed by the word as written ("Refund", "didn't"): one look-up per word of a message
        self._starting_raw: dict[str, tuple[_CompiledPattern, ...]] = {}

    def _index(self, compiled: _CompiledPattern, pattern: str, variants: Mapping[str, Sequence[str]]) -> None:
        anchors = first_words(pattern, variants)
        if anchors is None:
            self._always.append(compiled)
            return
        for word, is_prefix in anchors:
            if is_prefix:
                self._by_prefix.setdefault(word, []).append(compiled)
            else:
                self._by_word.setdefault(word, []).append(compiled)

    @classmethod
    def from_patterns(
        cls,
        patterns: Mapping[str, Sequence[str]] | None = None,
        *,
        extra: Mapping[str, Sequence[str]] | None = None,
    ) -> Tagger:
        """Build from a pattern mapping (None: the shipped resources/tag_patterns.json) plus extras."""
        base = load_pattern_file(resource_path(PATTERN_FILE)) if patterns is None else validate_patterns(patterns)
        merged = merge_patterns(base, validate_patterns(extra) if extra else None)
        variants: dict[str, list[str]] = merged.get(VARIANTS_KEY, {})
        tags = [tag for tag in tag_names(merged) if merged[tag]]
        return cls(tags, merged, variants)

    @property
    def tags(self) -> tuple[str, ...]:
        """Every tag this tagger can suggest, in pattern-file order."""
        return self._tags

    def suggest(self, text: str) -> list[TagSuggestion]:
        """At most one suggestion per tag (its first non-negated phrase), ordered by position."""
        best: dict[str, TagSuggestion] = {}
        for compiled in self._always:
            for match in compiled.regex.finditer(text):
                if not is_negated(text, match.start()):
                    self._keep(best, compiled.tag, match)
                    break
        for start, starting in self._word_starts(text):
            for compiled in starting:
                if compiled.tag in best and best[compiled.tag].start < start:
                    continue  # words are visited in order, so a later phrase cannot come first
                found = compiled.regex.match(text, start)
                if found and not is_negated(text, start):
                    self._keep(best, compiled.tag, found)
        return sorted(best.values(), key=lambda s: (s.start, s.end, s.tag))

    @staticmethod
    def _keep(best: dict[str, TagSuggestion], tag: str, match: re.Match[str]) -> None:
        current = best.get(tag)
        if current is None or (match.start(), -match.end()) < (current.start, -current.end):
            best[tag] = TagSuggestion(tag, match.group(), match.start(), match.end())

    def _word_starts(self, text: str) -> list[tuple[int, tuple[_CompiledPattern, ...]]]:
        """(start, the patterns that may start there) for the words of the message that begin some pattern."""
        cached = self._starting_raw
        found = []
        for m in _MESSAGE_WORD.finditer(text):
            raw = m.group()
            starting = cached.get(raw)
            if starting is None:
                if len(cached) >= _STARTING_CACHE_LIMIT:
                    cached.clear()
                starting = cached[raw] = self._patterns_starting_with(_plain_word(raw))
            if starting:
                found.append((m.start(), starting))
        return found

    def _patterns_starting_with(self, word: str) -> tuple[_CompiledPattern, ...]:
        # Patterns are tried only where their first word starts, instead of at every character.
        found = self._starting.get(word)
        if found is None:
            matched = list(self._by_word.get(word, ()))
            for length in self._prefix_lengths:
                if length <= len(word):
                    matched.extend(self._by_prefix.get(word[:length], ()))
            found = tuple(matched)
            if len(self._starting) >= _STARTING_CACHE_LIMIT:
                self._starting.clear()
            self._starting[word] = found
        return found


def is_negated(text: str, start: int) -> bool:
    """True when a negation cue sits within a few words before `start`, in the same clause."""
    before = text[max(0, start - _LOOKBACK_CHARS) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    words = [_normalise(w) for w in _WORD.findall(before)][-NEGATION_WINDOW_WORDS:]
    for index, word in enumerate(words):
        if word in NEGATION_CUES:
            following = words[index + 1] if index + 1 < len(words) else ""
            if following not in PSEUDO_NEGATION_NEXT:
                return True
    return False


def _normalise(word: str) -> str:
    return word.lower().replace("'", "").replace("\u2019", "")
