"""The board's reads: cards with their tags in one query, and search plans that stay cheap on PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.services.quotes import board_cards, conversation_matched_quote_ids
from postmortem_desktop.services.tagging import list_tags
from postmortem_desktop.storage.schema import Conversation, Message, Quote, TagAssignment
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import create_workspace
from tests.helpers import board_search

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _statements_run(ws, action):
    """The SQL statements (with their parameters) that action() sends to the workspace's engine."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(ws.engine, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        event.remove(ws.engine, "before_cursor_execute", record)
    return result, seen


def test_cards_come_with_their_tags_in_column_order_and_without_dismissed_ones(workspace):
    incident = CreateIncident(title="Board").do(workspace) or IncidentService(workspace).list_incidents()[0].id
    tags = {t.name: t for t in list_tags(workspace)}
    with workspace.transaction() as session:
        conv = Conversation(incident_id=incident, subject="s", first_at=T0)
        session.add(conv)
        session.flush()
        message = Message(conversation_id=conv.id, at=T0, text="charged twice and scared", role="customer")
        session.add(message)
        session.flush()
        bare, tagged = (Quote(conversation_id=conv.id, message_id=message.id, start=0, end=7, text="charged"),
                        Quote(conversation_id=conv.id, message_id=message.id, start=18, end=24, text="scared"))
        session.add_all([bare, tagged])
        session.flush()
        # written out of column order, so the card's order must come from the tags' positions
        session.execute(insert(TagAssignment), [
            {"tag_id": tags["data-fear"].id, "quote_id": tagged.id, "source": "manual", "phrase": ""},
            {"tag_id": tags["confusion"].id, "quote_id": tagged.id, "source": "manual", "phrase": ""},
            {"tag_id": tags["trust-loss"].id, "quote_id": tagged.id, "source": "suggested", "phrase": "scared"},
            {"tag_id": tags["churn-risk"].id, "quote_id": tagged.id, "source": "dismissed", "phrase": "x"},
        ])
        ids = bare.id, tagged.id
    cards = board_cards(workspace, incident)
    by_id = {c.quote_id: c for c in cards}
    assert set(by_id) == set(ids)  # a card with three tag rows is still one card
    card = by_id[ids[1]]
    expected = [t.id for t in sorted((tags["data-fear"], tags["confusion"]), key=lambda t: (t.position, t.id))]
    assert card.tag_ids == tuple(expected)
    assert [t.name for t in card.suggestions] == ["trust-loss"] and card.suggestions[0].phrase == "scared"
    assert by_id[ids[0]].tags == () and by_id[ids[0]].suggestions == ()
    assert [c.quote_id for c in board_cards(workspace, incident, [ids[1]])] == [ids[1]]


def test_a_team_search_for_a_word_nothing_has_asks_the_index_not_every_message(team_database):
    """Read through a cursor, the search is planned to start fast; it must still take its matches from the
    GIN index rather than walk every message working out its words (2.4 s over 100k messages)."""
    ws = create_workspace(team_database)
    try:
        incident = CreateIncident(title="Search").do(ws) or IncidentService(ws).list_incidents()[0].id
        with ws.transaction() as session:
            session.execute(insert(Conversation), [
                {"id": n, "incident_id": incident, "subject": f"subject {n}", "first_at": T0} for n in range(1, 3001)])
            session.execute(insert(Message), [
                {"conversation_id": n, "at": T0 + timedelta(seconds=n), "text": f"refund please number {n}",
                 "role": "customer"} for n in range(1, 3001)])
        with ws.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        with ws.reading() as session:
            conn = session.connection()
            found, statements = _statements_run(ws, lambda: search_conversation_ids(conn, incident, "zzzq"))
            assert found == []
            assert len(found_refund := search_conversation_ids(conn, incident, "refund", limit=20)) == 20
            assert found_refund == list(range(3000, 2980, -1))  # newest message first
            plans = []
            for sql, params in statements:  # as search_page reads them: through a cursor
                plans.append("\n".join(r[0] for r in conn.exec_driver_sql(
                    f"EXPLAIN DECLARE plan_check CURSOR FOR {sql}", params)))
        # the newest few messages first (a bounded walk: at most NEWEST_PER_WANTED rows per conversation
        # wanted), then every match by the messages' index, then by the subjects'
        assert len(plans) == 3
        assert plans[0].count("Limit") == 2 and "messages_pkey" in plans[0], plans[0]
        assert "message_search" in plans[1] and "conversation_search" in plans[2], plans
    finally:
        ws.close()



def test_a_search_finds_cards_by_their_conversation_subject_or_text_in_this_incident_only(workspace):
    service = IncidentService(workspace)
    for title in ("This one", "Another"):
        CreateIncident(title=title).do(workspace)
    mine, other = (i.id for i in sorted(service.list_incidents(), key=lambda i: i.title != "This one"))
    with workspace.transaction() as session:
        def card(incident, subject, body, quoted):
            conv = Conversation(incident_id=incident, subject=subject, first_at=T0)
            session.add(conv)
            session.flush()
            message = Message(conversation_id=conv.id, at=T0, text=body, role="customer")
            session.add(message)
            session.flush()
            quote = Quote(conversation_id=conv.id, message_id=message.id, start=0, end=len(quoted), text=quoted)
            session.add(quote)
            session.flush()
            return quote.id

        by_message = card(mine, "billing", "the refund never came", "the")
        by_subject = card(mine, "Refund request", "hello", "hello")
        by_text = card(mine, "billing", "hello", "REFUNDED twice")  # the card's own words, inside a word too
        card(mine, "billing", "all fine", "all fine")
        card(other, "Refund request", "the refund never came", "refund")  # another incident's card
    # the database answers for the conversations; the board, holding every card, for the cards' own text
    assert conversation_matched_quote_ids(workspace, mine, "refund") == {by_message, by_subject}
    assert board_search(workspace, mine, "refund") == {by_message, by_subject, by_text}
    assert board_search(workspace, mine, "refund twice") == {by_text}
    assert board_search(workspace, mine, "fund") == {by_text}  # not a word's start: only a card's own text
    assert board_search(workspace, mine, "zzzq") == set()
    assert board_search(workspace, mine, "?!") == set()  # punctuation only: no words, nothing matches
