"""The PDF reads well with a real review's volume: addresses never split mid-word, no mostly empty
pages, an appendix led by what people highlighted, and honest wording for a closed incident."""
from __future__ import annotations

import dataclasses

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select

from postmortem_desktop.reporting import exports, pdf_sections
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.contacts import ContactService, FlagContacts
from postmortem_desktop.services.conversation_cards import quote_whole_conversations
from postmortem_desktop.storage.schema import Conversation, Quote
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import run_to_end

BILLING = 1


@pytest.fixture
def busy_review(demo_copy):
    """The demo's billing incident after a real-sized review: every suggested contact flagged and
    every conversation without a card put on the board whole."""
    ws = open_workspace(demo_copy)
    suggestions = ContactService(ws).contact_suggestions(BILLING)
    FlagContacts(BILLING, [(s.customer_id, s.reason) for s in suggestions], suggested=True).do(ws)
    with ws.reading() as session:
        uncarded = list(session.scalars(select(Conversation.id).where(
            Conversation.incident_id == BILLING, ~Conversation.id.in_(select(Quote.conversation_id)))))
    assert len(uncarded) > pdf_sections.WHOLE_CONVERSATION_LIMIT
    quote_whole_conversations(BILLING, uncarded).do(ws)
    yield ws
    ws.close()


@pytest.mark.parametrize("address", ["genevieve.belanger@example.org", "fiona.mcallister@northwind-accounting.example",
                                     "a@b.co", "someone_with_a_long_local_part@example.com"])
def test_an_address_breaks_only_before_at_or_after_punctuation_and_each_line_fits(address):
    style = pdf_sections.styles()["cell"]
    width = 90.0
    lines = pdf_sections.fit_address(address, width, style).split("\n")
    assert "".join(lines) == address
    for line, following in zip(lines, lines[1:], strict=False):
        assert line[-1] in ".-_/" or following.startswith("@"), lines
    for line in lines:
        piece_alone = len(pdf_sections._ADDRESS_BREAKS.split(line)) == 1
        assert piece_alone or stringWidth(line, style.fontName, style.fontSize) <= width


def test_no_page_but_the_last_is_left_mostly_empty(busy_review, tmp_path):
    path = run_to_end(exports.export_pdf(busy_review, BILLING, tmp_path / "r.pdf", redact=False))
    sizes = [len(page.extract_text()) for page in PdfReader(str(path)).pages]
    fullest = max(sizes[1:-1])
    for number, size in enumerate(sizes[1:-1], start=2):  # the cover page is its own layout
        assert size > 0.45 * fullest, f"page {number} holds {size} characters against {fullest}: {sizes}"


def test_the_appendix_leads_with_highlighted_quotes_and_limits_whole_conversations(busy_review):
    data = gather(busy_review, BILLING)
    whole = [q for q in data.quotes if q.whole_conversation]
    highlighted = [q for q in data.quotes if not q.whole_conversation]
    assert whole and highlighted
    flow = pdf_sections.appendix(data)
    headings = [f.outline_text for f in flow if isinstance(f, pdf_sections.Heading)]
    assert headings[1].startswith(f"Quotes people highlighted ({len(highlighted)})")
    assert headings[2].startswith(f"Whole conversations on the board ({len(whole)})")
    texts = [f.text for f in flow if getattr(f, "style", None) is not None and f.style.name == "appendix_text"]
    assert len(texts) == len(highlighted) + pdf_sections.WHOLE_CONVERSATION_LIMIT
    printed_whole = texts[len(highlighted):]
    assert all(len(t) <= pdf_sections.WHOLE_CONVERSATION_CHARS + 10 for t in printed_whole)
    strongest = sorted(whole, key=lambda q: (-len(q.tags), -q.score))[:pdf_sections.WHOLE_CONVERSATION_LIMIT]
    assert printed_whole == [pdf_sections.fonts.markup(pdf_sections._opening(q.text)) for q in strongest]
    more = len(whole) - pdf_sections.WHOLE_CONVERSATION_LIMIT
    assert any(f"{more} more whole conversations" in getattr(f, "text", "") for f in flow)


def test_a_closed_incident_without_a_customer_severity_is_not_reported_as_not_set_yet(busy_review):
    data = dataclasses.replace(gather(busy_review, BILLING), status="closed", customer_severity="",
                               customer_severity_suggested="")
    text = " ".join(getattr(f, "text", "") for f in pdf_sections.cover(data, 500))
    assert "not set yet" not in text
    assert "closed without a customer severity" in text

