"""Undoing an import, a pasted conversation or a new card never deletes work someone else built on it since: a card
made from its conversations, a tag or answer link on the card, a contact flag on its customer, an author's role
corrected. The undo is refused, names who (on a team workspace) and changes nothing; once that work is gone it
undoes, and redoes, as before. A paste's undo removes its own transcript batch record, not the latest one.

Ana works in the `demo` handle; Ben is a second client of the same team workspace (POSTMORTEM_USER=Ben), or on a
file the same handle (one person, whose later edit outside the undo stack is kept the same way). Both engines."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.domain.vocabulary import REVIEW_QUESTIONS
from postmortem_desktop.importers.records import ParsedMessage
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.contacts import FlagContacts
from postmortem_desktop.services.conversations import AddConversation, AddConversations, NewConversation
from postmortem_desktop.services.import_undo import UndoableImport
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.quotes import CorrectAuthorRole, CreateQuote
from postmortem_desktop.services.review_answers import LinkAnswerQuotes
from postmortem_desktop.services.tagging import AssignTag, list_tags
from postmortem_desktop.storage.undo_reach import changed_since
from tests.core.test_import_pipeline import T0, write_csv, zendesk_row

#: what a refusal says of a teammate's later import of the same tickets
REWRITTEN = "its tickets, rewritten by a later import of them (a status, a subject, a time or their messages)"


@pytest.fixture
def incident(demo) -> int:
    command = CreateIncident(title="Card payments", technical_start=T0, technical_end=T0 + timedelta(hours=2))
    command.do(demo)
    return command.incident_id


def names_ben(refused: pytest.ExceptionInfo, workspace_kind: str) -> bool:
    """On a team workspace the refusal says who; a file keeps no history of who edited."""
    return workspace_kind != "team" or "Ben" in str(refused.value)


def rows(workspace, sql: str, **params) -> list[tuple]:
    with workspace.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def conversations_of(workspace, incident: int) -> list[int]:
    return [cid for (cid,) in rows(workspace, "SELECT id FROM conversations WHERE incident_id = :i ORDER BY id",
                                   i=incident)]


def paste(author: str = "Priya", *, email: str = "", source: str = "chat.txt") -> NewConversation:
    return NewConversation(channel="chat", source_format="plain", source_name=source, customer_name=author,
                           customer_email=email,
                           messages=[ParsedMessage(author=author, text="I was charged twice for one invoice.",
                                                   at=T0 + timedelta(minutes=5), role="customer"),
                                     ParsedMessage(author="Sam", text="Sorry, we are refunding it now.",
                                                   at=T0 + timedelta(minutes=9), role="agent")])


# ---- a ticket import ---------------------------------------------------------------------------------------

@pytest.fixture
def imported(demo, incident, tmp_path) -> UndoableImport:
    """Ana's import of three tickets, as the app pushes it on her undo stack."""
    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "tickets.csv", [
        zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M")) for n in range(1, 4)]))
    summary = spreadsheet_import.run_import(demo, incident, plan)
    return UndoableImport(incident, summary, lambda: spreadsheet_import.import_generator(demo, incident, plan))


def test_an_import_is_not_undone_over_a_contact_flag_on_one_of_its_customers(demo, ben, incident, imported,
                                                                             workspace_kind):
    customer = rows(demo, "SELECT customer_id FROM conversations WHERE incident_id = :i ORDER BY id", i=incident)[0][0]
    flag = FlagContacts(incident, [(customer, "asked for a call back")])
    flag.do(ben)
    with pytest.raises(ChangedSince, match="contact flags on its customers") as refused:
        imported.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert len(conversations_of(demo, incident)) == 3  # nothing of the import was taken away
    assert rows(demo, "SELECT reason FROM incident_contacts WHERE incident_id = :i", i=incident) == \
        [("asked for a call back",)]
    flag.undo(ben)  # once Ben's flag is gone, the import undoes, and redoes, as before
    imported.undo(demo)
    assert conversations_of(demo, incident) == []
    imported.do(demo)
    assert len(conversations_of(demo, incident)) == 3


def test_an_import_is_not_undone_over_an_authors_role_corrected_in_one_of_its_tickets(demo, ben, incident, imported,
                                                                                      workspace_kind):
    conversation, author = rows(demo, "SELECT m.conversation_id, m.author FROM messages m JOIN conversations c "
                                      "ON c.id = m.conversation_id WHERE c.incident_id = :i ORDER BY m.id",
                                i=incident)[0]
    CorrectAuthorRole(incident, conversation, author, "agent").do(ben)
    with pytest.raises(ChangedSince, match="roles of its messages' authors") as refused:
        imported.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert rows(demo, "SELECT DISTINCT role FROM messages WHERE conversation_id = :c AND author = :a",
                c=conversation, a=author) == [("agent",)]


def test_an_import_is_not_undone_over_a_card_made_from_one_of_its_tickets(demo, ben, incident, imported,
                                                                         workspace_kind):
    card = CreateQuote(incident, conversations_of(demo, incident)[1])
    card.do(ben)
    with pytest.raises(ChangedSince, match="1 card made from it") as refused:
        imported.undo(demo)
    assert names_ben(refused, workspace_kind) and "tickets.csv" in str(refused.value)
    assert rows(demo, "SELECT id FROM quotes WHERE conversation_id = :c",
                c=conversations_of(demo, incident)[1]) == [(card.quote_id,)]


def test_an_import_is_not_undone_over_a_teammates_import_that_updated_its_tickets(demo, ben, incident, imported,
                                                                                 workspace_kind, tmp_path):
    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "later.csv", [
        zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"), body="Charged twice, still pending.")
        for n in range(1, 3)]))
    assert spreadsheet_import.run_import(ben, incident, plan).updated == 2  # Ben's dump has two of the tickets again
    with pytest.raises(ChangedSince, match="cannot be undone") as refused:
        imported.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert len(conversations_of(demo, incident)) == 3
    assert rows(demo, "SELECT count(*) FROM messages WHERE text = 'Charged twice, still pending.'") == [(2,)]
    # what Ben did is named: his import rewrote the tickets; nobody touched a role (it once said so)
    assert REWRITTEN in str(refused.value)
    assert "role" not in str(refused.value) and "Nothing was undone" in str(refused.value)


