"""The PDF report's sections as platypus flowables: cover, timeline, damage, answers, tags, actions, appendix."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..domain.timing import format_duration, status_page_gap
from ..domain.vocabulary import ActionArea
from ..timeline.layout import zone_of
from . import fonts
from .pdf_timeline import TimelineFlowable, palette
from .report_data import QuoteRow, ReportData

INK = HexColor("#1F1F1F")
MUTED = HexColor("#5C5C5C")
RULE = HexColor("#CCCCCC")
ACCENT = HexColor("#0072B2")
STRONGEST_PER_TAG = 3
STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "done": "Done"}


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    base = ParagraphStyle("body", fontName=fonts.SANS, fontSize=9.5, leading=13, textColor=INK, alignment=TA_LEFT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=fonts.SANS_BOLD, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.SANS_BOLD, fontSize=20, leading=25,
                                spaceAfter=4),
        "h1": ParagraphStyle("h1", parent=base, fontName=fonts.SANS_BOLD, fontSize=14, leading=18, spaceBefore=10,
                             spaceAfter=6, textColor=ACCENT),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts.SANS_BOLD, fontSize=10.5, leading=14,
                             spaceBefore=6, spaceAfter=3),
        "quote": ParagraphStyle("quote", parent=base, fontSize=9, leading=12.5, leftIndent=10, textColor=INK),
        "quote_meta": ParagraphStyle("quote_meta", parent=base, fontSize=7.5, leading=9.5, leftIndent=10,
                                     textColor=MUTED, spaceAfter=5),
        "appendix_meta": ParagraphStyle("appendix_meta", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED,
                                        keepWithNext=1),
        "appendix_text": ParagraphStyle("appendix_text", parent=base, fontSize=9, leading=12, spaceAfter=5),
        "headline": ParagraphStyle("headline", parent=base, fontName=fonts.SANS_BOLD, fontSize=12, leading=16,
                                   textColor=INK),
    }


def P(text: str, style: str = "body", bold_prefix: str = "") -> Flowable:  # noqa: N802 - reads like markup
    return fonts.paragraph(text, styles()[style], bold_prefix)


class Heading(Paragraph):
    """A section heading; the document template turns each into a PDF outline bookmark."""

    def __init__(self, text: str, level: int = 0):
        super().__init__(fonts.markup(text), styles()["h1" if level == 0 else "h2"])
        self.outline_text = text
        self.outline_level = level


def when(value: datetime | date | None, zone_name: str, with_time: bool = True) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = value.astimezone(zone_of(zone_name))
        return local.strftime("%a %d %b %Y %H:%M") if with_time else local.strftime("%a %d %b %Y")
    return value.strftime("%a %d %b %Y")


def _or_missing(text: str, missing: str = "Not recorded yet.") -> str:
    return text.strip() if text and text.strip() else missing


# ---- cover ----------------------------------------------------------------------------------------

def cover(data: ReportData, width: float) -> list[Flowable]:
    st = styles()
    zone = data.zone_name
    out: list[Flowable] = [Heading("Summary"), fonts.paragraph(data.title, st["title"])]
    meta = [f"Service: {data.service or '—'}", f"Status: {data.status.replace('_', ' ')}"]
    if data.technical:
        meta.append(f"Technical window: {when(data.technical.start, zone)} – {when(data.technical.end, zone)} ({zone})")
    if data.customer:
        meta.append(f"Customer impact window: {when(data.customer.start, zone)} – {when(data.customer.end, zone)}")
    out += [P(line, "small") for line in meta]
    out.append(Spacer(1, 8))
    out.append(_headline_table(data, width))
    out.append(Spacer(1, 8))
    unset = ("not confirmed: the incident was closed without a customer severity"
             if data.status in ("closed", "followed_up") else "not confirmed yet")
    severity = data.customer_severity or (f"{data.customer_severity_suggested} (suggested, not confirmed)"
                                          if data.customer_severity_suggested else unset)
    out.append(P(data.technical_severity, bold_prefix="Technical severity:"))
    out.append(P(severity, bold_prefix="Customer severity:"))
    if data.customer_severity_reason.strip():
        out.append(P(data.customer_severity_reason, bold_prefix="Reason:"))
    if data.customer_severity and data.severity_decided_by.strip():
        out.append(P(data.severity_decided_by, bold_prefix="Decided by:"))
    out.append(Spacer(1, 4))
    note = ("Personal data is redacted: emails, phones, card and bank numbers, addresses, dates of birth and "
            "people's names are masked, and customers are named Customer A, B, … consistently." if data.redacted else
            "NOT REDACTED: this report contains customers' personal data. Share it only with people who need it.")
    out.append(P(note, "small"))
    return out


def _headline_table(data: ReportData, width: float) -> Flowable:
    """Logs vs customers vs status page, big enough to read across a room."""
    st = styles()
    gap = status_page_gap(data.status_page_resolved, data.customer)
    figures = [("Logs (technical window)", format_duration(data.technical.duration if data.technical else None)),
               ("Customers (impact window)", format_duration(data.customer.duration if data.customer else None))]
    if gap is not None:
        figures.append(("Status page said resolved", f"{format_duration(gap)} before customers stopped asking"))
    elif data.status_page_resolved is not None:
        figures.append(("Status page said resolved", when(data.status_page_resolved, data.zone_name)))
    label = ParagraphStyle("hl_label", parent=st["small"], textColor=white)
    value = ParagraphStyle("hl_value", parent=st["headline"], textColor=white)
    cells = [[fonts.paragraph(k, label) for k, _ in figures], [fonts.paragraph(v, value) for _, v in figures]]
    colours = palette()["windows"]
    fills = [colours["technical"], colours["customer_impact"], colours["status_page"]]
    table = Table(cells, colWidths=[width / len(figures)] * len(figures))
    style: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 8),
             ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 1), (-1, 1), 8)]
    for i in range(len(figures)):
        style.append(("BACKGROUND", (i, 0), (i, 1), HexColor(fills[i])))
        style.append(("LINEAFTER", (i, 0), (i, 1), 3, white))
    table.setStyle(TableStyle(style))
    return KeepTogether([table, Spacer(1, 4), P(data.headline, "small")])


def timeline(data: ReportData, width: float) -> list[Flowable]:
    return [CondPageBreak(300), Heading("Timeline: system and customers"),
            P("Both lanes share one time axis. The bars above it are the technical window and the customer "
              "impact window; each customer bar is one conversation from its first to its last message.",
              "small"),
            Spacer(1, 6), _timeline_flowable(data, width)]


def _timeline_flowable(data: ReportData, width: float) -> Flowable:
    """The screen's own timeline drawing when this build has it; otherwise the report's simpler one."""
    try:
        from .pdf_canvas import SharedTimelineFlowable
    except ImportError:
        return TimelineFlowable(data, width, 270)
    return SharedTimelineFlowable(data, width, 300)


def system_events(data: ReportData, width: float) -> list[Flowable]:
    """The system lane in words: the timeline shortens labels where events crowd together."""
    if not data.system_events:
        return []
    rows = [[when(e.at, data.zone_name), e.kind, e.title] for e in data.system_events]
    return [Heading("System events", level=1),
            _table(["Time", "Kind", "Event"], rows, [w * width for w in (0.22, 0.13, 0.65)])]


# ---- narrative sections ---------------------------------------------------------------------------

def damage(data: ReportData) -> list[Flowable]:
    return [Heading("Customer damage"), P(_or_missing(data.customer_damage)),
            Spacer(1, 4), P(_or_missing(data.most_broken_task), bold_prefix="Most-broken customer task:")]


def answers(data: ReportData) -> list[Flowable]:
    out: list[Flowable] = [Heading("The five review questions")]
    for number, row in enumerate(data.answers, start=1):
        out.append(KeepTogether([fonts.paragraph(f"{number}. {row.question}", styles()["h2"]),
                                 P(_or_missing(row.answer, "Not answered yet."))]))
    return out


def quote_block(q: QuoteRow, data: ReportData, colour: str | None = None) -> Flowable:
    st = styles()
    meta = " · ".join(x for x in (
        q.customer or q.author, q.segment, f"{q.channel} {q.external_id}".strip(), when(q.at, data.zone_name),
        ", ".join(q.tags), "pre-existing" if q.pre_existing else "") if x)
    # The marks go through bidi with the text, so a Hebrew or Arabic quote opens on its right-hand side.
    body = [fonts.paragraph(f"“{q.text}”", st["quote"]), fonts.paragraph(meta, st["quote_meta"])]
    table = Table([["", body]], colWidths=[3, None])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (0, 0), HexColor(colour or "#999999")),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


def strongest(data: ReportData, tag: str, limit: int) -> list[QuoteRow]:
    """The incident's strongest quotes for one tag; pre-existing confusion is not incident evidence."""
    rows = [q for q in data.quotes if tag in q.tags and not q.pre_existing]
    return sorted(rows, key=lambda q: (-q.score, q.at.timestamp() if q.at else float("inf")))[:limit]


