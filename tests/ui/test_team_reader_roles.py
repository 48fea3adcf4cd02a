"""Correcting an author's role in the reader on a team workspace: a teammate's correction the reader has not shown
yet is offered beside the person's own (Keep mine / Take theirs, naming her), never overwritten silently. The change
feed is stopped, so the teammate's correction reaches the reader only through the refusal (`shown`)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu
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


def _roles_menu(reader, author: str) -> QMenu:
    """The author's submenu of Roles, as the reader builds it when the person opens it."""
    menu = QMenu()
    reader._add_role_submenu(menu, author, next(iter(_shown_roles(reader, author))))
    return menu


def _choose(menu: QMenu, role: str) -> None:
    (sub,) = [action.menu() for action in menu.actions() if action.menu() is not None]
    next(action for action in sub.actions() if action.text().lower() == role).trigger()


def test_a_role_a_teammate_corrected_since_offers_both_and_take_theirs_shows_theirs(qtbot, reader, teammate,
                                                                                  answer_with):
    shown = answer_with("take_button")
    cid, author = _customer_shown(reader, teammate)
    menu = _roles_menu(reader, author)
    _ana_marks_internal(teammate, cid, author)
    _choose(menu, "agent")
    assert len(shown) == 1 and "changed by Ana" in shown[0].text()
    assert "Yours: agent" in shown[0].informativeText() and "Theirs: internal" in shown[0].informativeText()
    assert shown[0].later_button.isHidden()  # a menu choice has nowhere to wait
    assert _roles(teammate, cid, author) == {"internal"}
    assert _shown_roles(reader, author) == {"internal"}  # the reader read it again


def test_a_role_a_teammate_corrected_since_and_keep_mine_marks_it_as_mine(qtbot, reader, teammate, answer_with):
    shown = answer_with("keep_button")
    cid, author = _customer_shown(reader, teammate)
    menu = _roles_menu(reader, author)
    _ana_marks_internal(teammate, cid, author)
    _choose(menu, "agent")
    assert len(shown) == 1  # asked first
    assert _roles(teammate, cid, author) == {"agent"}



def test_a_choice_from_a_menu_opened_before_a_teammates_correction_arrived_asks_first(qtbot, reader, teammate,
                                                                                    answer_with):
    """Found in a user's trial: the open menu still ticked the old role while the reader, re-read, showed hers; the
    choice was made from what the reader showed by then, and overwrote her correction without a word."""
    shown = answer_with("take_button")
    cid, author = _customer_shown(reader, teammate)
    menu = _roles_menu(reader, author)  # opened: "customer" ticked
    _ana_marks_internal(teammate, cid, author)
    reader.show_conversation(cid)  # her correction arrives and the reader re-reads; the open menu does not
    assert _shown_roles(reader, author) == {"internal"}
    _choose(menu, "agent")
    assert len(shown) == 1 and "changed by Ana" in shown[0].text()
    assert _roles(teammate, cid, author) == {"internal"}
