"""Finds people's names in support text: known customers in all their written variants, and unknown people
named where names typically appear (greetings, sign-offs, "my name is …").

Known names are matched on folded text (NFKD, accents and case folded, Turkish dotted/dotless i, curly
apostrophes) with a map from every folded character back to its place in the original, so a match is
always cut out of the text as written, whatever the folding did to its length.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

NAME = "name"
UNKNOWN_NAME = "unknown_name"

TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam")
MIN_FIRST_NAME_LETTERS = 3
# Letters that NFKD leaves alone but people type without their marks.
_LETTER_FOLDS = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
                               "ß": "ss", "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                               "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u00a0": " "})


# ---- folding ------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTER_FOLDS)


def fold(text: str) -> str:
    """The text as names are compared: no case, no accents, straight apostrophes."""
    return "".join(_fold_char(c) for c in text)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character it came from."""
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char) if not char.isascii() or char.isupper() or char in "`" else char
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


def _original_span(text: str, offsets: list[int], start: int, end: int) -> tuple[int, int]:
    first, last = offsets[start], offsets[end - 1] + 1
    # Combining marks fold to nothing: the ones written after the last letter belong to the name.
    while last < len(text) and unicodedata.combining(text[last]):
        last += 1
    return first, last


# ---- known names --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameTable:
    """Folded variant -> replacement; variants shared by two people are left out as ambiguous."""

    replacements: Mapping[str, str]

    def __bool__(self) -> bool:
        return bool(self.replacements)


def name_table(aliases: Mapping[str, str], *, exact: Mapping[str, str] | None = None) -> NameTable:
    """Variants of every name ("Sarah Connor": "connor, sarah", "s. connor", "ms connor", "sarah") to its alias.

    Full names always win over a variant of someone else's name; `exact` terms get no variants.
    """
    full: dict[str, str] = {}
    variants: dict[str, set[str]] = {}
    for name, alias in aliases.items():
        tokens = _tokens(name)
        if not tokens:
            continue
        full.setdefault(" ".join(tokens), alias)
        for variant in _variants(tokens):
            variants.setdefault(variant, set()).add(alias)
    for term, replacement in (exact or {}).items():
        tokens = _tokens(term)
        if tokens:
            full.setdefault(" ".join(tokens), replacement)
    table = dict(full)
    for variant, owners in variants.items():
        if len(owners) == 1 and variant not in table:
            table[variant] = next(iter(owners))
    return NameTable(table)


def _tokens(name: str) -> list[str]:
    return fold(name).replace(",", " ").split()


def _variants(tokens: list[str]) -> list[str]:
    if len(tokens) < 2:
        return []
    first, last = tokens[0], tokens[-1]
    out = [f"{last}, {first}", f"{last}, {' '.join(tokens[:-1])}", f"{first[0]} {last}", f"{first} {last}"]
    out += [f"{title} {last}" for title in TITLES]
    if len(first) >= MIN_FIRST_NAME_LETTERS and first.isalpha():
        out.append(first)
    return out


def known_name_matches(text: str, table: NameTable) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every known name or variant in the text, as written."""
    if not table:
        return []
    folded, offsets = fold_with_offsets(text)
    matches = []
    for match in _table_pattern(tuple(sorted(table.replacements, key=len, reverse=True))).finditer(folded):
        replacement = table.replacements.get(_canonical(match.group()))
        if replacement is not None:
            start, end = _original_span(text, offsets, match.start(), match.end())
            matches.append((start, end, replacement))
    return matches


def _canonical(found: str) -> str:
    return " ".join(re.sub(r"\s*,\s*", ", ", found.replace(".", " ")).split())


@lru_cache(maxsize=256)
def _table_pattern(variants: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'])(?:" + "|".join(_variant_pattern(v) for v in variants) + r")(?!\w)")


def _variant_pattern(variant: str) -> str:
    parts = []
    tokens = variant.split(" ")
    for index, token in enumerate(tokens):
        parts.append(re.escape(token))
        if index + 1 < len(tokens):
            # After an initial or a title a dot may stand for the space ("S.Connor", "Ms. Connor").
            short = len(token) == 1 or token in TITLES
            parts.append(r"(?:\.\s*|\s+)" if short else r"\s*" if token.endswith(",") else r"\s+")
    return "".join(parts)


# ---- unknown names in the places names are written ----------------------------------------------
_CAP = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)?"
_NAME = rf"(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})"
_CUE_PATTERNS = (
    # "Hi Sarah," / "Thanks, John!" / "Dear Ms Connor"
    rf"(?i:\b(?:hi|hello|hey|dear|thanks|thank\s+you|cheers|morning|good\s+(?:morning|afternoon|evening)))"
    rf"[ \t,]+(?i:(?:{'|'.join(TITLES)})\.?[ \t]+)?{_NAME}[ \t]*(?=[,!.:\n]|$)",
    # a sign-off with the name alone on the next line
    r"(?i:\b(?:thanks|thank\s+you|regards|best|cheers|sincerely|best\s+wishes|kind\s+regards|many\s+thanks|--))"
    rf"[ \t,!.]*\r?\n[ \t]*{_NAME}[ \t]*(?=\r?\n|$|[|,])",
    rf"(?i:\bmy\s+name\s+is|\bmy\s+name's|\bi\s+am|\bi'm|\bthis\s+is)[ \t]+{_NAME}(?=[ \t]+(?i:from|at|with|here)\b)",
    rf"(?i:\bmy\s+name\s+is|\bmy\s+name's)[ \t]+{_NAME}",
    rf"(?i:\b(?:spoke|speaking|talked|talking|chatted)\s+(?:to|with))[ \t]+(?i:(?:{'|'.join(TITLES)})\.?[ \t]+)?{_NAME}",
)
_CUE_RES = tuple(re.compile(p, re.MULTILINE) for p in _CUE_PATTERNS)
# Capitalised words that follow a greeting but are not people.
NOT_NAMES = frozenset(
    "all team everyone everybody there support folks guys sir madam customer customers again so very much for "
    "the a an and i we you your our it this that in on at to is was am are please again again agent billing "
    "service services help desk helpdesk friend friends both guest user admin staff morning afternoon evening "
    "again ok okay yes no hello hi hey thanks thank regards best cheers dear ms mr mrs dr".split())


def unknown_name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of names written where a name is expected, each word capitalised and none a common word."""
    spans = []
    for pattern in _CUE_RES:
        for match in pattern.finditer(text):
            words = match.group("name").split()
            # the name ends at the first word that is not capitalised or is a common word
            kept = []
            for word in words:
                # shouted words (I AM FED UP) and placeholders (XXXX) are not names
                if not word[0].isupper() or (len(word) > 2 and word.isupper()) or fold(word) in NOT_NAMES:
                    break
                kept.append(word)
            if kept:
                start = match.start("name")
                spans.append((start, _end_of_words(text, start, kept)))
    return spans


def _end_of_words(text: str, start: int, words: Iterable[str]) -> int:
    position = start
    for word in words:
        position = text.index(word, position) + len(word)
    return position