def _tag_colour(data: ReportData, tag: str) -> str:
    tags = palette()["tags"]
    for t in data.tag_counts:
        if t.name == tag:
            return tags[t.color % len(tags)]["light"]
    return palette()["untagged"]["light"]


class TagChart(Flowable):
    """Horizontal bars: quotes per tag, each labelled with its name and count."""

    def __init__(self, data: ReportData, width: float):
        super().__init__()
        self.rows = [t for t in data.tag_counts if t.count > 0]
        self.width = width
        self.bar_h, self.gap = 11, 4
        self.height = len(self.rows) * (self.bar_h + self.gap)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        tags = palette()["tags"]
        label_w = max((fonts.string_width(t.name, 8) for t in self.rows), default=0) + 8
        biggest = max((t.count for t in self.rows), default=1)
        usable = self.width - label_w - 30
        for i, row in enumerate(self.rows):
            y = self.height - (i + 1) * (self.bar_h + self.gap) + self.gap
            c.setFillColor(INK)
            fonts.draw_string(c, label_w - 6, y + 2.5, row.name, 8, anchor="right")
            bar = max(usable * row.count / biggest, 1.5)
            c.setFillColor(HexColor(tags[row.color % len(tags)]["light"]))
            c.rect(label_w, y, bar, self.bar_h, fill=1, stroke=0)
            c.setFillColor(INK)
            fonts.draw_string(c, label_w + bar + 4, y + 2.5, str(row.count), 8, fonts.SANS_BOLD)


