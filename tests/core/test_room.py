"""The room's slides: read from the same record as the PDF, one question at a time, harm with counts."""
from __future__ import annotations

from postmortem_desktop.domain.agenda import DEFAULT_AGENDA
from postmortem_desktop.domain.vocabulary import REVIEW_QUESTIONS, WORDING_TAGS
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.room import NOT_ANSWERED, QUOTES_PER_TAG, room_slides
from tests.helpers import billing_id


def test_every_default_agenda_step_has_a_room_view(demo):
    incident_id = billing_id(demo)
    for step in DEFAULT_AGENDA.steps:
        slides = room_slides(demo, incident_id, step.screen, step.payload)
        assert slides and all(slide.blocks for slide in slides), step.key


def test_a_screen_without_a_room_view_or_no_incident_gives_no_slides(demo):
    assert room_slides(demo, billing_id(demo), "followup") == ()
    assert room_slides(demo, -1, "board") == ()


def test_harm_slide_shows_every_counted_tag_with_its_count_harm_before_wording(demo):
    incident_id = billing_id(demo)
    data = gather(demo, incident_id)
    (slide,) = room_slides(demo, incident_id, "board")
    headings = [block.heading for block in slide.blocks if block.heading]
    counted = {t.name: t.count for t in data.tag_counts if t.count}
    assert len(headings) == len(counted)
    for tag, count in counted.items():
        assert any(h.startswith(f"{tag} · {count} quote") for h in headings), tag
    names = [h.split(" · ")[0] for h in headings]
    wording = [n in WORDING_TAGS for n in names]
    assert wording == sorted(wording)  # customer harm first, agent wording after it
    harm_counts = [counted[n] for n in names if n not in WORDING_TAGS]
    assert harm_counts == sorted(harm_counts, reverse=True)


def test_harm_slide_quotes_are_the_tags_own_strongest_and_not_repeated_while_others_remain(demo):
    incident_id = billing_id(demo)
    data = gather(demo, incident_id)
    (slide,) = room_slides(demo, incident_id, "board")
    texts = {q.text: q for q in data.quotes}
    current, per_tag, shown = "", {}, []
    for block in slide.blocks:
        if block.heading:
            current = block.heading.split(" · ")[0]
        elif block.kind == "quote":
            assert current in texts[block.text].tags and not texts[block.text].pre_existing
            per_tag.setdefault(current, []).append(block.text)
            shown.append(block.text)
    assert all(len(quotes) <= QUOTES_PER_TAG for quotes in per_tag.values())
    assert len(set(shown)) == len(shown)  # the demo has enough quotes for every tag to show its own


def test_questions_come_one_per_slide_in_order_with_the_stored_answer(demo):
    incident_id = billing_id(demo)
    data = gather(demo, incident_id)
    slides = room_slides(demo, incident_id, "review", "task")
    assert [s.blocks[0].text for s in slides] == [question for _key, question in REVIEW_QUESTIONS]
    assert [s.title for s in slides] == [f"Question {n} of 5" for n in range(1, 6)]
    for slide, answer in zip(slides, data.answers, strict=True):
        assert slide.blocks[1].text == (answer.answer.strip() or NOT_ANSWERED)


def test_the_fixes_slide_shows_every_required_area_saying_when_it_has_no_items(demo):
    from postmortem_desktop.storage.schema import ActionItem

    incident_id = billing_id(demo)
    with demo.transaction() as s:
        s.query(ActionItem).filter(ActionItem.incident_id == incident_id, ActionItem.area == "support").delete()
    (slide,) = room_slides(demo, incident_id, "actions")
    by_heading = {b.heading: b.text for b in slide.blocks}
    assert by_heading["Support"] == "No support items yet."
    assert "Product" in by_heading and "Engineering" in by_heading
    assert "No " not in by_heading["Engineering"]  # the demo's engineering items are listed as before
