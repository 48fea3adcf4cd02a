"""The separators a team workspace's search splits words at are FTS5's own, measured again on the SQLite in use.

storage/word_separators.py froze them (the team's GIN indexes are built over them); if a later SQLite's FTS5
split words elsewhere, a file and a team workspace would find different things again, and this says so.
"""
from __future__ import annotations

import re
import sqlite3

from postmortem_desktop.storage.word_separators import SEPARATOR_RANGES, separators_pattern

_SURROGATES = range(0xD800, 0xE000)  # not characters: no text holds them


def _fts5_separators() -> set[int]:
    """Every code point c for which FTS5 (the file's tokenizer, migrations.SEARCH_DDL) reads "a" + c + "b" as
    the two words "a" and "b"."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE words USING fts5vocab(t, 'instance')")
    conn.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)",
                     ((cp, f"a{chr(cp)}b") for cp in range(0x110000) if cp not in _SURROGATES))
    read: dict[int, list[tuple[int, str]]] = {}
    for term, doc, offset in conn.execute("SELECT term, doc, offset FROM words"):
        read.setdefault(doc, []).append((offset, term))
    return {cp for cp, terms in read.items() if [term for _offset, term in sorted(terms)] == ["a", "b"]}


def test_the_frozen_separators_are_those_fts5_splits_words_at():
    frozen = {cp for first, last in SEPARATOR_RANGES for cp in range(first, last + 1)}
    assert frozen == _fts5_separators()
    # the ones the team's search most needs: spaces, punctuation, emoji, and Thai and Devanagari vowel marks
    assert {ord(" "), ord("@"), ord("-"), 0x1F600, 0x0E34, 0x093E} <= frozen
    # and what FTS5 keeps in a word (letters, digits) or drops from it (a Latin accent's combining mark)
    assert not {ord("a"), ord("7"), ord("é"), 0x0E01, 0x0915, 0x0301} & frozen


def test_the_ranges_are_in_order_and_apart_so_the_pattern_is_the_shortest():
    assert all(first <= last for first, last in SEPARATOR_RANGES)
    assert all(last + 1 < following
               for (_first, last), (following, _last) in zip(SEPARATOR_RANGES, SEPARATOR_RANGES[1:], strict=False))
    # PostgreSQL's escapes (\\uXXXX, \\UXXXXXXXX) are Python's too: the same runs become one space
    separators = re.compile(separators_pattern())
    split = separators.sub(" ", "ana@example.com 😀 ไม่มีใบเสร็จ café-au-lait")
    assert split == "ana example com ไม ม ใบเสร จ café au lait"
