"""Finds and redacts personal data in support text: one entry point over the number, name and address detectors.

What is found, and the mask each kind gets, is defined here once; `pii_numbers` and `pii_names` do the
finding. The report's Redactor, the redaction preview and the tests all go through `spans()`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stdnum import luhn

from . import pii_names, pii_numbers
from .pii_names import NAME, UNKNOWN_NAME, NameTable
from .pii_numbers import CARD, CARD_LAST4, DATE_OF_BIRTH, IBAN, IP_ADDRESS, PHONE, SSN

MASK = "\u2022\u2022\u2022"
CARD_MASK = "\u2022\u2022\u2022\u2022"

EMAIL = "email"
HANDLE = "handle"
ADDRESS = "address"
EXTRA_TERM = "extra_term"  # a term a person asked to mask in the redaction preview

__all__ = ["ADDRESS", "CARD", "CARD_LAST4", "DATE_OF_BIRTH", "EMAIL", "EXTRA_TERM", "HANDLE", "IBAN", "IP_ADDRESS",
           "NAME", "PHONE", "SSN", "UNKNOWN_NAME", "KIND_LABELS", "PiiSpan", "find_pii", "redact", "spans",
           "default_alias", "luhn_valid", "names_table"]

#: what each kind is called where people read it (the redaction preview)
KIND_LABELS = {
    NAME: "customer names", UNKNOWN_NAME: "other people's names", EMAIL: "email addresses", PHONE: "phone numbers",
    CARD: "card numbers", CARD_LAST4: "card last-four digits", IBAN: "bank accounts (IBAN)", SSN: "US SSNs",
    IP_ADDRESS: "IP addresses", DATE_OF_BIRTH: "dates of birth", ADDRESS: "street addresses",
    HANDLE: "@handles", EXTRA_TERM: "terms you asked to mask",
}
_FIXED_MASKS = {PHONE: "[phone]", CARD_LAST4: CARD_MASK, IBAN: "[IBAN]", SSN: "[SSN]", IP_ADDRESS: "[IP address]",
                DATE_OF_BIRTH: "[date of birth]", ADDRESS: "[address]", HANDLE: f"@{MASK}", UNKNOWN_NAME: "[name]",
                EXTRA_TERM: "[redacted]"}

# The @ may be full-width (＠, ﹫) or spaced on both sides ("john @ example.com"; one space only is an
# @handle after a word), and a zero-width space or a soft hyphen may hide inside the domain (all found
# by the adversarial re-check).
_AT_SIGNS = "@\uff20\ufe6b"
_HIDDEN = "\u200b\u200c\u200d\u00ad"
_EMAIL_RE = re.compile(
    r"(?<![\w.+\-])(?:\"[^\"\n]{1,64}\"|[\w!#$%&'*+/=?^`{|}~\-][\w.!#$%&'*+/=?^`{|}~\-]*)"
    rf"(?:[ \t][{_AT_SIGNS}][ \t]|[{_AT_SIGNS}])"
    rf"(?:localhost\b|(?:[\w\-{_HIDDEN}]+\.)+[^\W\d_]{{2,}}\b|\[[0-9A-Fa-f.:]+\])")
_AT = r"(?:\s*[\[({]\s*at\s*[\])}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({]\s*dot\s*[\])}]\s*|\s+dot\s+)"
_OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.])(?P<local>\w[\w.+\-]*){_AT}(?P<domain>[\w\-]+(?:(?:{_DOT}|\.)[\w\-]+)*?(?:{_DOT}|\.)"
    r"(?:com|org|net|io|co|uk|de|fr|nl|edu|gov|info|biz|me|us|ca|au|ie|es|it))\b", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<![\w@./+\-])@[^\W_\d]?\w(?:[\w.\-]*\w)?")
# Title case only: "close", "way" and "walk" in running text are words, "Close" after a house number a street.
_STREET_WORDS = ("Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way|Close|Terrace"
                 "|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Grove|Mews|Walk|Hill|Strasse|Straße")
_ADDRESS_RE = re.compile(
    r"(?:(?i:flat|apt|apartment|unit|suite)\.?[ \t]*#?\d+\w?,?[ \t]+)?"
    r"(?<![\w#/$.\-])\d{1,5}[A-Za-z]?,?[ \t]+(?:[A-Z][\w'’\-]*\.?[ \t]+){1,3}"
    rf"(?:{_STREET_WORDS})\b\.?"
    r"(?:,?[ \t]+(?i:apt|apartment|suite|unit|flat|floor)\.?[ \t]*#?\w+)?")

_STREET_WORD_RE = re.compile(rf"\b(?:{_STREET_WORDS})\b")
_AT_WORD_RE = re.compile(r"(?i:\bat\b)")


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: its kind, where it sits in the text, and what replaces it."""

    kind: str
    start: int
    end: int
    replacement: str = ""


