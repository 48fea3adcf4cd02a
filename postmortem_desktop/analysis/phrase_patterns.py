"""Reads, validates and compiles the phrase-pattern language of the suggested-tags engine."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

VARIANTS_KEY = "_variants"
GAP_TOKEN = "..."
GAP_MAX_WORDS = 4

# Hyphens count as spaces so "double-charged" matches the pattern "double charged".
_SEPARATOR = r"[,:;]?[\s\-_]+"
_APOSTROPHE = "['\u2019\u2018`\u00b4]?"
# A gap does not cross a comma, so "I lost my temper, the invoices" is not one phrase.
_GAP = r"(?:[\s\-_]+" r"[^\s.,;!?]+){0," + str(GAP_MAX_WORDS) + r"}?"
_TOKEN_RE = re.compile(r"\[[^\]]+\]|\S+")
_WORD_CHARS = re.compile(r"^[\w'\u2019*~|\-$£€#@&%+]+$")
_VOWELS = set("aeiou")


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message names the tag and the pattern."""


def load_pattern_file(path: str | Path) -> dict[str, list[str]]:
    """Read a tag-pattern JSON file, check its shape, and return tag -> patterns (plus `_variants`)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"tag pattern file not found: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"tag pattern file {path} is not valid UTF-8 JSON: {exc}") from None
    try:
        return validate_patterns(raw)
    except ValueError as exc:
        raise ValueError(f"tag pattern file {path}: {exc}") from None


def validate_patterns(raw: object) -> dict[str, list[str]]:
    """Check a decoded pattern mapping; keys starting with '_' are notes, except `_variants`."""
    if not isinstance(raw, Mapping):
        raise ValueError("the top level must be an object mapping tag names to lists of patterns")
    result: dict[str, list[str]] = {}
    for tag, patterns in raw.items():
        if tag == VARIANTS_KEY:
            # the one entry of the other shape (word -> spellings), as merge_patterns explains
            result[tag] = _validate_variants(patterns)  # type: ignore[assignment]
            continue
        if tag.startswith("_"):
            continue
        _validate_tag_name(tag)
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError(f"tag {tag!r} must map to a list of pattern strings")
        for pattern in patterns:
            compile_phrase(pattern, {}, tag=tag)  # raises PatternError naming the pattern
        result[tag] = list(patterns)
    return result


def _validate_tag_name(tag: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", tag):
        raise ValueError(f"tag name {tag!r} must be lower-case letters, digits and hyphens")


def _validate_variants(raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{VARIANTS_KEY!r} must map a word to a list of its spellings")
    for word, spellings in raw.items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) and s.strip() for s in spellings):
            raise ValueError(f"{VARIANTS_KEY!r} entry {word!r} must be a list of non-empty strings")
    return {str(word).lower(): [s.lower() for s in spellings] for word, spellings in raw.items()}


def compile_pattern_regex(pattern: str, variants: Mapping[str, Sequence[str]], *, tag: str = "?") -> re.Pattern[str]:
    """One pattern as a case-insensitive regex anchored at word edges."""
    body = compile_phrase(pattern, variants, tag=tag)
    return re.compile(r"(?<![\w'\u2019])(?:" + body + r")(?!\w)", re.IGNORECASE)


def first_words(pattern: str, variants: Mapping[str, Sequence[str]]) -> list[tuple[str, bool]] | None:
    """Words (lower-case, no apostrophes; flag True = prefix) that a match of the pattern starts with.

    The tagger tries a pattern only where one of these words begins, which keeps tagging fast.
    None means the first word has symbols that split differently in text, so the pattern is
    searched for everywhere instead.
    """
    first = _TOKEN_RE.findall(pattern.strip().lower())[0]
    return _anchor_forms(first, variants)


def _anchor_forms(token: str, variants: Mapping[str, Sequence[str]]) -> list[tuple[str, bool]] | None:
    forms: list[tuple[str, bool]] = []
    for alternative in token.split("|"):
        if alternative.endswith("*"):
            candidates = [(alternative[:-1], True)]
        elif alternative.endswith("~"):
            candidates = [(form, False) for form in inflections(alternative[:-1])]
        else:
            candidates = [(s.split()[0], False) for s in [alternative, *variants.get(alternative, ())]]
        for word, is_prefix in candidates:
            word = re.sub(r"['\u2019]", "", word)
            if not word or not re.fullmatch(r"\w+", word):
                return None  # hyphens or symbols split differently in text; not a safe anchor
            forms.append((word, is_prefix))
    return forms


def compile_phrase(pattern: str, variants: Mapping[str, Sequence[str]], *, tag: str = "?") -> str:
    """Regex body (no anchors) for one pattern; see `_help` in resources/tag_patterns.json."""
    tokens = _TOKEN_RE.findall(pattern.strip().lower())
    if not tokens:
        raise PatternError(f"tag {tag!r}: empty pattern")
    if tokens[0].startswith("[") or tokens[0] == GAP_TOKEN:
        raise PatternError(f"tag {tag!r}: pattern {pattern!r} must start with a required word")
    if tokens[-1] == GAP_TOKEN:
        raise PatternError(f"tag {tag!r}: pattern {pattern!r} must not end with '...'")
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if token == GAP_TOKEN:
            parts.append(_GAP)
            continue
        optional = token.startswith("[")
        body = _token_regex(token[1:-1] if optional else token, variants, tag=tag, pattern=pattern)
        joined = body if index == 0 else _SEPARATOR + body
        parts.append(f"(?:{joined})?" if optional else joined)
    return "".join(parts)


def _token_regex(token: str, variants: Mapping[str, Sequence[str]], *, tag: str, pattern: str) -> str:
    alternatives = [a for a in token.split("|")]
    if any(not a or not _WORD_CHARS.match(a) for a in alternatives):
        raise PatternError(f"tag {tag!r}: pattern {pattern!r} has a malformed word {token!r}")
    forms: list[str] = []
    for alternative in alternatives:
        forms.extend(_alternative_regexes(alternative, variants))
    unique = sorted(set(forms), key=len, reverse=True)
    return unique[0] if len(unique) == 1 else "(?:" + "|".join(unique) + ")"


def _alternative_regexes(word: str, variants: Mapping[str, Sequence[str]]) -> list[str]:
    if word.endswith("*"):
        return [_literal(word[:-1]) + r"\w*"]
    if word.endswith("~"):
        return [_literal(form) for form in inflections(word[:-1])]
    spellings = [word, *variants.get(word, ())]
    return [_multiword(s) for s in spellings]


def _multiword(spelling: str) -> str:
    return _SEPARATOR.join(_literal(part) for part in spelling.split())


def _literal(word: str) -> str:
    # Apostrophes become optional and any style, so "dont", "don't" and "don’t" all match.
    pieces = re.split(r"['\u2019]", word)
    return _APOSTROPHE.join(re.escape(p) for p in pieces)


def inflections(word: str) -> list[str]:
    """Common English inflections of a base word: charge -> charges, charged, charging."""
    forms = {word, word + "s"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    elif word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    else:
        forms |= {word + "ed", word + "ing"}
        if word.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(word + "es")
        if _doubles_final_consonant(word):
            forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return sorted(forms)


def _doubles_final_consonant(word: str) -> bool:
    # stop -> stopped; short consonant-vowel-consonant words only, to keep the guess safe.
    if len(word) < 3 or len(word) > 4:
        return False
    a, b, c = word[-3], word[-2], word[-1]
    return a not in _VOWELS and b in _VOWELS and c not in _VOWELS and c not in "wxy"


def merge_patterns(base: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Base patterns plus a workspace's additions; extra tags are new tags, extra variants merge.

    Each tag maps to a list of patterns, except VARIANTS_KEY, which maps a word to its spellings:
    one JSON object of two shapes, hence Any.
    """
    merged: dict[str, Any] = {tag: (dict(p) if tag == VARIANTS_KEY else list(p)) for tag, p in base.items()}
    for tag, patterns in (extra or {}).items():
        if tag == VARIANTS_KEY:
            variants: dict[str, list[str]] = dict(merged.get(VARIANTS_KEY, {}))
            for word, spellings in patterns.items():
                variants[word] = [*variants.get(word, []), *spellings]
            merged[VARIANTS_KEY] = variants
        elif not tag.startswith("_"):
            merged[tag] = [*merged.get(tag, []), *patterns]
    return merged


def tag_names(patterns: Mapping[str, object]) -> Iterable[str]:
    """The real tags in a pattern mapping, skipping notes and variants."""
    return (tag for tag in patterns if not tag.startswith("_"))
