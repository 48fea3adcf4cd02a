"""Hebrew and Arabic reach the PDF in visual order with joined Arabic letters; other text is untouched."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader

from postmortem_desktop.reporting import exports, fonts
from postmortem_desktop.reporting.text_direction import visual_order
from postmortem_desktop.storage.schema import Conversation, Incident, Message, Quote
from tests.helpers import run_to_end

HEBREW = "שלום עולם"
ARABIC = "مرحبا بالعالم"


def is_presentation_form(ch: str) -> bool:
    return 0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFC


def test_hebrew_comes_out_reversed_into_visual_order():
    assert visual_order(HEBREW) == "םלוע םולש"


def test_arabic_is_joined_into_presentation_forms_and_reversed():
    out = visual_order(ARABIC)
    assert all(is_presentation_form(ch) for ch in out.replace(" ", ""))
    # Back to plain letters and stored order, it is the same text: nothing lost or added.
    assert unicodedata.normalize("NFKC", out)[::-1] == ARABIC
    # First letter of "مرحبا" is joined to the next: its initial form, drawn at the right end.
    assert out[-1] == "\ufee3" and out[0] == "\ufee2"  # ﻣ initial meem, ﻢ final meem of "بالعالم"


def test_text_without_right_to_left_letters_is_the_same_object():
    text = "Zoë paid twice — Сбой 支付失败 😡"
    assert visual_order(text) is text


def test_mixed_line_keeps_the_latin_part_in_order():
    out = visual_order(f"The customer {HEBREW} asked for a refund")
    assert out == "The customer םלוע םולש asked for a refund"


def test_brackets_around_hebrew_face_the_right_way():
    assert visual_order("(שלום) עולם") == "םלוע (םולש)"


def test_each_line_is_reordered_on_its_own_and_line_order_is_kept():
    out = visual_order(f"first line\n{HEBREW}\nlast: {ARABIC}")
    first, middle, last = out.split("\n")
    assert first == "first line"
    assert middle == "םלוע םולש"
    assert last.startswith("last: ") and all(is_presentation_form(c) for c in last[6:].replace(" ", ""))


def test_hebrew_points_come_just_before_their_letter_where_the_font_draws_them_onto_it():
    out = visual_order("שָׁלוֹם")  # shin, qamats, shin dot, lamed, vav, holam, final mem
    assert out == "ם" + "\u05b9ו" + "ל" + "\u05c1\u05b8ש"


def test_stored_order_survives_plain_so_draw_string_reorders_only_once():
    assert fonts.plain(HEBREW) == HEBREW
    assert "".join(piece for _font, piece in fonts.runs(HEBREW)) == "םלוע םולש"


def test_pdf_shows_hebrew_and_arabic_quotes_in_visual_order(workspace, tmp_path: Path):
    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    text = f"{HEBREW} / {ARABIC}"
    with workspace.transaction() as s:
        inc = Incident(title="Payments down", technical_start=at, technical_end=at)
        s.add(inc)
        s.flush()
        conv = Conversation(incident_id=inc.id, external_id="T1", first_at=at, last_at=at)
        s.add(conv)
        s.flush()
        msg = Message(conversation_id=conv.id, at=at, text=text)
        s.add(msg)
        s.flush()
        s.add(Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=len(text), text=text))
        incident_id = inc.id
    path = run_to_end(exports.export_pdf(workspace, incident_id, tmp_path / "r.pdf"))
    extracted = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    # pypdf reverses right-to-left glyph runs back into reading order, so a correctly drawn line reads
    # as stored, with Arabic in joined presentation forms. Drawn in stored order (the old bug) it
    # came back as "ملاعلاب ابحرم / םלוע םולש": reversed, and the Arabic letters unjoined.
    joined_arabic = "\ufee3\ufeae\ufea3\ufe92\ufe8e \ufe91\ufe8e\ufedf\ufecc\ufe8e\ufedf\ufee2"  # ﻣﺮﺣﺒﺎ ﺑﺎﻟﻌﺎﻟﻢ
    assert f"{HEBREW} / {joined_arabic}" in extracted
    assert "םלוע םולש" not in extracted and ARABIC not in extracted


# ---- paragraphs that wrap: lines are cut in stored order, then each is reordered -------------------

HEBREW_QUOTE = ("אחת שתיים שלוש ארבע חמש שש שבע שמונה תשע עשר אחת-עשרה שתים-עשרה "
                "שלוש-עשרה ארבע-עשרה חמש-עשרה שש-עשרה שבע-עשרה שמונה-עשרה תשע-עשרה עשרים")
ARABIC_QUOTE = "واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة أحد عشر اثنا عشر ثلاثة عشر أربعة عشر"


def quote_style():
    from postmortem_desktop.reporting import pdf_sections

    return pdf_sections.styles()["quote"]


def build_pdf(path: Path, flowables: list, column: float = 170, height: float = 600) -> list[list[str]]:
    """Lays the flowables out in a column that wide; each page's extracted lines, top to bottom as read."""
    from reportlab.platypus import SimpleDocTemplate

    # The template's frame pads each side by 6 points inside the margins.
    doc = SimpleDocTemplate(str(path), pagesize=(column + 52, height), leftMargin=20, rightMargin=20,
                            topMargin=20, bottomMargin=20)
    doc.build(flowables)
    return [[line.strip() for line in page.extract_text().split("\n") if line.strip()]
            for page in PdfReader(str(path)).pages]


