"""Redaction of report data: masks, stable customer aliases, and the original left untouched."""
from __future__ import annotations

from dataclasses import fields

from postmortem_desktop.reporting.redaction import Redactor, redact_report
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.storage.workspace import open_workspace

PEOPLE = (("Dana Whitfield", "Brightline Studio"), ("Marco Bellini", "Bellini Tile & Stone"), ("Dana Okafor", ""))


def test_emails_phones_and_cards_are_masked_in_the_agreed_shapes():
    r = Redactor(PEOPLE)
    text = r.text("Reach me at jo.smith@example.com or (555) 555-0134; card 4242 4242 4242 4242 was charged twice.")
    assert "j•••@example.com" in text
    assert "•••• 4242" in text and "4242 4242 4242 4242" not in text
    assert "555-0134" not in text and "[phone]" in text


def test_known_customers_become_letters_in_order_and_stay_the_same_letter():
    r = Redactor(PEOPLE)
    assert r.text("Dana Whitfield wrote again") == "Customer A wrote again"
    assert r.text("Marco Bellini and dana whitfield") == "Customer B and Customer A"
    assert r.name("Marco Bellini") == "Customer B"
    assert r.name("Bellini Tile & Stone") == "Customer B’s company"
    # a first name shared by two customers is ambiguous, so it is not guessed at...
    assert r.text("Marco called, and Dana wrote") == "Customer B called, and Dana wrote"
    # ...but where a name is expected (a greeting) it is still masked, as any unknown person's name is
    assert r.text("Thanks Marco, and thanks Dana") == "Thanks Customer B, and thanks [name]"


def test_people_who_are_not_customers_keep_their_names():
    r = Redactor(PEOPLE)
    assert r.text("Marcus Oyelaran from support replied") == "Marcus Oyelaran from support replied"


def test_contact_fields_are_masked_even_in_unusual_formats():
    r = Redactor(PEOPLE)
    assert r.phone("ext. 12") == "[phone]" and r.phone("") == ""
    assert r.email("dana@example.com") == "d•••@example.com"


def test_redacting_a_report_leaves_the_gathered_data_unchanged(demo_file):
    ws = open_workspace(demo_file)
    try:
        data = gather(ws, 1)
        before = [getattr(data, f.name) for f in fields(data)]
        redacted = redact_report(data)
    finally:
        ws.close()
    assert [getattr(data, f.name) for f in fields(data)] == before
    assert redacted.redacted and not data.redacted
    names = {q.customer for q in data.quotes if q.customer}
    assert names and not names & {q.customer for q in redacted.quotes}
    assert all(q.customer.startswith("Customer ") for q in redacted.quotes if q.customer)


def test_this_incidents_customers_get_the_first_letters(demo_file):
    ws = open_workspace(demo_file)
    try:
        data = gather(ws, 1)
    finally:
        ws.close()
    first_quoted = next(q.customer for q in sorted(data.quotes, key=lambda q: q.at) if q.customer)
    assert Redactor(data.known_customers).name(first_quoted) == "Customer A"


def test_a_company_name_in_the_segment_or_task_fields_is_redacted_too(demo_copy):
    from dataclasses import replace

    from postmortem_desktop.reporting.redaction import redact_report
    from postmortem_desktop.reporting.report_data import gather
    from postmortem_desktop.storage.workspace import open_workspace
    from tests.helpers import billing_id

    ws = open_workspace(demo_copy)
    try:
        data = gather(ws, billing_id(ws))
    finally:
        ws.close()
    contact_company = next(q.organization for q in data.quotes if q.organization)
    data = replace(data,
                   quotes=tuple(replace(q, segment=contact_company) for q in data.quotes),
                   conversations=tuple(replace(c, task=f"pay {contact_company}'s invoice") for c in data.conversations))
    redacted = redact_report(data)
    assert all(contact_company not in q.segment for q in redacted.quotes)
    assert all(contact_company not in c.task for c in redacted.conversations)