def test_an_import_undone_after_a_teammates_reimport_of_the_same_file_names_the_reimport(demo, ben, incident,
                                                                                         imported, workspace_kind,
                                                                                         tmp_path):
    """Ben imports tickets.csv again, grown since: one ticket's text changed, a fourth ticket added. Ana's undo is
    refused over his rewrite of her ticket, in words saying so; once Ben undoes his import, hers undoes."""
    grown = tmp_path / "ben"
    grown.mkdir()
    plan = spreadsheet_import.prepare_import(write_csv(grown / "tickets.csv", [
        zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"),
                    body="Charged twice, still pending." if n == 2 else "I clicked Pay and it spun.")
        for n in range(1, 5)]))
    bens = UndoableImport(incident, spreadsheet_import.run_import(ben, incident, plan),
                          lambda: spreadsheet_import.import_generator(ben, incident, plan))
    assert (bens.summary.imported, bens.summary.updated, bens.summary.unchanged) == (1, 1, 2)
    with pytest.raises(ChangedSince) as refused:
        imported.undo(demo)
    said = str(refused.value)
    assert said.startswith("“Import tickets.csv” cannot be undone") and names_ben(refused, workspace_kind)
    assert f"({REWRITTEN})" in said
    assert "role" not in said and "Nothing was undone" in said
    assert len(conversations_of(demo, incident)) == 4  # nothing of either import was taken away
    bens.undo(ben)  # Ben takes his import back: Ana's undoes as before
    imported.undo(demo)
    assert conversations_of(demo, incident) == []


def test_an_import_is_not_undone_over_a_teammates_later_export_that_changed_only_a_status(demo, ben, incident,
                                                                                          imported, workspace_kind,
                                                                                          tmp_path):
    """The common re-export: the same tickets a day later, one solved since, every message the same. Before, Ana's
    undo went through and deleted Ben's update with her tickets, without a word."""
    later = tmp_path / "ben"
    later.mkdir()
    solved = []
    for n in range(1, 4):
        row = zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"))
        if n == 2:
            row[9] = "solved"  # the status column (zendesk_row's "open")
        solved.append(row)
    plan = spreadsheet_import.prepare_import(write_csv(later / "tickets.csv", solved))
    bens = UndoableImport(incident, spreadsheet_import.run_import(ben, incident, plan),
                          lambda: spreadsheet_import.import_generator(ben, incident, plan))
    assert (bens.summary.imported, bens.summary.updated) == (0, 1)
    with pytest.raises(ChangedSince) as refused:
        imported.undo(demo)
    said = str(refused.value)
    assert f"({REWRITTEN})" in said
    assert names_ben(refused, workspace_kind) and "Nothing was undone" in said
    assert rows(demo, "SELECT status FROM conversations WHERE incident_id = :i ORDER BY id", i=incident) == \
        [("open",), ("solved",), ("open",)]
    bens.undo(ben)  # Ben takes his import back: Ana's undoes as before
    imported.undo(demo)
    assert conversations_of(demo, incident) == []


# ---- a pasted conversation -----------------------------------------------------------------------------------

def test_a_paste_is_not_undone_over_a_card_made_from_it(demo, ben, incident, workspace_kind):
    mine = AddConversation(incident, paste())
    mine.do(demo)
    card = CreateQuote(incident, mine.conversation_id)
    card.do(ben)
    with pytest.raises(ChangedSince, match="1 card made from it") as refused:
        mine.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert conversations_of(demo, incident) == [mine.conversation_id]
    assert rows(demo, "SELECT id FROM quotes WHERE conversation_id = :c", c=mine.conversation_id) == \
        [(card.quote_id,)]
    card.undo(ben)  # Ben's card gone: the paste undoes, and redoes under the same id, as before
    mine.undo(demo)
    assert conversations_of(demo, incident) == []
    mine.do(demo)
    assert conversations_of(demo, incident) == [mine.conversation_id]


