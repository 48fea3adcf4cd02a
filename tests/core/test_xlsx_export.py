"""The analysts' workbook round-trips with openpyxl, never holds formulas from user text, and is redacted."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from postmortem_desktop.reporting import exports
from postmortem_desktop.storage.schema import (
    ActionItem,
    Conversation,
    Customer,
    Incident,
    IncidentContact,
    Message,
    Quote,
    Tag,
    TagAssignment,
)
from tests.helpers import run_to_end

HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd",
           "=cmd|' /C calc'!A0")
AT = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def incident(workspace):
    """An incident whose quotes, action items and contacts all start like formulas."""
    with workspace.transaction() as s:
        inc = Incident(title="Checkout down", technical_start=AT, technical_end=AT)
        s.add(inc)
        s.flush()
        customer = Customer(name="=Jane Doe", email="jane.doe@example.com", phone="+44 20 7946 0958",
                            organization="Doe Ltd", segment="Growth")
        s.add(customer)
        s.flush()
        conv = Conversation(incident_id=inc.id, external_id="T-1", channel="chat", customer_id=customer.id,
                            first_at=AT, last_at=AT)
        s.add(conv)
        s.flush()
        tag = s.scalar(select(Tag).where(Tag.name == "confusion"))
        for text in HOSTILE:
            msg = Message(conversation_id=conv.id, at=AT, author="=Jane Doe", text=text)
            s.add(msg)
            s.flush()
            quote = Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=len(text), text=text)
            s.add(quote)
            s.flush()
            s.add(TagAssignment(tag_id=tag.id, quote_id=quote.id, source="manual"))
        for area, text in (("support", HOSTILE[0]), ("product", "-fix the receipt page"), ("engineering", "plain")):
            s.add(ActionItem(incident_id=inc.id, area=area, description=text, owner="@ops",
                             due_date=date(2026, 3, 9)))
        s.add(IncidentContact(incident_id=inc.id, customer_id=customer.id, reason="+paid twice"))
        return inc.id


def test_workbook_round_trips_with_three_sheets_frozen_headers_filters_and_widths(workspace, incident, tmp_path):
    path = run_to_end(exports.export_xlsx(workspace, incident, tmp_path / "q.xlsx", redact=False))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Quotes", "Action items", "Contact list"]
    expected_rows = {"Quotes": len(HOSTILE), "Action items": 3, "Contact list": 1}
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.auto_filter.ref.endswith(str(expected_rows[ws.title] + 1))
        assert all(ws.column_dimensions[col].width and ws.column_dimensions[col].width >= 10 for col in "ABC")
        assert ws.cell(1, 1).font.b
        assert ws.max_row == expected_rows[ws.title] + 1
    quotes = wb["Quotes"]
    header = [c.value for c in quotes[1]]
    assert header[0].startswith("Time (") and "Quote" in header and "Tags" in header
    assert quotes.cell(2, header.index("Tags") + 1).value == "confusion"
    assert quotes.cell(2, header.index("Channel") + 1).value == "chat"
    assert isinstance(quotes.cell(2, 1).value, datetime)
    assert wb["Action items"].cell(2, 4).value.date() == date(2026, 3, 9)


def test_values_that_look_like_formulas_are_written_as_text_and_kept(workspace, incident, tmp_path):
    path = run_to_end(exports.export_xlsx(workspace, incident, tmp_path / "q.xlsx", redact=False))
    wb = load_workbook(path)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                seen.append(cell.value)
    quote_col = [c.value for c in wb["Quotes"][1]].index("Quote") + 1
    # XML normalises a bare CR to LF on reading, so the writer stores line breaks as LF; all else is exact.
    expected = [text.replace("\r", "\n") for text in HOSTILE]
    assert [wb["Quotes"].cell(r, quote_col).value for r in range(2, len(HOSTILE) + 2)] == expected
    assert HOSTILE[0] in seen and "-fix the receipt page" in seen and "@ops" in seen and "+paid twice" in seen
    assert "=Jane Doe" in seen


def test_redacted_workbook_masks_contacts_and_uses_the_pdf_aliases(workspace, incident, tmp_path):
    path = run_to_end(exports.export_xlsx(workspace, incident, tmp_path / "q.xlsx"))
    contacts = load_workbook(path)["Contact list"]
    header = [c.value for c in contacts[1]]
    row = {h: contacts.cell(2, i + 1).value for i, h in enumerate(header)}
    assert row["Customer"] == "Customer A"
    assert row["Email"] == "j•••@example.com"
    assert row["Phone"] == "[phone]"
    everything = " ".join(str(c.value) for ws in load_workbook(path).worksheets for r in ws.iter_rows() for c in r)
    assert "jane.doe@example.com" not in everything and "7946" not in everything and "Jane" not in everything
    pdf_data = exports.report_data(workspace, incident)
    assert pdf_data.contacts[0].customer == row["Customer"]


def test_cancelling_the_workbook_leaves_no_file(workspace, incident, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gen = exports.export_xlsx(workspace, incident, out / "q.xlsx")
    next(gen)
    gen.close()
    assert list(out.iterdir()) == []
