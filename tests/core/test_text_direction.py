"""Hebrew and Arabic reach the PDF in visual order with joined Arabic letters; other text is untouched."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader

from postmortem_desktop.reporting import exports, fonts
from postmortem_desktop.reporting.text_direction import visual_order
from postmortem_desktop.storage.schema import Conversation, Incident, Message, Quote

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


def run(gen):
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


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
    path = run(exports.export_pdf(workspace, incident_id, tmp_path / "r.pdf"))
    extracted = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    # pypdf reverses right-to-left glyph runs back into reading order, so a correctly drawn line reads
    # as stored, with Arabic in joined presentation forms. Drawn in stored order (the old bug) it
    # came back as "ملاعلاب ابحرم / םלוע םולש": reversed, and the Arabic letters unjoined.
    joined_arabic = "\ufee3\ufeae\ufea3\ufe92\ufe8e \ufe91\ufe8e\ufedf\ufecc\ufe8e\ufedf\ufee2"  # ﻣﺮﺣﺒﺎ ﺑﺎﻟﻌﺎﻟﻢ
    assert f"{HEBREW} / {joined_arabic}" in extracted
    assert "םלוע םולש" not in extracted and ARABIC not in extracted
