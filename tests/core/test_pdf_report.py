"""The leaders' PDF: sections, headline, redaction by default, fonts for any script, outline and metadata."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from postmortem_desktop.analysis.pii import CARD, EMAIL, PHONE, find_pii
from postmortem_desktop.reporting import exports
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.schema import (
    Conversation,
    Customer,
    Incident,
    IncidentContact,
    Message,
    Quote,
    Tag,
    TagAssignment,
)
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import run_to_end

SECTIONS = ("Summary", "Timeline: system and customers", "Customer damage", "The five review questions",
            "Customer harm by tag", "Workarounds and their cost", "Trust signals", "Accounts to contact",
            "Action items by area", "Close-out checklist", "Follow-up check")


def billing_id(ws) -> int:
    with ws.reading() as s:
        return s.scalar(select(Incident.id).where(Incident.title.like("Billing%")))


def quote_messages_with_pii(ws, incident_id: int) -> None:
    """Highlights every demo message holding an email, phone or card number, and flags customers for
    contact, so personal data reaches the report through quotes and the contact list."""
    with ws.transaction() as s:
        tag = s.scalar(select(Tag).where(Tag.name == "data-fear"))
        rows = s.execute(select(Message, Conversation).join(Conversation, Conversation.id == Message.conversation_id)
                         .where(Conversation.incident_id == incident_id)).all()
        for message, conv in rows:
            if any(span.kind in (EMAIL, PHONE, CARD) for span in find_pii(message.text)):
                quote = Quote(conversation_id=conv.id, message_id=message.id, start=0, end=len(message.text),
                              text=message.text)
                s.add(quote)
                s.flush()
                s.add(TagAssignment(tag_id=tag.id, quote_id=quote.id, source="manual"))
        customers = s.scalars(select(Customer).order_by(Customer.id).limit(3)).all()
        for customer in customers:
            s.add(IncidentContact(incident_id=incident_id, customer_id=customer.id, reason="paid twice"))


def demo_pii(ws) -> set[str]:
    """Every email, phone and card number in the demo's messages and customer records."""
    values: set[str] = set()
    with ws.reading() as s:
        texts = list(s.scalars(select(Message.text)))
        for customer in s.scalars(select(Customer)):
            texts += [customer.email, customer.phone]
    for text in texts:
        for span in find_pii(text or ""):
            if span.kind in (EMAIL, PHONE, CARD):
                values.add(text[span.start:span.end])
    return values


def pdf_text(path: Path) -> str:
    reader = PdfReader(str(path))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def demo_ws(demo_copy):
    ws = open_workspace(demo_copy)
    quote_messages_with_pii(ws, billing_id(ws))
    yield ws
    ws.close()


def test_pdf_has_every_section_and_the_headline_durations(demo_ws, tmp_path):
    incident_id = billing_id(demo_ws)
    path = run_to_end(exports.export_pdf(demo_ws, incident_id, tmp_path / "r.pdf"))
    text = pdf_text(path)
    for section in SECTIONS:
        assert section in text, section
    assert "Appendix: all quotes" in text
    impact = IncidentService(demo_ws).impact(incident_id)
    assert impact.headline in text  # "Logs: 40 min. Customers: …"
    assert "40 min" in text and "Status page said resolved" in text
    for question in ("What was the person trying to finish", "Which customers need direct contact now?"):
        assert question in text


def test_report_headline_is_the_same_as_the_incident_service_computes(demo_ws):
    for incident_id in (1, 2):
        assert gather(demo_ws, incident_id).headline == IncidentService(demo_ws).impact(incident_id).headline


