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
    if unicodedata.category(char) == "Cf":  # a soft hyphen or zero-width space hidden inside a name
        return ""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTER_FOLDS)


def fold(text: str) -> str:
    """The text as names are compared: no case, no accents, straight apostrophes."""
    if text.isascii():
        return text.lower().replace("`", "'")
    return "".join(_fold_char(c) for c in text)


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, the index of the original character it came from
    (None when folding kept every character in its place, as it does for ASCII)."""
    if text.isascii():
        return fold(text), None
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


def _original_span(text: str, offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if offsets is None:
        return start, end
    first, last = offsets[start], offsets[end - 1] + 1
    # Combining marks fold to nothing: the ones written after the last letter belong to the name.
    while last < len(text) and unicodedata.combining(text[last]):
        last += 1
    return first, last


# ---- known names --------------------------------------------------------------------------------
# A word may hold hyphens and apostrophes (Anne-Marie, O'Brien) but a possessive 's is not part of it.
_TOKEN_RE = re.compile(r"\w+(?:[-']\w+)*|[,.]")
_MAX_TOKENS = 6


@dataclass(frozen=True)
class NameTable:
    """Folded variant (a tuple of words and commas) -> replacement; variants two people share are left out."""

    replacements: Mapping[tuple[str, ...], str]
    longest: int = 1
    #: the words a variant can start with: most words of a text are not one, and are skipped at once
    first_words: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.replacements)


def name_table(aliases: Mapping[str, str], *, exact: Mapping[str, str] | None = None) -> NameTable:
    """Variants of every name ("Sarah Connor": "connor, sarah", "s. connor", "ms connor", "sarah") to its alias.

    Full names always win over a variant of someone else's name; `exact` terms get no variants.
    """
    full: dict[tuple[str, ...], str] = {}
    variants: dict[tuple[str, ...], set[str]] = {}
    for name, alias in aliases.items():
        words = _words(name)
        if words:
            full.setdefault(words, alias)
            for variant in _variants(list(words)):
                variants.setdefault(variant, set()).add(alias)
    for term, replacement in (exact or {}).items():
        words = _tokens(fold(term))
        if words:
            full.setdefault(words, replacement)
    table = dict(full)
    for variant, owners in variants.items():
        if len(owners) == 1 and variant not in table:
            table[variant] = next(iter(owners))
    table = {k: v for k, v in table.items() if len(k) <= _MAX_TOKENS}
    return NameTable(table, max((len(k) for k in table), default=1), frozenset(k[0] for k in table))


def _words(name: str) -> tuple[str, ...]:
    return tuple(t for t in _tokens(fold(name)) if t not in (",", "."))


def _variants(words: list[str]) -> list[tuple[str, ...]]:
    if len(words) < 2:
        return []
    first, last = words[0], words[-1]
    out = [(last, ",", first), (last, ",", *words[:-1]), (first[0], last), (first, last)]
    out += [(title, last) for title in TITLES]
    if len(first) >= MIN_FIRST_NAME_LETTERS and first.isalpha():
        out.append((first,))
    return out


# What follows a name after an apostrophe without being part of it: the English possessive, and the
# case endings Turkish writes after proper names (Yılmaz'ın, Ayşe'ye, Kaya'dan). Folded letters, so
# a letter that folds to an apostrophe (ŉ -> 'n) does not look like one.
_ENDINGS = frozenset(
    "s a e i u in un an en nin nun nin ya ye yi yu yla yle da de ta te dan den tan ten la le na ne ni nu".split())


def _is_ending(suffix: str) -> bool:
    return suffix in _ENDINGS


def _tokens(folded: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in _token_spans(folded))


def _token_spans(folded: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for match in _TOKEN_RE.finditer(folded):
        token = match.group()
        head, apostrophe, suffix = token.rpartition("'")
        # a possessive or a case ending after an apostrophe is not part of the name: Connor's is Connor,
        # Yılmaz'ın is Yılmaz; a short head keeps it (O'Brien, D'Angelo, Ba'al)
        if apostrophe and len(head) >= 3 and _is_ending(suffix):
            out.append((head, match.start(), match.start() + len(head)))
            continue
        # a dot after an initial or a title stands for nothing ("S. Connor", "Ms. Connor")
        if token == "." and out and (len(out[-1][0]) == 1 or out[-1][0] in TITLES):
            continue
        out.append((token, match.start(), match.end()))
    return out


def known_name_matches(text: str, table: NameTable) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every known name or variant in the text, as written, longest first."""
    if not table:
        return []
    folded, offsets = fold_with_offsets(text)
    # most texts name nobody: one C-speed pass
    if table.first_words.isdisjoint(w.removesuffix("'s") for w in _TOKEN_RE.findall(folded)):
        return []
    tokens = _token_spans(folded)
    words = [t for t, _, _ in tokens]
    matches = []
    index = 0
    while index < len(tokens):
        if words[index] not in table.first_words:
            index += 1
            continue
        for length in range(min(table.longest, len(tokens) - index), 0, -1):
            replacement = table.replacements.get(tuple(words[index:index + length]))
            if replacement is not None:
                start, end = _original_span(text, offsets, tokens[index][1], tokens[index + length - 1][2])
                matches.append((start, end, replacement))
                index += length
                break
        else:
            index += 1
    return matches


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
    rf"(?i:\b(?:spoke|speaking|talked|talking|chatted)\s+(?:to|with))"
    rf"[ \t]+(?i:(?:{'|'.join(TITLES)})\.?[ \t]+)?{_NAME}",
)
_CUE_RES = tuple(re.compile(p, re.MULTILINE) for p in _CUE_PATTERNS)
_ANY_CUE_RE = re.compile(r"(?i:\b(?:hi|hello|hey|dear|thanks|thank|cheers|morning|good|regards|best|sincerely|"
                         r"wishes|my\s+name|i\s+am|i'm|this\s+is|spoke|speaking|talked|talking|chatted)\b|--)")
# Capitalised words that follow a greeting but are not people.
NOT_NAMES = frozenset(
    "all team everyone everybody there support folks guys sir madam customer customers again so very much for "
    "the a an and i we you your our it this that in on at to is was am are please again again agent billing "
    "service services help desk helpdesk friend friends both guest user admin staff morning afternoon evening "
    "again ok okay yes no hello hi hey thanks thank regards best cheers dear ms mr mrs dr".split())


def unknown_name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of names written where a name is expected, each word capitalised and none a common word."""
    if not _ANY_CUE_RE.search(text):  # one pass to rule out the many texts with no cue at all
        return []
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