def spans(text: str, names: NameTable | None = None, extra: NameTable | None = None) -> list[PiiSpan]:
    """Every piece of personal data in the text, ordered and without overlaps, each with its replacement."""
    if not text:
        return []
    found: list[PiiSpan] = []
    # Names first: on a tie the known customer's alias beats a generic mask.
    if extra:
        found += [PiiSpan(EXTRA_TERM, s, e, r) for s, e, r in pii_names.known_name_matches(text, extra)]
    if names:
        found += [PiiSpan(NAME, s, e, r) for s, e, r in pii_names.known_name_matches(text, names)]
    found += [PiiSpan(UNKNOWN_NAME, s, e) for s, e in pii_names.unknown_name_spans(text)]
    if any(sign in text for sign in _AT_SIGNS):
        found += [PiiSpan(EMAIL, m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]
    if _AT_WORD_RE.search(text):  # written-out emails ("janet at example dot com") need the word "at"
        found += [PiiSpan(EMAIL, m.start(), m.end()) for m in _OBFUSCATED_EMAIL_RE.finditer(text)]
    found += [PiiSpan(f.kind, f.start, f.end) for f in pii_numbers.all_numbers(text)]
    if "@" in text:
        found += [PiiSpan(HANDLE, m.start(), m.end()) for m in _HANDLE_RE.finditer(text)]
    if _STREET_WORD_RE.search(text):  # cheap test first: most texts name no street
        found += [PiiSpan(ADDRESS, m.start(), m.end()) for m in _ADDRESS_RE.finditer(text)]
    return [_with_replacement(s, text) for s in _without_overlaps(found)]


def names_table(known_names: Iterable[str] = (), aliases: Mapping[str, str] | None = None,
                organizations: Mapping[str, str] | None = None) -> NameTable:
    """Known names to their aliases: given aliases first, else Customer A, B, … in the order given.

    People's names also match their variants (initials, titles, "Last, First"); organizations only as written.
    """
    names = [n.strip() for n in known_names if n and n.strip()]
    names += [n for n in (aliases or {}) if n not in names]
    table = {name: (aliases or {}).get(name, default_alias(i)) for i, name in enumerate(dict.fromkeys(names))}
    return pii_names.name_table(table, exact=organizations)


def extra_terms_table(terms: Iterable[str]) -> NameTable:
    """Terms a person chose to mask: matched like names (any case, any accents), with no variants."""
    return pii_names.name_table({}, exact={t: _FIXED_MASKS[EXTRA_TERM] for t in terms if t and t.strip()})


def find_pii(text: str, *, known_names: Iterable[str] = ()) -> list[PiiSpan]:
    """Every piece of personal data in the text, ordered, without overlaps."""
    return spans(text, names_table(known_names))


def redact(text: str, *, known_names: Iterable[str] = (), aliases: Mapping[str, str] | None = None,
           extra_terms: Iterable[str] = ()) -> str:
    """The text with personal data masked and known customer names replaced by their aliases."""
    return apply(text, spans(text, names_table(known_names, aliases), extra_terms_table(extra_terms)))


def apply(text: str, found: list[PiiSpan]) -> str:
    """The text with each span replaced; the spans must be ordered and must not overlap."""
    pieces: list[str] = []
    cursor = 0
    for span in found:
        pieces.append(text[cursor:span.start])
        pieces.append(span.replacement)
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def default_alias(index: int) -> str:
    """Customer A, Customer B, ... Customer Z, Customer AA, ..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"Customer {letters}"


def luhn_valid(digits: str) -> bool:
    """The card-number checksum; rules out most random digit runs such as order numbers."""
    return luhn.is_valid(digits)


def _with_replacement(span: PiiSpan, text: str) -> PiiSpan:
    if span.replacement:
        return span
    value = text[span.start:span.end]
    if span.kind == EMAIL:
        at = min((i for i in (value.find(sign) for sign in _AT_SIGNS) if i >= 0), default=-1)
        if at < 0:  # written out: "janet at example dot com"
            # the span was found by this pattern, so it matches again
            local = _OBFUSCATED_EMAIL_RE.match(value).group("local")  # type: ignore[union-attr]
            return PiiSpan(EMAIL, span.start, span.end, f"{local[0]}{MASK}{value[len(local):]}")
        return PiiSpan(EMAIL, span.start, span.end, f"{value[0]}{MASK}{value[at:]}")
    if span.kind == CARD:
        return PiiSpan(CARD, span.start, span.end, f"{CARD_MASK} {pii_numbers.card_number_digits(value)[-4:]}")
    return PiiSpan(span.kind, span.start, span.end, _FIXED_MASKS[span.kind])


def _without_overlaps(found: list[PiiSpan]) -> list[PiiSpan]:
    # Earlier spans win, then longer ones, so an email's digits never become a phone number.
    kept: list[PiiSpan] = []
    for span in sorted(found, key=lambda s: (s.start, -(s.end - s.start))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept
