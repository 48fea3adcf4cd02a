"""Tests for PII detection and redaction: what is masked, and what must be left alone."""
from __future__ import annotations

import pytest

from postmortem_desktop.analysis.pii import (
    CARD,
    EMAIL,
    NAME,
    PHONE,
    default_alias,
    find_pii,
    luhn_valid,
    redact,
)

SIGNATURE = """Thanks for looking into this!

--
Jane Doe | Finance Lead, Acme Ltd
jane.doe@example.com | +1 (555) 555-0142
Re: ticket #4521, invoice INV-2024-0042"""


def test_email_keeps_first_letter_and_domain() -> None:
    assert redact("write to jane.doe@example.com today") == "write to j\u2022\u2022\u2022@example.com today"


@pytest.mark.parametrize(
    "phone",
    ["555-0123", "(555) 555-0142", "555-555-0142", "+1 555 555 0142", "+44 20 7946 0958", "1-800-555-0199"],
)
def test_phone_formats_are_found(phone: str) -> None:
    text = f"call me on {phone} after lunch"
    spans = find_pii(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [(PHONE, phone)]
    assert phone not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Outage on 2024-03-05 from 10:20 to 11:00.",
        "Paid on 03/05/2024 and 05.03.2024.",
        "We were charged $1,234.56 and \u00a3555.00, twice.",
        "See ticket #4521 and invoice INV-2024-0042.",
        "Order 123-45678 and ref A-555-0123.",
        "Version 2.3.1 released at 09:15:30.",
    ],
)
def test_dates_times_money_and_ids_are_not_phones(text: str) -> None:
    assert [s for s in find_pii(text) if s.kind == PHONE] == []
    assert redact(text) == text


@pytest.mark.parametrize(
    ("card", "last4"),
    [("4242 4242 4242 4242", "4242"), ("4111-1111-1111-1111", "1111"), ("378282246310005", "0005")],
)
def test_luhn_valid_card_numbers_keep_only_last_four(card: str, last4: str) -> None:
    assert redact(f"my card {card} was declined") == f"my card \u2022\u2022\u2022\u2022 {last4} was declined"


def test_digit_run_failing_luhn_is_not_a_card() -> None:
    text = "Reference 1234 5678 9012 3456 from the bank."
    assert [s for s in find_pii(text) if s.kind == CARD] == []
    assert not luhn_valid("1234567890123456")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the card ending 4242 was charged", "the card ending \u2022\u2022\u2022\u2022 was charged"),
        ("Visa ending in 1881, twice", "Visa ending in \u2022\u2022\u2022\u2022, twice"),
        ("last four digits are 0005", "last four digits are \u2022\u2022\u2022\u2022"),
    ],
)
def test_card_last_four_mentions_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_known_full_and_first_names_get_aliases_in_order() -> None:
    text = "Maria Lopez called. maria says Tom Berg was also double charged."
    result = redact(text, known_names=["Maria Lopez", "Tom Berg"])
    assert result == "Customer A called. Customer A says Customer B was also double charged."


def test_names_match_whole_words_only() -> None:
    text = "Mariana and Tomás are not customers; Maria is."
    assert (redact(text, known_names=["Maria Lopez", "Tom Berg"])
            == "Mariana and Tomás are not customers; Customer A is.")


def test_short_first_name_alone_is_not_replaced() -> None:
    text = "Jo Li wrote; Jo will call back."
    assert redact(text, known_names=["Jo Li"]) == "Customer A wrote; Jo will call back."


def test_shared_first_name_is_left_alone_as_ambiguous() -> None:
    text = "Anna Berg and Anna Holm both wrote. Anna asked for a refund."
    result = redact(text, known_names=["Anna Berg", "Anna Holm"])
    assert result == "Customer A and Customer B both wrote. Anna asked for a refund."


def test_explicit_aliases_override_defaults() -> None:
    text = "Priya Shah and Omar Ali"
    result = redact(text, known_names=["Priya Shah", "Omar Ali"], aliases={"Omar Ali": "the retailer"})
    assert result == "Customer A and the retailer"


def test_ticket_signature_is_fully_redacted_but_ids_survive() -> None:
    result = redact(SIGNATURE, known_names=["Jane Doe"])
    assert "Jane" not in result and "jane.doe" not in result and "555-0142" not in result
    assert "Customer A | Finance Lead, Acme Ltd" in result
    assert "j\u2022\u2022\u2022@example.com" in result
    assert "#4521" in result and "INV-2024-0042" in result


def test_find_pii_reports_kinds_in_order_without_overlap() -> None:
    text = "Tom Berg <tom.berg@example.com> 555-0123, card 4242424242424242"
    spans = find_pii(text, known_names=["Tom Berg"])
    assert [s.kind for s in spans] == [NAME, EMAIL, PHONE, CARD]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_default_alias_continues_after_z() -> None:
    assert default_alias(0) == "Customer A"
    assert default_alias(25) == "Customer Z"
    assert default_alias(26) == "Customer AA"


def test_text_without_pii_is_unchanged() -> None:
    text = "I was charged twice and still can't send invoices \U0001F621"
    assert redact(text, known_names=["Maria Lopez"]) == text
