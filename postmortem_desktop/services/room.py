"""What the room sees in facilitator mode: each agenda step's slides, read from the same record as the PDF."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.checklist import REQUIRED_AREAS
from ..domain.vocabulary import WORDING_TAGS
from ..reporting.report_data import QuoteRow, ReportData, gather
from ..storage.workspace import Workspace

#: quotes shown under each harm tag: the strongest by the PDF's own ranking, so room and report agree
QUOTES_PER_TAG = 2
NOT_ANSWERED = "Not answered yet."


@dataclass(frozen=True)
class RoomBlock:
    """One thing on a slide: a heading with its text, a quote, or a plain line."""

    text: str
    heading: str = ""
    #: "text"; "lead" (the slide's main sentence); "quote" (the customer's words, who said it in `source`);
    #: "picture" (the screen draws its own picture here: the dual timeline)
    kind: str = "text"
    source: str = ""


@dataclass(frozen=True)
class RoomSlide:
    """A slide's blocks in reading order; the screen splits them over as many pages as the projector needs."""

    title: str
    blocks: tuple[RoomBlock, ...]


def room_slides(workspace: Workspace, incident_id: int, screen: str, payload: str = "") -> tuple[RoomSlide, ...]:
    """The slides for an agenda step showing `screen` (with `payload`); empty when there is no room view of it.

    A step without a room view shows its editing screen instead (a workspace's own agenda may name any screen).
    """
    builder = _BUILDERS.get((screen, payload)) or _BUILDERS.get((screen, "*"))
    if builder is None or incident_id < 0:
        return ()
    return builder(gather(workspace, incident_id))


def _headline(data: ReportData) -> tuple[RoomSlide, ...]:
    # no lead sentence: the timeline picture states the headline itself, and the room should not read it twice
    blocks: list[RoomBlock] = []
    counted = sorted((t for t in data.tag_counts if t.count and t.name not in WORDING_TAGS), key=lambda t: -t.count)
    if counted:
        blocks.append(RoomBlock(" · ".join(f"{t.name} {t.count}" for t in counted), heading="Harm on the board"))
    # the dual timeline last: it takes the rest of the page, or a page of its own on a small projector
    blocks.append(RoomBlock("", kind="picture"))
    return (RoomSlide(data.title, tuple(blocks)),)


def _harm_by_tag(data: ReportData) -> tuple[RoomSlide, ...]:
    """The strongest quotes per harm tag, most-evidenced tag first, each with its count."""
    blocks: list[RoomBlock] = []
    shown: set[int] = set()
    # harm first, most evidence first; agent wording (calming/worsening) after it, for question 4
    for tag in sorted((t for t in data.tag_counts if t.count), key=lambda t: (t.name in WORDING_TAGS, -t.count)):
        ranked = strongest(data, tag.name, len(data.quotes))
        # a quote tagged twice is shown once, under its first tag, while the tag has other quotes to show
        quotes = ([q for q in ranked if q.id not in shown] + [q for q in ranked if q.id in shown])[:QUOTES_PER_TAG]
        shown.update(q.id for q in quotes)
        noun = "quote" if tag.count == 1 else "quotes"
        blocks.append(RoomBlock("", heading=f"{tag.name} · {tag.count} {noun}"))
        blocks += [RoomBlock(q.text, kind="quote", source=_who(q.customer, q.segment, q.channel)) for q in quotes]
    if not blocks:
        blocks.append(RoomBlock("Nothing is tagged yet: drag quotes onto the board's columns before the review."))
    return (RoomSlide("Customer harm, in their words", tuple(blocks)),)


def strongest(data: ReportData, tag: str, limit: int) -> list[QuoteRow]:
    """The PDF's own ranking of a tag's quotes (imported when used: reportlab is heavy, and the app starts
    and shows its window without it; the facilitator's room reads it only once the mode starts)."""
    from ..reporting.pdf_sections import strongest as ranked

    return ranked(data, tag, limit)


def _who(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


#: the harm each review question asks about, so its slide can show the customers' words beside the answer
QUESTION_TAGS = {"task": ("work-stopped",), "confusing": ("confusion",),
                 "workaround": ("risky-workaround", "manual-work"), "wording": ("calming-wording", "worsening-wording")}


def _questions(data: ReportData) -> tuple[RoomSlide, ...]:
    """One slide per review question, so the room reads one at a time, with the evidence for it."""
    count = len(data.answers)
    return tuple(RoomSlide(f"Question {n} of {count}",
                           (RoomBlock(answer.question, kind="lead"),
                            RoomBlock(answer.answer.strip() or NOT_ANSWERED, heading="The room's answer"),
                            *_evidence(data, answer.key)))
                 for n, answer in enumerate(data.answers, start=1))


def _evidence(data: ReportData, question: str) -> list[RoomBlock]:
    if question == "contact":
        lines = [_who(c.customer, c.organization, c.reason) + (" (contacted)" if c.contacted else "")
                 for c in data.contacts]
        return [RoomBlock("\n".join(lines), heading="On the contact list")] if lines else []
    blocks: list[RoomBlock] = []
    for tag in QUESTION_TAGS.get(question, ()):
        blocks += [RoomBlock(q.text, heading="" if blocks else "In the customers' words", kind="quote",
                             source=_who(q.customer, q.segment, tag)) for q in strongest(data, tag, 1)]
    return blocks


def _fixes(data: ReportData) -> tuple[RoomSlide, ...]:
    blocks: list[RoomBlock] = []
    # every area close-out asks for is shown, empty or not: a missing Support area must not pass unnoticed
    for area in dict.fromkeys([*REQUIRED_AREAS, *(a.area for a in data.actions)]):
        lines = [f"• {a.description} — {a.owner or 'no owner yet'}, "
                 f"{a.due_date.isoformat() if a.due_date else 'no date yet'}" for a in data.actions if a.area == area]
        blocks.append(RoomBlock("\n".join(lines) or f"No {area} items yet.", heading=area.capitalize()))
    return (RoomSlide("By area, with owners and dates", tuple(blocks)),)


def _closeout(data: ReportData) -> tuple[RoomSlide, ...]:
    damage = data.customer_damage.strip() or "Not written yet."
    blocks = [RoomBlock(damage, heading="Customer damage, in plain words")]
    if data.checklist is not None:
        missing = [f"{item.label}: {item.missing}" if item.missing else item.label
                   for item in data.checklist if not item.done]
        done = sum(item.done for item in data.checklist)
        summary = f"{done} of {len(data.checklist)} done"
        blocks.append(RoomBlock("\n".join(missing) if missing else "Nothing is missing: the incident can be closed.",
                                heading=f"Close-out: {summary}" + (" — still missing" if missing else "")))
    return (RoomSlide("Before the incident can close", tuple(blocks)),)


_BUILDERS = {
    ("timeline", "*"): _headline,
    ("board", "*"): _harm_by_tag,
    ("review", "task"): _questions,
    ("review", "customer_damage"): _closeout,
    ("actions", "*"): _fixes,
}
