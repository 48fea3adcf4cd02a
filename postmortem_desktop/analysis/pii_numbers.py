"""Finds personal numbers in support text: phones, card numbers, IBANs, US SSNs, IP addresses, dates of birth.

Regexes only propose candidates; the well-kept libraries decide (phonenumbers for every region's phone
plans, python-stdnum for the Luhn, IBAN and SSN checks, ipaddress for addresses), so order numbers,
ticket ids, dates, times, amounts and versions that merely look numeric are left alone.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import NamedTuple

import phonenumbers
from stdnum import iban, luhn
from stdnum.us import ssn

PHONE = "phone"
CARD = "card"
CARD_LAST4 = "card_last4"
IBAN = "iban"
SSN = "ssn"
IP_ADDRESS = "ip_address"
DATE_OF_BIRTH = "date_of_birth"


class Found(NamedTuple):
    kind: str
    start: int
    end: int


# ---- phones -------------------------------------------------------------------------------------
# A phone is never glued to a letter, '#', '/', '$' or another digit group, so order and ticket ids
# (#4521, INV-2024-0042), dates (2024-03-05, 03/05/2024) and amounts ($1,234.56) stay intact.
_BEFORE = r"(?<![\w#/$\u00a3\u20ac\-.:,+])"
_AFTER = r"(?![\w/%\-]|[.,:]\d)"
_SEP = r"[ \u00a0.\-\u2010-\u2015]{0,2}"
_PHONE_CANDIDATE_RE = re.compile(
    r"(?:(?<!\w)(?i:tel|callto):\s*|" + _BEFORE + r")"
    + r"(?:\+\s?)?(?:\(\+?\d{1,5}\)|\d)(?:" + _SEP + r"(?:\(\d{1,5}\)|\d)){6,17}" + _AFTER)
# Shapes the old detector knew; they cover the fictional 555 numbers the phone plans call invalid.
_NANP_SHAPE_RE = re.compile(
    r"(?:1[ .\-])?\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}|(?:1[ .\-])?\d{3}[.\-]\d{3}[.\-]\d{4}|\d{3} \d{3} \d{4}")
_SHORT_LOCAL_RE = re.compile(_BEFORE + r"\d{3}-\d{4}" + _AFTER)  # 555-0123
_DATE_LIKE_RE = re.compile(r"\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}")
# Regions whose national numbers start with a trunk 0, so a leading 0 marks a phone, not an order id.
TRUNK_ZERO_REGIONS = ("GB", "NL", "FR", "DE", "IE", "AU", "NZ", "IN", "BE", "CH", "AT", "SE", "ZA", "BR")
NANP_REGIONS = ("US", "CA")
NO_TRUNK_REGIONS = ("ES", "PL", "IN", "BR", "CN", "SG", "IT", "PT", "DK", "NO", "GR", "HK", "MX", "CZ")
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def phones(text: str) -> list[Found]:
    spans = [Found(PHONE, m.start(), m.end()) for m in _SHORT_LOCAL_RE.finditer(text)]
    for match in _PHONE_CANDIDATE_RE.finditer(text):
        end = _phone_end(match.group(), match.start())
        if end is not None:
            spans.append(Found(PHONE, match.start(), match.start() + end))
    return spans


def _phone_end(candidate: str, _start: int) -> int | None:
    """Length of the longest leading run of digit groups that is a phone number, or None."""
    # A number followed by another figure ("07700 900123 2 times") is tried without its tail groups.
    ends = [m.end() for m in re.finditer(r"\(?\d+\)?", candidate)]
    for end in reversed(ends):
        if _is_phone(candidate[:end]):
            return end
    return None


def _is_phone(value: str) -> bool:
    number = re.sub(r"^(?i:tel|callto):\s*", "", value)
    digits = re.sub(r"\D", "", number)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS or _DATE_LIKE_RE.fullmatch(number):
        return False
    if number.startswith("+"):
        return len(digits) >= 8 and _possible(number, None)
    if _NANP_SHAPE_RE.fullmatch(number):
        return True
    if digits.startswith("0"):
        return any(_possible(number, region, strict=len(digits) < 10) for region in TRUNK_ZERO_REGIONS)
    # North American numbers are written whole or grouped 3-3-4; "2024-000123" is an invoice number
    groups = [len(g) for g in re.findall(r"\d+", number)]
    if groups in ([10], [11], [3, 3, 4], [1, 3, 3, 4]) and any(
            _possible(number, region, strict=True) for region in NANP_REGIONS):
        return True
    # Regions without a trunk 0 (Spain 612 34 56 78, Poland 512 345 678, India 98765 43210, Brazil
    # (11) 91234-5678, China 138 0013 8000, Singapore 9123 4567): written in phone-like groups of two to
    # five digits with spaces, and a valid number of one of them. Ids are rarely spaced like that.
    if len(groups) >= 2 and all(2 <= g <= 5 for g in groups) and re.search(r"[ \u00a0()]", number):
        return any(_possible(number, region, strict=True) for region in NO_TRUNK_REGIONS)
    return False


def _possible(number: str, region: str | None, *, strict: bool = False) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    # Reserved drama ranges (07700 900xxx) are possible but not valid; they are still written as phones.
    return phonenumbers.is_valid_number(parsed) if strict else phonenumbers.is_possible_number(parsed)


# ---- cards --------------------------------------------------------------------------------------
# Groups may be split by up to three spaces (also no-break and thin ones), tabs, dots, underscores,
# hyphens or dashes, or a line break; a trailing expiry (/12/27) goes with it. A card may follow a
# word or sign directly ("no.4111…", "#4111…", "card4111…") but never starts or ends inside a longer
# digit run. Luhn decides; Unicode digits (full-width) count as digits.
_CARD_SEPARATOR = r"[ \t\u00a0\u2009\u202f._\-\u2010-\u2015]{1,3}"
_CARD_RE = re.compile(
    r"(?<!\d)(?<!\d[.\-/])\d(?:(?:" + _CARD_SEPARATOR + r"|[ \t]*\r?\n[ \t]*)?\d){12,18}(?!\d)(?![.\-]\d)"
    r"(?P<expiry>\s?/\s?\d{2}(?:\s?/\s?\d{2,4})?(?!\d))?")
_CARD_LAST4_RE = re.compile(
    r"\b(?:ending|ends)(?:\s+(?:in|with))?\s*[:\-]?\s*(?P<digits>\d{4})\b"
    r"|\blast\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?\s*[:\-]?\s*(?P<digits2>\d{4})\b",
    re.IGNORECASE,
)


def cards(text: str) -> list[Found]:
    spans = []
    for match in _CARD_RE.finditer(text):
        end = match.start("expiry") if match.group("expiry") else match.end()
        digits = "".join(str(unicodedata.digit(c)) for c in text[match.start():end] if c.isdigit())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            spans.append(Found(CARD, match.start(), match.end()))
    return spans


def card_number_digits(value: str) -> str:
    """The card number's digits without a trailing expiry, for a mask that keeps the last four."""
    return "".join(str(unicodedata.digit(c)) for c in re.split(r"\s?/", value, maxsplit=1)[0] if c.isdigit())