def tags_section(data: ReportData, width: float) -> list[Flowable]:
    counted = [t for t in data.tag_counts if t.count > 0]
    out: list[Flowable] = [Heading("Customer harm by tag")]
    if not counted:
        return out + [P("No quotes have been tagged yet.")]
    # Heading, note and chart stay on one page: a heading alone at the foot of a page reads as a gap.
    out = [KeepTogether(out + [P("Quotes tagged on the board (suggestions that nobody accepted are not counted).",
                                 "small"), Spacer(1, 4), TagChart(data, width * 0.8)]), Spacer(1, 6)]
    for tag in sorted(counted, key=lambda t: -t.count):
        picked = strongest(data, tag.name, STRONGEST_PER_TAG)
        if not picked:
            continue
        head = Heading(f"{tag.name} ({tag.count})", level=1)
        blocks = [quote_block(q, data, _tag_colour(data, tag.name)) for q in picked]
        out.append(KeepTogether([head, blocks[0]]))
        out += blocks[1:]
    return out


def workarounds(data: ReportData) -> list[Flowable]:
    cost = next((a.answer for a in data.answers if a.key == "workaround"), "")
    out: list[Flowable] = [Heading("Workarounds and their cost"),
                           P(_or_missing(data.first_workaround), bold_prefix="First workaround:"),
                           P(_or_missing(cost, "Not answered yet."), bold_prefix="What it cost:")]
    seen: set[int] = set()
    picked = []
    for tag in ("risky-workaround", "manual-work"):
        for q in strongest(data, tag, 3):
            if q.id not in seen:
                seen.add(q.id)
                picked.append((q, tag))
    if picked:
        out.append(Spacer(1, 4))
        out += [quote_block(q, data, _tag_colour(data, tag)) for q, tag in picked]
    return out


def trust(data: ReportData) -> list[Flowable]:
    text = data.trust_signals.strip() or ("None seen (stated in the close-out)." if data.trust_signals_none_seen
                                          else "Not captured in the close-out yet.")
    out: list[Flowable] = [Heading("Trust signals"), P(text)]
    evidence = strongest(data, "trust-loss", 3)
    if evidence:
        out.append(P("Quotes tagged trust-loss:", "small"))
        out += [quote_block(q, data, _tag_colour(data, "trust-loss")) for q in evidence]
    return out


CELL_PADDING = 3


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    st = styles()
    cells = [[fonts.paragraph(h, st["cell_head"]) for h in header]]
    cells += [[fonts.paragraph(v, st["cell"]) for v in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE), ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING)]))
    return table


_ADDRESS_BREAKS = re.compile(r"(?=@)|(?<=[.\-_/])")


def fit_address(text: str, width: float, style: ParagraphStyle) -> str:
    """An email or a web address in lines that fit width, broken before "@" or after ". - _ /" only.

    A paragraph would split a too-long address anywhere ("anika.karimi@exam" / "ple.org"), which
    reads as two wrong addresses; a piece longer than the width on its own is left whole.
    """
    lines: list[str] = []
    for piece in _ADDRESS_BREAKS.split(text):
        if lines and stringWidth(lines[-1] + piece, style.fontName, style.fontSize) <= width:
            lines[-1] += piece
        elif piece:
            lines.append(piece)
    return "\n".join(lines)