def test_a_paste_is_not_undone_over_a_contact_flag_on_the_customer_it_added(demo, ben, incident, workspace_kind):
    mine = AddConversation(incident, paste("Wren Okafor", email="wren@okafor.example"))
    mine.do(demo)
    customer = rows(demo, "SELECT customer_id FROM conversations WHERE id = :c", c=mine.conversation_id)[0][0]
    FlagContacts(incident, [(customer, "asked for a call back")]).do(ben)
    with pytest.raises(ChangedSince, match="contact flags on its customers") as refused:
        mine.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert rows(demo, "SELECT customer_id FROM incident_contacts WHERE incident_id = :i", i=incident) == \
        [(customer,)]


def test_a_paste_undo_removes_its_own_transcript_batch_and_leaves_a_later_one(demo, ben, incident):
    mine = AddConversation(incident, paste(source="ana-chat.txt"))
    mine.do(demo)
    AddConversation(incident, paste("Wren", source="ben-chat.txt")).do(ben)  # Ben's paste, after Ana's
    mine.undo(demo)
    assert rows(demo, "SELECT file_name FROM import_batches WHERE incident_id = :i AND kind = 'transcript'",
                i=incident) == [("ben-chat.txt",)]
    mine.do(demo)  # the redo puts Ana's record back
    assert sorted(rows(demo, "SELECT file_name FROM import_batches WHERE incident_id = :i AND kind = 'transcript'",
                       i=incident)) == [("ana-chat.txt",), ("ben-chat.txt",)]


def test_added_chat_threads_are_not_undone_over_a_card_made_from_one(demo, ben, incident, workspace_kind):
    mine = AddConversations(incident, [paste(), paste("Wren")], batch_kind="chat_export", file_name="export.zip")
    mine.do(demo)
    CreateQuote(incident, mine.conversation_ids[1]).do(ben)
    with pytest.raises(ChangedSince, match="1 card made from it") as refused:
        mine.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert conversations_of(demo, incident) == mine.conversation_ids


# ---- a new card ----------------------------------------------------------------------------------------------

def test_a_new_card_is_not_undone_over_a_tag_a_teammate_gave_it(demo, ben, incident, workspace_kind):
    conversation = AddConversation(incident, paste())
    conversation.do(demo)
    mine = CreateQuote(incident, conversation.conversation_id)
    mine.do(demo)
    tag = next(t for t in list_tags(demo) if t.name == "trust-loss")
    AssignTag(incident, [mine.quote_id], tag.id, tag.name).do(ben)
    with pytest.raises(ChangedSince, match="tags on its cards") as refused:
        mine.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert rows(demo, "SELECT tag_id FROM tag_assignments WHERE quote_id = :q AND source = 'manual'",
                q=mine.quote_id) == [(tag.id,)]


def test_a_new_card_is_not_undone_over_a_teammates_answer_link_and_undoes_once_it_is_gone(demo, ben, incident,
                                                                                          workspace_kind):
    conversation = AddConversation(incident, paste())
    conversation.do(demo)
    mine = CreateQuote(incident, conversation.conversation_id)
    mine.do(demo)
    link = LinkAnswerQuotes(incident, REVIEW_QUESTIONS[0][0], [mine.quote_id])
    link.do(ben)
    with pytest.raises(ChangedSince, match="answer or action item links to its cards") as refused:
        mine.undo(demo)
    assert names_ben(refused, workspace_kind)
    assert rows(demo, "SELECT quote_id FROM review_answer_quotes") == [(mine.quote_id,)]
    link.undo(ben)
    mine.undo(demo)  # the refusal left the card's undo as it was: it runs now, and redoes
    assert rows(demo, "SELECT id FROM quotes WHERE conversation_id = :c", c=conversation.conversation_id) == []
    mine.do(demo)
    assert rows(demo, "SELECT id FROM quotes WHERE conversation_id = :c", c=conversation.conversation_id) == \
        [(mine.quote_id,)]


def test_a_later_import_that_rewrote_the_tickets_is_named_once_for_them_and_their_messages():
    made = {"messages": "a", "tickets": "a", "roles": "a", "cards": ()}
    assert changed_since(made, {**made, "messages": "b", "tickets": "b", "roles": "b"}) == REWRITTEN


def test_roles_and_message_tags_are_named_only_when_the_messages_are_the_same():
    """Both are measured on the messages as they are: other messages (a re-import's) change them with them."""
    made = {"messages": "a", "roles": "a", "message tags": "a", "cards": ()}
    assert changed_since(made, {**made, "roles": "b"}) == "the roles of its messages' authors"
    assert changed_since(made, {**made, "messages": "b", "roles": "b", "message tags": "b"}) == \
        "its conversations' messages, updated or added to by a later import or paste"
    assert changed_since(made, {**made, "messages": "b", "roles": "b", "cards": (7,)}) == \
        "1 card made from it and its conversations' messages, updated or added to by a later import or paste"