def card_last4(text: str) -> list[Found]:
    spans = []
    for match in _CARD_LAST4_RE.finditer(text):
        group = "digits" if match.group("digits") else "digits2"
        spans.append(Found(CARD_LAST4, match.start(group), match.end(group)))
    return spans


# ---- IBANs and SSNs -----------------------------------------------------------------------------
_IBAN_RE = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){10,30}(?![\w])")
_SSN_RE = re.compile(r"(?<![\w\-/.])\d{3}([ \-.])\d{2}\1\d{4}(?![\w\-/]|[.,]\d)")
_SSN_BARE_RE = re.compile(r"(?i:\b(?:ssn|social security(?: number| no\.?)?)\b)[\s:#]*(?:is\s+)?(\d{9})\b")


def ibans(text: str) -> list[Found]:
    spans = []
    for match in _IBAN_RE.finditer(text):
        # A greedy run may swallow the next word's letters; the shortest valid prefix is the IBAN.
        value = match.group()
        for end in range(len(value), 14, -1):
            if value[end - 1].isalnum() and iban.is_valid(value[:end]):
                spans.append(Found(IBAN, match.start(), match.start() + end))
                break
    return spans


def ssns(text: str) -> list[Found]:
    # validated on the digits: stdnum's own compacting keeps the dots of "536.90.4399"
    spans = [Found(SSN, m.start(), m.end()) for m in _SSN_RE.finditer(text)
             if ssn.is_valid(re.sub(r"\D", "", m.group()))]
    # Nine bare digits are an SSN only when the text says so: otherwise they are far more often ids.
    spans += [Found(SSN, m.start(1), m.end(1)) for m in _SSN_BARE_RE.finditer(text) if ssn.is_valid(m.group(1))]
    return spans


# ---- IP addresses -------------------------------------------------------------------------------
_IPV4_RE = re.compile(r"(?<![\w.])(?<!v)\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
                      r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])")
_VERSION_WORD_RE = re.compile(r"(?i:version|build|release|firmware|v)\s*$")


def ip_addresses(text: str) -> list[Found]:
    spans = []
    for match in _IPV4_RE.finditer(text):
        if _VERSION_WORD_RE.search(text[max(0, match.start() - 12):match.start()]):
            continue  # "version 10.2.0.1" is a version, not an address
        if _is_ip(match.group()):
            spans.append(Found(IP_ADDRESS, match.start(), match.end()))
    for match in _IPV6_RE.finditer(text):
        value = match.group()
        # Times (10:20:30) are not addresses: a real IPv6 address is compressed (::) or has eight groups.
        if ("::" in value or value.count(":") == 7) and _is_ip(value) and any(c.isalnum() for c in value):
            spans.append(Found(IP_ADDRESS, match.start(), match.end()))
    return spans


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# ---- dates of birth -----------------------------------------------------------------------------
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}"
         rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")
_DOB_RE = re.compile(
    r"(?i:\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday(?:\s+is)?))"
    r"\s*(?:is\s+|was\s+|[:\-=]\s*)?(?P<date>" + _DATE + r")")


def dates_of_birth(text: str) -> list[Found]:
    return [Found(DATE_OF_BIRTH, m.start("date"), m.end("date")) for m in _DOB_RE.finditer(text)]


_DIGIT_RE = re.compile(r"\d")


def all_numbers(text: str) -> list[Found]:
    """Every personal number in the text; overlaps are resolved by the caller."""
    if not _DIGIT_RE.search(text):
        return []
    return [*cards(text), *card_last4(text), *ibans(text), *ssns(text), *ip_addresses(text),
            *dates_of_birth(text), *phones(text)]
