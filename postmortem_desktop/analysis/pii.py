"""Finds and redacts personal data in support text: emails, phone numbers, card numbers, known names."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MASK = "\u2022\u2022\u2022"
CARD_MASK = "\u2022\u2022\u2022\u2022"

EMAIL = "email"
PHONE = "phone"
CARD = "card"
CARD_LAST4 = "card_last4"
NAME = "name"

_EMAIL_RE = re.compile(r"(?<![\w.+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,}\b")
_CARD_RE = re.compile(r"(?<![\w\-#/.])\d(?:[ \-]?\d){12,18}(?![\w\-/])")
_CARD_LAST4_RE = re.compile(
    r"\b(?:ending|ends)(?:\s+(?:in|with))?\s*[:\-]?\s*(?P<digits>\d{4})\b"
    r"|\blast\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?\s*[:\-]?\s*(?P<digits2>\d{4})\b",
    re.IGNORECASE,
)
# Guards: a phone is never glued to a letter, '#', '/', '$' or another digit group, so order and
# ticket ids (#4521, INV-2024-0042), dates (2024-03-05, 03/05/2024) and amounts stay intact.
_BEFORE = r"(?<![\w#/$\u00a3\u20ac\-.:,])"
_AFTER = r"(?![\w/%\-]|[.,:]\d)"
_PHONE_RE = re.compile(
    _BEFORE
    + r"(?:"
    + r"\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,4}){2,5}"  # international: +44 20 7946 0958
    + r"|(?:1[ .\-])?\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}"  # (555) 555-0142
    + r"|(?:1[ .\-])?\d{3}[.\-]\d{3}[.\-]\d{4}"  # 555-555-0142, 1-800-555-0199
    + r"|\d{3} \d{3} \d{4}"  # 555 555 0142
    + r"|\d{3}-\d{4}"  # 555-0123
    + r")"
    + _AFTER
)
_MIN_INTERNATIONAL_DIGITS = 8
_MAX_INTERNATIONAL_DIGITS = 15
_MIN_FIRST_NAME_LETTERS = 3


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: its kind and where it sits in the text."""

    kind: str
    start: int
    end: int


def find_pii(text: str, *, known_names: Iterable[str] = ()) -> list[PiiSpan]:
    """Every email, phone, card number, card last-four and known name, ordered, without overlaps."""
    candidates = [*_emails(text), *_cards(text), *_card_last4(text), *_phones(text)]
    candidates += [PiiSpan(NAME, s, e) for s, e, _ in _name_matches(text, _alias_table(known_names, None))]
    return _without_overlaps(candidates)


def redact(text: str, *, known_names: Iterable[str] = (), aliases: Mapping[str, str] | None = None) -> str:
    """The text with personal data masked and known customer names replaced by their aliases."""
    table = _alias_table(known_names, aliases)
    spans = [*_emails(text), *_cards(text), *_card_last4(text), *_phones(text)]
    replacements = {(s.start, s.end): _mask(s, text) for s in spans}
    for start, end, alias in _name_matches(text, table):
        spans.append(PiiSpan(NAME, start, end))
        replacements[(start, end)] = alias
    pieces: list[str] = []
    cursor = 0
    for span in _without_overlaps(spans):
        pieces.append(text[cursor : span.start])
        pieces.append(replacements[(span.start, span.end)])
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
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _emails(text: str) -> list[PiiSpan]:
    return [PiiSpan(EMAIL, m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]


def _cards(text: str) -> list[PiiSpan]:
    spans = []
    for match in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            spans.append(PiiSpan(CARD, match.start(), match.end()))
    return spans


def _card_last4(text: str) -> list[PiiSpan]:
    spans = []
    for match in _CARD_LAST4_RE.finditer(text):
        group = "digits" if match.group("digits") else "digits2"
        spans.append(PiiSpan(CARD_LAST4, match.start(group), match.end(group)))
    return spans


def _phones(text: str) -> list[PiiSpan]:
    spans = []
    for match in _PHONE_RE.finditer(text):
        value = match.group()
        digit_count = sum(c.isdigit() for c in value)
        if value.startswith("+") and not _MIN_INTERNATIONAL_DIGITS <= digit_count <= _MAX_INTERNATIONAL_DIGITS:
            continue
        spans.append(PiiSpan(PHONE, match.start(), match.end()))
    return spans


def _mask(span: PiiSpan, text: str) -> str:
    value = text[span.start : span.end]
    if span.kind == EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[0]}{MASK}@{domain}"
    if span.kind == CARD:
        return f"{CARD_MASK} {re.sub(r'[^0-9]', '', value)[-4:]}"
    if span.kind == CARD_LAST4:
        return CARD_MASK
    return "[phone]"


def _alias_table(known_names: Iterable[str], aliases: Mapping[str, str] | None) -> dict[str, str]:
    """Lower-cased name or first name -> alias; a first name shared by two customers is left out."""
    names = [n.strip() for n in known_names if n and n.strip()]
    names += [n for n in (aliases or {}) if n not in names]
    table: dict[str, str] = {}
    first_names: dict[str, list[str]] = {}
    for index, name in enumerate(dict.fromkeys(names)):
        alias = (aliases or {}).get(name, default_alias(index))
        table[name.lower()] = alias
        parts = name.split()
        if len(parts) > 1 and len(parts[0]) >= _MIN_FIRST_NAME_LETTERS:
            first_names.setdefault(parts[0].lower(), []).append(alias)
    for first, owners in first_names.items():
        if len(set(owners)) == 1 and first not in table:
            table[first] = owners[0]
    return table


def _name_matches(text: str, table: Mapping[str, str]) -> list[tuple[int, int, str]]:
    if not table:
        return []
    alternatives = sorted(table, key=len, reverse=True)
    pattern = r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in alternatives) + r")(?!\w)"
    matches = []
    for match in re.finditer(pattern, text, re.IGNORECASE):
        key = " ".join(match.group().lower().split())
        matches.append((match.start(), match.end(), table[key]))
    return matches


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    # Earlier spans win, then longer ones, so an email's digits never become a phone number.
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept
