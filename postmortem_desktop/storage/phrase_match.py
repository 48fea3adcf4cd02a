"""Fixed phrases in customers' own words: one rule, the same answer on a file and on a team workspace.

The rule: a message uses a phrase when the phrase occurs anywhere in its text (a substring: "missed" is in
"dismissed" too) with the case of the letters A-Z ignored, and every other character as written.

Why A-Z only. Every phrase is lower-case ASCII (`check_phrases` refuses any other), and for such a phrase folding
A-Z is all of case-insensitivity but for two compatibility letters whose lower case is ASCII (U+0130 "İ" and
U+212A, the Kelvin sign), which now match on neither engine. Folding other letters could not be made the same on
both: SQLite's LIKE and lower() fold ASCII only (more would cost a Python call per message), and PostgreSQL's
lower() follows the database's locale (ASCII only under C; glibc and ICU disagree on "İ"), which a team's server
chooses, not us. Before, PostgreSQL's LIKE did not fold at all: "Still waiting" was found in a file, not on a team
workspace.

How each engine does it, cheaply (measured over 120k messages of ~170 characters, 23 phrases):
- SQLite: its own LIKE, which ignores the case of A-Z by definition, and is SQLite's fastest substring test: it
  jumps to each candidate first letter with strcspn (0.68 s for every phrase in every message; instr() over a
  lower() made once, 1.2 s; GLOB over it, 0.95 s).
- PostgreSQL: the text lower-cased once per message under the "C" collation (which folds A-Z alone, whatever the
  database's locale), then strpos() per phrase, a Boyer-Moore-Horspool search (LIKE walks every byte; ILIKE
  lower-cases in the locale's way once per phrase: 0.8 s, 2.1 s and 8.7 s for every phrase in every message).
  The lower-casing is a function in FROM, joined LATERAL, so it runs once per row (an inline expression is
  repeated per phrase) and the scan may still be parallel (a subquery with OFFSET 0 may not).

The search index cannot narrow the scan without changing the answer: it holds whole words, and a phrase may start
or end inside one ("missed" in "dismissed", "overcharg" in "overcharged"), so only a scan finds every use.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, String, false, func, literal, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from .schema import Message

_LIKE_ESCAPE = "\\"
_Query = TypeVar("_Query", bound=Select)  # a query of any row shape


def check_phrases(phrases: Iterable[str]) -> list[str]:
    """The phrases, each checked to be lower-case ASCII and not empty (what the rule above can fold)."""
    checked = list(phrases)
    for phrase in checked:
        if not phrase or not phrase.isascii() or phrase != phrase.lower():
            raise ValueError(f"A phrase must be lower-case ASCII and not empty: {phrase!r}")
    return checked


def _like_pattern(phrase: str) -> str:
    """%phrase% with LIKE's own wildcards in the phrase taken literally."""
    escaped = "".join(_LIKE_ESCAPE + ch if ch in "%_" + _LIKE_ESCAPE else ch for ch in phrase)
    return f"%{escaped}%"


@dataclass(frozen=True)
class MessageWords:
    """A message's text as phrases are looked for in it on one engine (see the module's rule)."""

    team: bool
    folded: ColumnElement[str] | InstrumentedAttribute[str]  # the text, with A-Z lower-cased on a team workspace
    source: FromClause | None  # what a query joins to have `folded` (PostgreSQL's once-per-row lower-casing)

    def joined(self, query: _Query) -> _Query:
        """The query (over messages) with what `folded` needs."""
        return query if self.source is None else query.join(self.source, true())

    def uses_any(self, phrases: Iterable[str]) -> ColumnElement[bool]:
        """Whether the message uses one of the phrases."""
        checked = check_phrases(phrases)
        if not checked:
            return false()
        if self.team:
            return or_(*(func.strpos(self.folded, literal(p, String)) > 0 for p in checked))
        return or_(*(self.folded.like(_like_pattern(p), escape=_LIKE_ESCAPE) for p in checked))


def message_words(team: bool) -> MessageWords:
    """How phrases are found in Message.text on a team workspace (True) or a file (False)."""
    if not team:
        return MessageWords(False, Message.text, None)  # LIKE folds A-Z itself
    lowered = func.lower(Message.text.collate("C")).table_valued("words").render_derived(name="folded").lateral()
    return MessageWords(True, lowered.c.words, lowered)
