"""The Review's contact list on a team workspace, a teammate's change arriving through the change feed: a reason
being typed in its cell stays there (a neighbour listed, or that very reason changed: said, then offered), and a
removal made from a row the teammate changed since asks first."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit

from postmortem_desktop.services.contacts import ContactService, EditContact, FlagContacts
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen

MINE = "Ben: they missed payroll because of us"


@pytest.fixture
def review(qtbot, team_demo_url, teammate):
    iid = billing_id(teammate)
    FlagContacts(iid, [(s.customer_id, "lost money")
                       for s in ContactService(teammate).contact_suggestions(iid)[:3]]).do(teammate)
    for screen in review_screen(qtbot, team_demo_url):
        screen.tabs.setCurrentIndex(next(i for i in range(screen.tabs.count())
                                         if screen.tabs.widget(i).isAncestorOf(screen.contacts)))
        yield screen


def _stored(workspace, customer_id: int):
    return next((c for c in ContactService(workspace).contacts(billing_id(workspace)) if c.customer_id == customer_id),
                None)


def _cell_editors(contacts) -> list[QLineEdit]:
    """The cell editors open in the contact list (a closed one is hidden until it is deleted)."""
    return [editor for editor in contacts.view.findChildren(QLineEdit) if editor.isVisible()]


def _typing(qtbot, contacts, row: int, words: str) -> QLineEdit:
    """Opens the reason's cell of the row and types words there (not saved yet)."""
    index = contacts.model.index(row, contacts.model.COL_REASON)
    contacts.view.setCurrentIndex(index)
    contacts.view.edit(index)
    qtbot.waitUntil(lambda: len(_cell_editors(contacts)) == 1, timeout=2000)
    editor, = _cell_editors(contacts)
    editor.setText(words)
    return editor