def wrapped_lines(para, width: float) -> list[str]:
    """The text of each line reportlab laid out, whichever of its two line shapes it used."""
    para.wrap(width, 1000)
    out = []
    for line in para.blPara.lines:
        words = line[1] if isinstance(line, tuple) else line.words
        out.append("".join(w if isinstance(w, str) else w.text for w in words))
    return out


def test_a_long_hebrew_quote_starts_on_the_top_line():
    para = fonts.paragraph(HEBREW_QUOTE, quote_style())
    lines = para.lines(150)
    assert len(lines) >= 4
    # Cut in stored order: read top to bottom, the lines give back the quote as written.
    assert " ".join(line.text for line in lines) == HEBREW_QUOTE
    assert lines[0].text.startswith("אחת שתיים")
    # Each line is then drawn right to left: the quote's first word at the right end of the top line.
    assert para.visual_lines(150)[0].endswith("םייתש תחא")


def test_lines_fit_the_width_so_reportlab_keeps_them_as_cut():
    para = fonts.paragraph(HEBREW_QUOTE, quote_style())
    para.wrap(150, 1000)
    assert len(para.paragraph_for(150).blPara.lines) == len(para.lines(150))


def test_pdf_lines_of_a_wrapped_hebrew_quote_read_top_to_bottom(tmp_path: Path):
    (lines,) = build_pdf(tmp_path / "he.pdf", [fonts.paragraph(HEBREW_QUOTE, quote_style())])
    assert len(lines) >= 3
    assert lines[0].startswith("אחת שתיים") and lines[-1].endswith("עשרים")
    assert " ".join(lines) == HEBREW_QUOTE


def test_a_wrapped_arabic_quote_starts_on_the_top_line(tmp_path: Path):
    para = fonts.paragraph(ARABIC_QUOTE, quote_style())
    assert " ".join(line.text for line in para.lines(150)) == ARABIC_QUOTE
    (lines,) = build_pdf(tmp_path / "ar.pdf", [para])
    assert len(lines) >= 3
    # pypdf gives the joined presentation forms back; NFKC turns them into plain letters again.
    assert unicodedata.normalize("NFKC", lines[0]).startswith("واحد اثنان")


def test_right_to_left_paragraphs_align_right_and_others_keep_their_alignment():
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT

    style = quote_style()
    assert fonts.paragraph(HEBREW_QUOTE, style).paragraph_for(150).style.alignment == TA_RIGHT
    assert fonts.paragraph(f"“{ARABIC_QUOTE}”", style).paragraph_for(150).style.alignment == TA_RIGHT
    mixed = fonts.paragraph(f"The customer wrote {HEBREW}", style)
    assert mixed.paragraph_for(150).style.alignment == TA_LEFT


def test_right_aligned_lines_end_at_the_right_margin(tmp_path: Path):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    style = ParagraphStyle("plain", parent=quote_style(), leftIndent=0)
    para = fonts.paragraph(HEBREW_QUOTE, style)
    SimpleDocTemplate(str(tmp_path / "x.pdf"), pagesize=(220, 600), leftMargin=20, rightMargin=20).build([para])
    inner = para.paragraph_for(para.width)
    # reportlab right-aligns by leaving each line's spare width on its left.
    spare = [line.extraSpace for line in inner.blPara.lines]
    assert len(set(round(s, 3) for s in spare)) > 1 and min(spare) >= 0