def test_redacted_pdf_shows_no_email_phone_or_card_number_from_the_demo(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf"))
    text = pdf_text(path)
    leaked = sorted(v for v in demo_pii(demo_ws) if v in text)
    assert leaked == []
    assert "•••• 4242" in text and "•••@example" in text and "Customer A" in text


def test_unredacted_pdf_shows_the_personal_data(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf", redact=False))
    text = pdf_text(path)
    values = demo_pii(demo_ws)
    assert "4242 4242 4242 4242" in text
    shown = {v for v in values if v in text}
    assert any("@" in v for v in shown) and any("555" in v for v in shown)
    assert "NOT REDACTED" in text


def test_customer_names_become_the_same_alias_everywhere_in_the_report(demo_ws, tmp_path):
    data = exports.report_data(demo_ws, billing_id(demo_ws))
    raw = gather(demo_ws, billing_id(demo_ws))
    by_id = {q.id: q for q in data.quotes}
    names = {}
    for q in raw.quotes:
        if q.customer:
            names.setdefault(q.customer, set()).add(by_id[q.id].customer)
    assert names and all(len(aliases) == 1 and next(iter(aliases)).startswith("Customer ")
                         for aliases in names.values())
    assert len({next(iter(a)) for a in names.values()}) == len(names)  # different people, different letters


def test_pdf_has_outline_bookmarks_page_numbers_and_metadata(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf"))
    reader = PdfReader(str(path))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for section in ("Summary", "Customer damage", "Action items by area"):
        assert section in titles
    assert reader.metadata.title.startswith("Postmortem: Billing page payment")
    assert reader.metadata.author
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()
    assert "Postmortem report · redacted" in reader.pages[1].extract_text()


def test_timeline_is_drawn_as_vectors_not_a_picture(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf"))
    page = PdfReader(str(path)).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    assert not any(xobjects[k].get_object().get("/Subtype") == "/Image" for k in xobjects)
    text = page.extract_text()
    assert "Technical window 40 min" in text and "Status page: resolved" in text and "System" in text


def test_no_appendix_leaves_the_quote_appendix_out(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf", appendix=False))
    assert "Appendix: all quotes" not in pdf_text(path)


def test_any_script_renders_and_emoji_becomes_a_visible_placeholder(workspace, tmp_path):
    from datetime import datetime, timezone

    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    with workspace.transaction() as s:
        inc = Incident(title="Сбой оплаты — Πληρωμή 支付失败", technical_start=at, technical_end=at,
                       customer_damage="לקוחות לא יכלו לשלם; العملاء لم يتمكنوا من الدفع")
        s.add(inc)
        s.flush()
        conv = Conversation(incident_id=inc.id, external_id="T1", first_at=at, last_at=at)
        s.add(conv)
        s.flush()
        msg = Message(conversation_id=conv.id, at=at, text="Zoë: お支払いができません 😡👍🏽")
        s.add(msg)
        s.flush()
        s.add(Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=len(msg.text), text=msg.text))
        incident_id = inc.id
    path = run_to_end(exports.export_pdf(workspace, incident_id, tmp_path / "r.pdf"))
    text = pdf_text(path)
    assert "Сбой оплаты" in text and "Πληρωμή" in text and "支付失败" in text and "お支払い" in text
    assert "Zoë" in text and "[emoji]" in text
    fonts = set()
    for page in PdfReader(str(path)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("DejaVuSans" in f for f in fonts) and any("DroidSansFallback" in f for f in fonts)


def test_closing_the_export_midway_writes_no_file(demo_ws, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "r.pdf"
    gen = exports.export_pdf(demo_ws, billing_id(demo_ws), target)
    next(gen)
    next(gen)
    gen.close()
    assert not target.exists()
    assert list(out.iterdir()) == []  # no partial file left behind either


def test_checklist_section_shows_what_is_still_missing(demo_ws, tmp_path):
    path = run_to_end(exports.export_pdf(demo_ws, billing_id(demo_ws), tmp_path / "r.pdf", appendix=False))
    text = pdf_text(path)
    data = gather(demo_ws, billing_id(demo_ws))
    done = sum(item.done for item in data.checklist)
    assert f"{done} of {len(data.checklist)} items done." in text
    assert "Schedule the follow-up check" in text  # the demo's billing incident has no follow-up yet


def test_pdf_timeline_gets_the_same_windows_and_conversations_as_the_report(demo_ws):
    from postmortem_desktop.reporting.pdf_canvas import timeline_data

    data = exports.report_data(demo_ws, billing_id(demo_ws))
    tl = timeline_data(data)
    assert len(tl.conversations) == len(data.conversations)
    assert tl.technical_start == data.technical.start.timestamp()
    assert tl.customer_end == data.customer.end.timestamp()
    assert tl.status_page_resolved == data.status_page_resolved.timestamp()
    assert len(tl.events) == len(data.system_events)
    tagged = {tl.conversations.tags[c].name for c in tl.conversations.tag if c >= 0}
    assert tagged and tagged <= {t.name for t in data.tag_counts}
    assert sum(tl.conversations.pre_existing) == sum(c.pre_existing for c in data.conversations) > 0


def test_pdf_timeline_counts_each_row_by_the_review_window_as_the_screen_does(demo_ws, tmp_path):
    from postmortem_desktop.reporting.pdf_canvas import timeline_data
    from postmortem_desktop.services.timeline import TimelineService
    from postmortem_desktop.timeline.layout import TimelineLayout

    incident = billing_id(demo_ws)
    data = exports.report_data(demo_ws, incident)
    pdf = TimelineLayout(timeline_data(data), data.zone_name, "channel")
    screen = TimelineLayout(TimelineService(demo_ws).timeline_data(incident), data.zone_name, "channel")
    pdf_rows = [(row.label, counts) for row, counts in zip(pdf.subrows, pdf.review_counts(), strict=True)]
    screen_rows = [(row.label, counts) for row, counts in zip(screen.subrows, screen.review_counts(), strict=True)]
    assert pdf_rows == screen_rows
    outside = sum(out for _label, (_within, out) in screen_rows)
    assert outside > 0  # the demo has conversations wholly outside the review window
    path = run_to_end(exports.export_pdf(demo_ws, incident, tmp_path / "report.pdf"))
    assert f"+{outside} outside the review window" in pdf_text(path)
