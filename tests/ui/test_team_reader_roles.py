"""Correcting an author's role in the reader on a team workspace: a teammate's correction the reader has not shown
yet is offered beside the person's own (Keep mine / Take theirs, naming her), never overwritten silently. The change
feed is stopped, so the teammate's correction reaches the reader only through the refusal (`shown`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.services.quotes import CorrectAuthorRole
from postmortem_desktop.storage.schema import Conversation, Message
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def reader(qtbot, team_demo_url):
    from ui.reader.conversation_reader import ConversationReaderWidget

    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    hub.set_session(session, "UTC")
    session._teammates.stop()  # the teammate's notice never arrives: only `shown` can catch the race
    hub.set_incident(billing_id(session.workspace))
    screen = ConversationReaderWidget(hub)
    qtbot.addWidget(screen)
    screen.show()
    yield screen
    session.close()


def _customer_shown(reader, teammate) -> tuple[int, str]:
    iid = billing_id(teammate)
    with teammate.reading() as s:
        cid, author = s.execute(select(Message.conversation_id, Message.author).join(
            Conversation, Conversation.id == Message.conversation_id).where(
            Conversation.incident_id == iid, Message.role == "customer").order_by(Message.id).limit(1)).one()
    reader.show_conversation(cid)
    return cid, author


def _roles(ws, cid: int, author: str) -> set[str]:
    with ws.reading() as s:
        return set(s.scalars(select(Message.role).where(Message.conversation_id == cid, Message.author == author)))


def _shown_roles(reader, author: str) -> set[str]:
    return {m.role for m in reader.conversation.messages if m.author == author}


def _ana_marks_internal(teammate, cid: int, author: str) -> None:
    CorrectAuthorRole(billing_id(teammate), cid, author, "internal").do(teammate)


def test_a_role_a_teammate_corrected_since_offers_both_and_take_theirs_shows_theirs(qtbot, reader, teammate,
                                                                                  answer_with):
    shown = answer_with("take_button")
    cid, author = _customer_shown(reader, teammate)
    _ana_marks_internal(teammate, cid, author)
    reader._set_role(author, "agent")
    assert len(shown) == 1 and "changed by Ana" in shown[0].text()
    assert "Yours: agent" in shown[0].informativeText() and "Theirs: internal" in shown[0].informativeText()
    assert shown[0].later_button.isHidden()  # a menu choice has nowhere to wait
    assert _roles(teammate, cid, author) == {"internal"}
    assert _shown_roles(reader, author) == {"internal"}  # the reader read it again


def test_a_role_a_teammate_corrected_since_and_keep_mine_marks_it_as_mine(qtbot, reader, teammate, answer_with):
    shown = answer_with("keep_button")
    cid, author = _customer_shown(reader, teammate)
    _ana_marks_internal(teammate, cid, author)
    reader._set_role(author, "agent")
    assert len(shown) == 1  # asked first
    assert _roles(teammate, cid, author) == {"agent"}