def test_latin_paragraphs_are_plain_paragraphs_with_the_same_markup_and_lines():
    from reportlab.platypus import Paragraph

    style = quote_style()
    text = "Zoë paid twice — Сбой 支付失败 😡 " * 6
    para = fonts.paragraph(text, style)
    before = Paragraph(fonts.markup(text), style)
    assert type(para) is Paragraph and para.text == before.text
    assert len(wrapped_lines(para, 150)) > 1
    assert wrapped_lines(para, 150) == wrapped_lines(before, 150)
    labelled = fonts.paragraph("no refund yet", style, "Reason:")
    assert labelled.text == Paragraph("<b>Reason:</b> no refund yet", style).text


def test_a_hebrew_phrase_crossing_a_line_break_in_english_splits_in_reading_order(tmp_path: Path):
    phrase = "שלום עולם מה שלומך היום חברים"
    text = f"The customer wrote {phrase} and then asked for a refund"
    para = fonts.paragraph(text, quote_style())
    lines = para.lines(150)
    # The phrase's first words end the first line and its last words open the next, as they were written.
    first, second = lines[0].text, lines[1].text
    assert first.startswith("The customer wrote") and first.split()[-1] in phrase.split()
    assert second.split()[0] in phrase.split() and (first + " " + second) in text
    head = first.split("wrote ", 1)[1]
    # Drawn left to right, English then the phrase's first words reversed: its first word rightmost.
    assert para.visual_lines(150)[0] == "The customer wrote " + visual_order(head)
    pdf_lines = build_pdf(tmp_path / "mixed.pdf", [para], column=150)[0]
    assert pdf_lines[0] == first
    # pypdf drops the space where a reversed run meets Latin again, so compare the letters only.
    assert "".join("".join(pdf_lines).split()) == "".join(text.split())


def test_a_bold_label_stays_first_and_bold(tmp_path: Path):
    para = fonts.paragraph(HEBREW_QUOTE, quote_style(), "Reason:")
    first = para.visual_lines(150)[0]
    assert first.startswith("<b>Reason:</b> ")
    assert not para.rtl  # the label's Latin letters open the paragraph, so it runs left to right
    assert " ".join(line.text for line in para.lines(150)) == f"Reason: {HEBREW_QUOTE}"


def test_a_long_quote_splits_across_pages_in_reading_order(tmp_path: Path):
    pages = build_pdf(tmp_path / "pages.pdf", [fonts.paragraph(HEBREW_QUOTE, quote_style()),
                                                 fonts.paragraph(" ".join([HEBREW_QUOTE] * 6), quote_style())],
                      height=160)
    lines = [line for page in pages for line in page]
    assert len(pages) > 1
    assert " ".join(lines) == " ".join([HEBREW_QUOTE] * 7)


def test_forced_line_breaks_are_kept_and_each_line_has_its_own_direction():
    para = fonts.paragraph(f"{HEBREW}\nError 500.\n\n{HEBREW}", quote_style())
    lines = para.lines(400)
    assert [line.text for line in lines] == [HEBREW, "Error 500.", "", HEBREW]
    assert [line.rtl for line in lines] == [True, False, True, True]
    assert para.visual_lines(400)[1] == "Error 500."


def test_a_word_wider_than_the_column_is_cut_without_losing_a_letter():
    word = "אבגדהוזחטיכלמנסעפצקרשת" * 3
    para = fonts.paragraph(f"{HEBREW} {word}", quote_style())
    lines = para.lines(80)
    assert "".join(line.text for line in lines[1:]) == word
    assert all(w.width <= 80 - quote_style().leftIndent for line in lines for w in line.words)


def test_pdf_report_quote_wraps_in_reading_order(workspace, tmp_path: Path):
    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    text = " ".join([HEBREW_QUOTE] * 2)
    with workspace.transaction() as s:
        inc = Incident(title="Payments down", technical_start=at, technical_end=at)
        s.add(inc)
        s.flush()
        conv = Conversation(incident_id=inc.id, external_id="T1", first_at=at, last_at=at)
        s.add(conv)
        s.flush()
        msg = Message(conversation_id=conv.id, at=at, text=text)
        s.add(msg)
        s.flush()
        s.add(Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=len(text), text=text))
        incident_id = inc.id
    path = run_to_end(exports.export_pdf(workspace, incident_id, tmp_path / "r.pdf"))
    extracted = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    # The appendix prints the quote on full-width lines: joined back up, they give the words as written.
    lines = extracted.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("אחת שתיים"))
    assert " ".join(line.strip() for line in lines[start:start + 3]).startswith(" ".join(HEBREW_QUOTE.split()[:25]))
