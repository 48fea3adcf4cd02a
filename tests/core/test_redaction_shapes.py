"""Redaction holds for every personal-data shape we know, in the text and in real PDF and XLSX exports."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from postmortem_desktop.analysis.pii import redact
from postmortem_desktop.cli import main
from postmortem_desktop.reporting.redaction import Redactor
from postmortem_desktop.storage.schema import (
    ActionItem,
    Conversation,
    Customer,
    Incident,
    IncidentContact,
    Message,
    Quote,
    SystemEvent,
)
from postmortem_desktop.storage.workspace import create_workspace
from tests.core.pii_shapes import KNOWN_CUSTOMERS, NOT_PII, PII_SHAPES

START = datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc)


def test_the_shape_table_covers_at_least_seventy_shapes():
    assert len(PII_SHAPES) >= 70


@pytest.mark.parametrize(("text", "fragments"), PII_SHAPES, ids=[t[:40] for t, _ in PII_SHAPES])
def test_each_personal_data_shape_is_masked(text: str, fragments: tuple[str, ...]):
    masked = Redactor(KNOWN_CUSTOMERS).text(text)
    assert not [f for f in fragments if f in masked], masked


@pytest.mark.parametrize("text", NOT_PII)
def test_look_alikes_without_personal_data_are_left_exactly_as_written(text: str):
    assert Redactor(KNOWN_CUSTOMERS).text(text) == text


def test_turkish_dotted_and_dotless_i_names_no_longer_crash_and_are_masked():
    # lower() turned the match 'ALİ YILMAZ' into a key the table did not have: KeyError: 'ali yılmaz'
    for text in ("ALİ YILMAZ wrote", "Ali Yılmaz wrote", "İpek wrote", "IPEK DEMIR wrote"):
        assert redact(text, known_names=["Ali Yılmaz", "İpek Demir"]).startswith("Customer ")


def test_a_match_is_cut_from_the_text_as_written_when_folding_changes_its_length():
    # ß folds to two letters and a decomposed ë to one: the text after the name must stay whole
    assert redact("Mr Strauß und Zoe\u0308 kamen.", known_names=["Hans Strauss", "Zoë Weiss"]) \
        == "Customer A und Customer B kamen."


# ---- a real export of a workspace holding every shape -------------------------------------------
def _workspace_with_every_shape(path):
    """An incident whose every exported field carries personal data, plus look-alikes that must survive."""
    ws = create_workspace(path)
    with ws.transaction() as session:
        incident = Incident(title="Outage for Sarah Connor (sarah.connor@example.com)",
                            service="billing for Janet Okoye on +44 20 7946 0958",
                            customer_damage="Ali Yılmaz could not pay; call 07700 900123.",
                            technical_start=START, technical_end=START + timedelta(hours=1))
        session.add(incident)
        session.flush()
        customers = []
        for index, (name, organization) in enumerate(KNOWN_CUSTOMERS):
            customer = Customer(name=name, organization=organization, email=f"c{index}@example.com",
                                phone="+1 212 555 0142", segment=organization or "SMB")
            session.add(customer)
            customers.append(customer)
        session.flush()
        session.add(IncidentContact(incident_id=incident.id, customer_id=customers[0].id,
                                    reason="Sarah Connor lost money; reach her on 0612345678"))
        session.add(ActionItem(incident_id=incident.id, area="support", description="Call ALİ YILMAZ back",
                               owner="janet.okoye@example.com", due_date=date(2026, 11, 25)))
        session.add(SystemEvent(incident_id=incident.id, at=START, kind="alert",
                                title="Paged S. Connor on (020) 7946 0111"))
        texts = [text for text, _ in PII_SHAPES] + list(NOT_PII)
        for index, text in enumerate(texts):
            at = START + timedelta(minutes=index)
            conversation = Conversation(
                incident_id=incident.id, channel="ticket", customer_id=customers[index % len(customers)].id,
                external_id=("ana.lopez@example.com" if index == 0
                             else "+31 6 24681357" if index == 1 else f"ZD-{index}"),
                customer_task="reach Sarah Connor at 2125550142", first_at=at, last_at=at)
            session.add(conversation)
            session.flush()
            message = Message(conversation_id=conversation.id, at=at, author="Sarah Connor", text=text)
            session.add(message)
            session.flush()
            session.add(Quote(conversation_id=conversation.id, message_id=message.id, start=0, end=len(text),
                              text=text))
        incident_id = incident.id
    ws.close()
    return incident_id


def _pdf_text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _xlsx_cells(path) -> list[str]:
    workbook = load_workbook(path)
    return [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]


def _squeezed(text: str) -> str:
    # PDF text extraction breaks lines where the layout did: compare without any whitespace
    return re.sub(r"\s+", "", text)


EXPORT_LEAKS = [f for _, fragments in PII_SHAPES for f in fragments] + [
    "sarah.connor", "Okoye", "7946 0958", "900123", "0612345678", "janet.okoye", "ana.lopez", "24681357",
    "2125550142", "7946 0111", "c0@example", "555 0142",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    incident_id = _workspace_with_every_shape(folder / "shapes.pmw")
    pdf, xlsx = folder / "report.pdf", folder / "report.xlsx"
    assert main(["export-pdf", str(folder / "shapes.pmw"), "--incident", str(incident_id), "-o", str(pdf)]) == 0
    assert main(["export-xlsx", str(folder / "shapes.pmw"), "--incident", str(incident_id), "-o", str(xlsx)]) == 0
    return _pdf_text(pdf), _xlsx_cells(xlsx)


def test_no_personal_data_shape_survives_into_the_pdf_text(exported):
    pdf_text, _ = exported
    squeezed = _squeezed(pdf_text)
    leaks = [f for f in EXPORT_LEAKS if f in pdf_text or (any(c.isdigit() for c in f) and _squeezed(f) in squeezed)]
    assert leaks == []
    assert "Customer A" in pdf_text


def test_no_personal_data_shape_survives_into_any_xlsx_cell(exported):
    _, cells = exported
    assert [(f, c) for c in cells for f in EXPORT_LEAKS if f in c] == []
    assert any(c.startswith("Customer ") for c in cells)


def test_look_alikes_survive_the_export_untouched(exported):
    pdf_text, cells = exported
    assert [t for t in NOT_PII if t not in cells] == []
    assert [t for t in NOT_PII if _squeezed(t) not in _squeezed(pdf_text)] == []


def _letters_whose_folding_changes_length() -> list[str]:
    from postmortem_desktop.analysis.pii_names import fold

    # lower(), upper(), casefold() or the accent folding gives more or fewer characters than it was given
    return [c for c in map(chr, range(0x80, 0x3000)) if c.isalpha() and
            1 not in {len(c.lower())} & {len(c.upper())} & {len(c.casefold())} & {len(fold(c))}]


def test_every_letter_whose_folding_changes_length_is_masked_within_a_known_name():
    # the class behind the Turkish crash: a name holding any such letter, written in any case, never
    # crashes the redaction and is cut out exactly, leaving the words around it whole
    letters = _letters_whose_folding_changes_length()
    assert "İ" in letters and "ß" in letters and "ŉ" in letters
    for letter in letters:
        name = f"An{letter}a Kov{letter}c"
        for written in (name, name.upper(), name.lower()):
            assert redact(f"from {written} today", known_names=[name]) == "from Customer A today", (letter, written)


def test_random_and_hostile_text_never_crashes_and_spans_stay_in_order():
    import random
    import time

    from postmortem_desktop.analysis import pii

    rng = random.Random(12)
    alphabet = "aZİıßé\u0301 .,:;@#/+-()[]'’\n\t0123456789" + "".join(chr(c) for c in range(0x370, 0x380))
    names = pii.names_table(["Ali Yılmaz", "Sarah Connor"])
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        found = pii.spans(text, names)
        assert all(0 <= s.start < s.end <= len(text) for s in found)
        assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    # long runs that make careless patterns backtrack: each is redacted in well under a second of this
    # process's CPU (not wall-clock time, which other jobs on a busy machine inflate); a pattern that
    # backtracks takes minutes here, so the bound tells them apart without being a speed budget
    for hostile in ("1" * 100_000, "a." * 50_000 + "@", "Hi " + "Aa " * 30_000, "1 " * 50_000, "@a" * 50_000,
                    "x at " * 20_000 + "dot com"):
        started = time.process_time()
        pii.redact(hostile, known_names=["Sarah Connor"])
        assert time.process_time() - started < 2.0, hostile[:20]