def contacts(data: ReportData, width: float) -> list[Flowable]:
    out: list[Flowable] = [Heading("Accounts to contact")]
    if not data.contacts:
        return out + [P("No accounts have been flagged for direct contact yet.")]
    widths = [w * width for w in (0.15, 0.16, 0.1, 0.23, 0.11, 0.25)]
    room = widths[-1] - 2 * CELL_PADDING
    rows = [[c.customer, c.organization, c.segment, c.reason,
             f"Contacted {when(c.contacted_on, data.zone_name, False)}" if c.contacted else "Not yet",
             "\n".join(fit_address(x, room, styles()["cell"]) for x in (c.email, c.phone) if x)] for c in data.contacts]
    out.append(_table(["Customer", "Organization", "Segment", "Why", "Contact made", "Email / phone"], rows, widths))
    return out


def actions(data: ReportData, width: float) -> list[Flowable]:
    out: list[Flowable] = [Heading("Action items by area")]
    if not data.actions:
        return out + [P("No action items yet.")]
    by_area: dict[str, list] = defaultdict(list)
    for a in data.actions:
        by_area[a.area].append(a)
    known = [area.value for area in ActionArea]
    for area in [a for a in ("support", "product", "engineering", "operations") if a in by_area] + \
            [a for a in by_area if a not in known]:
        rows = [[a.description, a.owner or "—", when(a.due_date, data.zone_name), STATUS_WORDS.get(a.status, a.status)]
                for a in by_area[area]]
        out.append(Heading(f"{area.capitalize()} ({len(rows)})", level=1))
        out.append(_table(["Action", "Owner", "Due", "Status"], rows,
                          [w * width for w in (0.55, 0.17, 0.16, 0.12)]))
    missing = [a for a in ("support", "product", "engineering") if a not in by_area]
    if missing:
        out.append(P(f"No action item yet in: {', '.join(missing)}.", "small"))
    return out


def checklist(data: ReportData, width: float) -> list[Flowable]:
    if data.checklist is None:
        return []
    done = sum(1 for item in data.checklist if item.done)
    rows = [["✓ done" if item.done else "✗ missing", item.label, item.missing] for item in data.checklist]
    return [Heading("Close-out checklist"), P(f"{done} of {len(data.checklist)} items done."), Spacer(1, 3),
            _table(["State", "Item", "Still missing"], rows, [w * width for w in (0.13, 0.37, 0.5)])]


def follow_up(data: ReportData) -> list[Flowable]:
    if data.follow_up_at is None:
        text = "Not scheduled yet."
    else:
        text = when(data.follow_up_at, data.zone_name)
        if data.follow_up_done_at is not None:
            text += f" (held {when(data.follow_up_done_at, data.zone_name)})"
    return [Heading("Follow-up check"), P(text, bold_prefix="Follow-up:")]


# Whole-conversation cards are long and many (one click puts every conversation on the board): the
# appendix prints the most-tagged few, each cut to its opening, and says where the rest are.
WHOLE_CONVERSATION_LIMIT = 15
WHOLE_CONVERSATION_CHARS = 300


def _appendix_entry(q: QuoteRow, data: ReportData, text: str) -> list[Flowable]:
    st = styles()
    meta = " · ".join(x for x in (
        when(q.at, data.zone_name), f"{q.channel} {q.external_id}".strip(), q.customer or q.author,
        ", ".join(q.tags) or "untagged", "pre-existing" if q.pre_existing else "") if x)
    # Plain paragraphs, not tables: thousands of quotes must still lay out in seconds.
    return [fonts.paragraph(meta, st["appendix_meta"]), fonts.paragraph(text, st["appendix_text"])]


def _opening(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= WHOLE_CONVERSATION_CHARS:
        return text
    return text[:WHOLE_CONVERSATION_CHARS].rsplit(" ", 1)[0] + " …"


def appendix(data: ReportData) -> list[Flowable]:
    out: list[Flowable] = [Heading(f"Appendix: all quotes ({len(data.quotes)})")]
    if not data.quotes:
        return out + [P("No quotes yet.")]
    highlighted = [q for q in data.quotes if not q.whole_conversation]  # in time order
    whole = sorted((q for q in data.quotes if q.whole_conversation), key=lambda q: (-len(q.tags), -q.score))
    if highlighted:
        out.append(Heading(f"Quotes people highlighted ({len(highlighted)}), in time order", level=1))
        for q in highlighted:
            out += _appendix_entry(q, data, q.text)
    if whole:
        out.append(Heading(f"Whole conversations on the board ({len(whole)}), most tagged first", level=1))
        shown = whole[:WHOLE_CONVERSATION_LIMIT]
        for q in shown:
            out += _appendix_entry(q, data, _opening(q.text))
        if len(whole) > len(shown):
            out.append(P(f"{len(whole) - len(shown)} more whole conversations are not printed here; the XLSX "
                         "export lists every quote in full.", "small"))
    return out
