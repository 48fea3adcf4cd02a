"""A search's pages: the incident's conversations by their newest matching message, then by subject.

On a team workspace the newest messages are tried first (a common word fills a page there) before every
match is gathered; either way each page must read as one order, with no conversation twice or missing.
"""
from __future__ import annotations

from sqlalchemy import text

from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.search_index import search_conversation_ids


def _conversation(conn, incident: int, subject: str, texts: list[str]) -> int:
    conversation = conn.execute(text(
        "INSERT INTO conversations (incident_id, channel, subject, status, customer_task, symptom, pre_existing, "
        "vendor_tags) VALUES (:i, 'chat', :s, '', '', '', false, '') RETURNING id"), {"i": incident, "s": subject}
    ).scalar_one()
    for position, body in enumerate(texts):
        conn.execute(text("INSERT INTO messages (conversation_id, position, author, role, text) "
                          "VALUES (:c, :p, 'a', 'customer', :t)"), {"c": conversation, "p": position, "t": body})
    return conversation


def test_pages_of_a_word_read_as_one_order_newest_match_first_then_subjects(workspace):
    ours, theirs = CreateIncident(title="Ours"), CreateIncident(title="Theirs")
    ours.do(workspace)
    theirs.do(workspace)
    expected_by_message: list[tuple[int, int]] = []  # (newest matching message's id, conversation)
    by_subject = []
    with workspace.engine.begin() as conn:
        for n in range(700):
            # the word in some old and some new messages, a second matching message in a few, other
            # incidents' matches among the newest, and subjects that match without any message
            incident = theirs.incident_id if n % 3 == 0 else ours.incident_id
            texts = ["the otter came back" if n % 7 == 0 or n > 640 else "nothing here", "and again otter"
                     if n % 50 == 0 else "fine now"]
            subject = "otter subject" if n % 97 == 0 else "about billing"
            cid = _conversation(conn, incident, subject, texts)
            if incident != ours.incident_id:
                continue
            ids = [m for (m, body) in conn.execute(text(
                "SELECT id, text FROM messages WHERE conversation_id = :c ORDER BY id"), {"c": cid}) if "otter" in body]
            if ids:
                expected_by_message.append((max(ids), cid))
            elif "otter" in subject:
                by_subject.append(cid)
    expected = [cid for _m, cid in sorted(expected_by_message, reverse=True)] + sorted(by_subject, reverse=True)
    assert len(expected) > 60
    with workspace.engine.connect() as conn:
        assert search_conversation_ids(conn, ours.incident_id, "otter", limit=len(expected) + 10) == expected
        pages = [search_conversation_ids(conn, ours.incident_id, "otter", limit=25, offset=offset)
                 for offset in range(0, len(expected) + 25, 25)]
        assert [cid for page in pages for cid in page] == expected
        assert search_conversation_ids(conn, ours.incident_id, "walrus") == []
