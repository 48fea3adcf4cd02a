"""One rule for how many quotes show a harm: the board, the room, the PDF and the follow-up check agree."""
from __future__ import annotations

from postmortem_desktop.domain.harm_count import HarmCount, count_harm
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.followup import FollowUpService
from postmortem_desktop.services.room import room_slides
from tests.helpers import billing_id


def test_a_quote_counts_once_per_tag_and_old_confusion_apart():
    counts = count_harm([(["confusion", "trust-loss"], False), (["confusion", "confusion"], False),
                         (["confusion"], True)])
    assert counts == {"confusion": HarmCount(2, 1), "trust-loss": HarmCount(1, 0)}


def test_report_counts_old_confusion_apart_from_incident_damage(demo):
    data = gather(demo, billing_id(demo))
    confusion = next(t for t in data.tag_counts if t.name == "confusion")
    old = [q for q in data.quotes if q.pre_existing and "confusion" in q.tags]
    new = [q for q in data.quotes if not q.pre_existing and "confusion" in q.tags]
    assert old, "the demo keeps some old confusion apart"
    assert (confusion.count, confusion.pre_existing) == (len(new), len(old))


def test_room_and_follow_up_show_the_reports_count_for_every_tag(demo):
    incident_id = billing_id(demo)
    counted = {t.name: t.count for t in gather(demo, incident_id).tag_counts if t.count}
    (slide,) = room_slides(demo, incident_id, "board")
    in_room = {h.split(" · ")[0]: int(h.split(" · ")[1].split()[0]) for h in
               (b.heading for b in slide.blocks) if h}
    assert in_room == counted
    repeat = FollowUpService(demo).view(incident_id).repeat
    assert {r.tag: r.at_review + r.after_review for r in repeat} == counted