def _enter(qtbot, contacts, editor: QLineEdit) -> None:
    """Enter in the cell: the view saves the words and closes the editor on its next turn."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all(other is not editor for other in _cell_editors(contacts)), timeout=2000)


def _rereads(contacts, monkeypatch) -> list:
    """Counts the contact list's re-reads (a teammate's change heard)."""
    calls: list = []
    shown = contacts.show_contacts
    monkeypatch.setattr(contacts, "show_contacts", lambda *args: (calls.append(args), shown(*args)))
    return calls


def test_a_reason_being_typed_stays_in_its_cell_while_a_teammate_lists_another_customer(qtbot, review, teammate):
    contacts, iid = review.contacts, billing_id(teammate)
    typed_for = contacts.model.rows[0].customer_id
    editor = _typing(qtbot, contacts, 0, MINE)
    other = ContactService(teammate).contact_suggestions(iid)[0]
    FlagContacts(iid, [(other.customer_id, "Ana: churn risk")]).do(teammate)
    qtbot.waitUntil(lambda: any(r.customer_id == other.customer_id for r in contacts.model.rows), timeout=3000)
    assert _cell_editors(contacts) == [editor] and editor.text() == MINE
    assert not contacts.typing_note.isVisibleTo(review)  # nothing of the reason being typed changed
    _enter(qtbot, contacts, editor)
    assert _stored(teammate, typed_for).reason == MINE
    qtbot.waitUntil(lambda: next(r.reason for r in contacts.model.rows if r.customer_id == typed_for) == MINE,
                    timeout=2000)
    assert any(r.customer_id == other.customer_id for r in contacts.model.rows)


@pytest.mark.parametrize(("button", "stored_then"), [("keep_button", MINE), ("take_button", "Ana: called them")])
def test_a_teammates_change_of_the_reason_being_typed_is_said_then_offered(qtbot, review, teammate, answer_with,
                                                                          monkeypatch, button, stored_then):
    contacts, iid = review.contacts, billing_id(teammate)
    shown = contacts.model.rows[1]
    editor = _typing(qtbot, contacts, 1, MINE)
    rereads = _rereads(contacts, monkeypatch)
    EditContact(iid, shown.customer_id, shown, reason="Ana: called them").do(teammate)
    qtbot.waitUntil(lambda: bool(rereads), timeout=3000)
    assert _cell_editors(contacts) == [editor] and editor.text() == MINE
    assert contacts.typing_note.isVisibleTo(review) and "Ana: called them" in contacts.typing_note.text()
    assert contacts.typing_note.text().startswith("Ana changed this reason")  # named, as every other screen does
    dialogs = answer_with(button)
    _enter(qtbot, contacts, editor)
    assert len(dialogs) == 1 and "Ana: called them" in dialogs[0].informativeText() \
        and MINE in dialogs[0].informativeText()
    assert _stored(teammate, shown.customer_id).reason == stored_then
    qtbot.waitUntil(lambda: next(r.reason for r in contacts.model.rows if r.customer_id == shown.customer_id)
                    == stored_then, timeout=2000)
    assert not contacts.typing_note.isVisibleTo(review)


def test_words_left_for_later_go_back_into_the_cell_and_saving_them_asks_again(qtbot, review, teammate, answer_with,
                                                                               monkeypatch):
    contacts, iid = review.contacts, billing_id(teammate)
    shown = contacts.model.rows[0]
    editor = _typing(qtbot, contacts, 0, MINE)
    rereads = _rereads(contacts, monkeypatch)
    EditContact(iid, shown.customer_id, shown, reason="Ana: called them").do(teammate)
    qtbot.waitUntil(lambda: bool(rereads), timeout=3000)
    dialogs = answer_with("later_button")
    _enter(qtbot, contacts, editor)
    qtbot.waitUntil(lambda: [e.text() for e in _cell_editors(contacts)] == [MINE], timeout=2000)
    assert _stored(teammate, shown.customer_id).reason == "Ana: called them"
    answer_with("keep_button")
    _enter(qtbot, contacts, _cell_editors(contacts)[0])
    assert len(dialogs) == 2  # still made from what the words were typed over: asked again
    assert _stored(teammate, shown.customer_id).reason == MINE


@pytest.mark.parametrize(("button", "removed"), [("take_button", False), ("keep_button", True)])
def test_removing_a_contact_a_teammate_recorded_meanwhile_asks_first(qtbot, review, teammate, answer_with,
                                                                     monkeypatch, button, removed):
    contacts, iid = review.contacts, billing_id(teammate)
    target = contacts.model.rows[0]
    contacts.view.setCurrentIndex(contacts.model.index(0, 0))

    def why(*_args, **_kwargs):  # while the person says why, Ana records that she called them
        EditContact(iid, target.customer_id, target, contacted=True,
                    reason="Ana: called, call back Friday").do(teammate)
        return "internal account, no contact needed", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(why))
    dialogs = answer_with(button)
    contacts.remove_button.click()
    assert len(dialogs) == 1 and "Ana" in dialogs[0].windowTitle()
    assert "Ana: called, call back Friday" in dialogs[0].informativeText()
    assert "(internal account, no contact needed)" in dialogs[0].informativeText()  # what Ben typed, beside hers
    after = _stored(teammate, target.customer_id)
    assert (after is None) == removed
    if not removed:
        assert after.contacted and after.reason == "Ana: called, call back Friday"


def test_a_removal_left_for_later_asks_again_with_the_reason_typed_and_asks_again_which(qtbot, review, teammate,
                                                                                       answer_with, monkeypatch):
    """Before: Decide later dropped the reason typed in the "why" box, and the removal with it."""
    contacts, iid = review.contacts, billing_id(teammate)
    target = contacts.model.rows[0]
    contacts.view.setCurrentIndex(contacts.model.index(0, 0))
    asked: list[str] = []

    def why(*_args, **kwargs):
        asked.append(kwargs.get("text", ""))
        if len(asked) == 1:  # while the person says why, Ana records that she called them
            EditContact(iid, target.customer_id, target, contacted=True, reason="Ana: called them").do(teammate)
            return "internal account, no contact needed", True
        return "", False  # asked again, with the reason typed: the person cancels this time

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(why))
    dialogs = answer_with("later_button")
    contacts.remove_button.click()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=2000)
    assert asked == ["", "internal account, no contact needed"] and len(dialogs) == 1
    after = _stored(teammate, target.customer_id)
    assert after is not None and after.reason == "Ana: called them"  # nothing removed
