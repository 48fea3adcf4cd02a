"""Finds what still looks personal after redaction but is not sure enough to mask on its own.

These are shown to a person in the redaction preview, who can choose to mask them too: capitalised
name-like words, a capitalised word where a name often follows, and long digit runs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from .pii_names import NOT_NAMES, fold

LONG_NUMBER = "long number"
NAME_LIKE = "name-like words"
NAME_AFTER_CUE = "name-like word after a cue"

_WORD = r"[^\W\d_][^\W\d_'’\-]+"
_NAME_PAIR_RE = re.compile(rf"(?<![\w'’\-])(?:{_WORD})(?:[ \t]+{_WORD}){{1,2}}(?![\w'’\-])")
_CUE_RE = re.compile(rf"(?i:\b(?:cc|with|from|ask|asked|told|called|contact|contacted|per|via|and)\b)"
                     rf"[ \t]+(?P<word>{_WORD})")
_LONG_NUMBER_RE = re.compile(r"(?<![\w.,:/\-])\d(?:[ \-]?\d){5,}(?![\w/]|[.,:]\d)")
_DATE_OR_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")
# Capitalised words that start sentences or name things rather than people.
COMMON_CAPITALISED = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december i im ive the this that these those there then when what why how where "
    "we our my your his her their it its if but so and or not no yes after before since until while also just "
    "please sorry thanks thank hello hi hey dear customer support team account invoice order payment card bank "
    "app api error status page login billing service pro plan free business enterprise ask call tell email send see "
    "contact reach".split()) | NOT_NAMES


class Candidate(NamedTuple):
    term: str
    reason: str
    start: int
    end: int


def candidates(text: str, masked: Iterable[tuple[int, int]] = ()) -> list[Candidate]:
    """Unsure finds in the text, leaving out anything that overlaps a span already masked."""
    taken = sorted(masked)
    found: list[Candidate] = []
    for match in _NAME_PAIR_RE.finditer(text):
        words = match.group().split()
        start = match.start()
        if len(words) > 2 and _sentence_start(text, start):  # "Ask Bartholomew Quill": the verb is not the name
            start = text.index(words[1], start + len(words[0]))
            words = words[1:]
        if all(_name_like(w) for w in words):
            found.append(Candidate(" ".join(words), NAME_LIKE, start, match.end()))
    for match in _CUE_RE.finditer(text):
        word = match.group("word")
        if _name_like(word):
            found.append(Candidate(word, NAME_AFTER_CUE, match.start("word"), match.end("word")))
    for match in _LONG_NUMBER_RE.finditer(text):
        if not _DATE_OR_TIME_RE.search(match.group()):
            found.append(Candidate(match.group(), LONG_NUMBER, match.start(), match.end()))
    return [c for c in found if not any(s < c.end and c.start < e for s, e in taken)]


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?:\n"


def _name_like(word: str) -> bool:
    # Capitalised, not shouted, not a common word: "Sarah", "O'Brien"; not "The", "API", "Monday".
    return word[0].isupper() and not word.isupper() and fold(word) not in COMMON_CAPITALISED
