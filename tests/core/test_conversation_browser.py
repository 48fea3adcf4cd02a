"""Browsing an incident's conversations, with or without cards, and searching inside them."""
import re

from sqlalchemy import text

from postmortem_desktop.services.conversation_browser import browse_conversations, count_uncarded_matches
from postmortem_desktop.services.incidents import IncidentService


def billing(ws):
    return next(i.id for i in IncidentService(ws).list_incidents() if "Billing" in i.title)


def test_every_conversation_of_the_incident_is_listed_in_time_order_with_its_card_count(demo):
    incident_id = billing(demo)
    rows = browse_conversations(demo, incident_id)
    with demo.engine.connect() as c:
        total = c.execute(text("SELECT count(*) FROM conversations WHERE incident_id = :i"),
                          {"i": incident_id}).scalar()
        carded = c.execute(text("SELECT count(DISTINCT q.conversation_id) FROM quotes q JOIN conversations c "
                                "ON c.id = q.conversation_id WHERE c.incident_id = :i"), {"i": incident_id}).scalar()
    assert len(rows) == total
    assert sum(1 for r in rows if r.cards) == carded < total  # the demo has conversations without a card
    starts = [r.started for r in rows if r.started]
    assert starts == sorted(starts)


def test_words_inside_a_conversation_without_a_card_are_found(demo):
    incident_id = billing(demo)
    with demo.engine.connect() as c:
        cid, body = c.execute(text(
            "SELECT c.id, m.text FROM conversations c JOIN messages m ON m.conversation_id = c.id "
            "WHERE c.incident_id = :i AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.conversation_id = c.id) "
            "ORDER BY c.id, m.position LIMIT 1"), {"i": incident_id}).one()
    word = max(re.findall(r"[A-Za-z]{5,}", body), key=len)
    found = browse_conversations(demo, incident_id, word)
    assert cid in [r.id for r in found]
    assert all(r.cards == 0 for r in found if r.id == cid)
    assert browse_conversations(demo, incident_id, "zzqxnotaword") == []


def test_the_count_of_uncarded_matches_agrees_with_the_listed_rows(demo):
    incident_id = billing(demo)
    for query in ("charged", "invoice", "payment", "the", "zzqxnotaword", ""):
        listed = browse_conversations(demo, incident_id, query) if query else []
        assert count_uncarded_matches(demo, incident_id, query).count == sum(1 for r in listed if not r.cards), query
    assert count_uncarded_matches(demo, incident_id, "the").count > 0  # the check above compared something


def test_a_count_of_the_first_matches_only_says_there_may_be_more(demo):
    incident_id = billing(demo)
    everything = count_uncarded_matches(demo, incident_id, "the")
    assert everything.count > 2 and not everything.at_least
    first_two = count_uncarded_matches(demo, incident_id, "the", limit=2)
    assert first_two.count <= 2 and first_two.at_least
