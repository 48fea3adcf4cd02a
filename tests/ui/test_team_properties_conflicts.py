"""The properties form against a teammate's edits, as two people really type (issue #18): the conflict dialog's
Esc and Enter (Decide later) keep the words in the field, still based on what the person saw, so the next save
asks again; Take theirs shows theirs in the field; a teammate's change shows in every field the person is not
typing in; no conflict when the person changed nothing or only another field changed; the dialog names who.

The dialog runs for real here: a key is pressed in it once it is open (see `press`)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer

from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from tests.ui.test_team_properties import _screen
from ui.conflict_dialog import ConflictDialog


@pytest.fixture
def form(qtbot, team_demo_url):
    """The properties screen of a client whose change feed listens: a teammate's change re-reads the form."""
    screen, session = _screen(qtbot, team_demo_url, stop_feed=False)
    yield screen
    session.close()


@pytest.fixture
def press(monkeypatch, qtbot):
    """Presses a key (or clicks a button by name) in the real conflict dialog once it is open; remembers each
    dialog shown."""
    shown: list[ConflictDialog] = []
    original = ConflictDialog.exec

    def choose(answer):
        def exec_(dialog: ConflictDialog) -> int:
            shown.append(dialog)
            if isinstance(answer, str):
                QTimer.singleShot(0, getattr(dialog, answer).click)
            else:
                QTimer.singleShot(0, lambda: qtbot.keyClick(dialog, answer))
            return original(dialog)
        monkeypatch.setattr(ConflictDialog, "exec", exec_)
        return shown
    return choose


def _stored_title(teammate, screen) -> str:
    return IncidentService(teammate).get(screen.hub.incident_id).title


def _type(qtbot, line, words: str) -> str:
    line.setFocus()
    line.end(False)
    qtbot.keyClicks(line, words)
    return line.text()


def _enter(qtbot, line) -> None:
    qtbot.keyClick(line, Qt.Key.Key_Return)


def _back_in(qtbot, screen, line) -> None:
    """The window is active again after the dialog, the cursor in the line (the event loop ran in between)."""
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5000)
    line.setFocus()
    qtbot.waitUntil(line.hasFocus, timeout=5000)


def _teammate_sets(qtbot, screen, teammate, **changes) -> None:
    UpdateIncident(screen.hub.incident_id, **changes).do(teammate)
    key, value = next(iter(changes.items()))
    qtbot.waitUntil(lambda: screen.form.shown(key) == value, timeout=5000)


def _typed_over_a_teammates_title(qtbot, form, teammate) -> str:
    """Ben saves a title, types more without Enter, and Ana's title arrives meanwhile."""
    _type(qtbot, form.form.title, " B3")
    _enter(qtbot, form.form.title)
    typed = _type(qtbot, form.form.title, " B4")
    _teammate_sets(qtbot, form, teammate, title="T5 ana")
    assert form.form.title.text() == typed
    return typed


# ---- 1. Esc leaves the conflict unresolved --------------------------------------------------------------
def test_esc_on_the_conflict_keeps_the_words_and_the_next_enter_asks_again(qtbot, form, teammate, press):
    shown = press(Qt.Key.Key_Escape)
    typed = _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    assert len(shown) == 1 and _stored_title(teammate, form) == "T5 ana"
    assert form.form.title.text() == typed  # the words stay in the field
    assert "Not saved" in form.form.problem.text() and form.form.problem.isVisibleTo(form)
    assert "Title, which Ana changed too" in form.form.problem.text()
    _enter(qtbot, form.form.title)  # still based on what Ben saw, not on Ana's title
    assert len(shown) == 2 and _stored_title(teammate, form) == "T5 ana"
    assert form.form.title.text() == typed


def test_leaving_the_field_after_esc_asks_again_rather_than_writing_over_theirs(qtbot, form, teammate, press):
    shown = press(Qt.Key.Key_Escape)
    typed = _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    _back_in(qtbot, form, form.form.title)
    form.form.service.setFocus()  # Ben leaves the field: a save of what he typed
    assert len(shown) == 2 and "T5 ana" in shown[1].informativeText()
    assert _stored_title(teammate, form) == "T5 ana"
    assert form.form.title.text() == typed


def test_keep_mine_after_esc_asks_again_then_saves_the_words(qtbot, form, teammate, press):
    shown = press(Qt.Key.Key_Escape)
    typed = _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    press("keep_button")
    _enter(qtbot, form.form.title)
    assert len(shown) == 2  # asked again, not saved over hers silently
    assert _stored_title(teammate, form) == typed.strip()
    assert not form.form.problem.isVisibleTo(form)


# ---- 2. the field shows what is stored once the person's words are gone ---------------------------------
def test_take_theirs_shows_the_stored_title_in_the_field(qtbot, form, teammate, press):
    press("take_button")
    _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    assert _stored_title(teammate, form) == "T5 ana"
    assert form.form.title.text() == "T5 ana"
    _teammate_sets(qtbot, form, teammate, title="T7 ana")  # and it follows her later changes too
    assert form.form.title.text() == "T7 ana"


def test_a_teammates_title_shows_while_the_person_sits_in_the_service(qtbot, form, teammate):
    _type(qtbot, form.form.title, " T3 ana")
    _enter(qtbot, form.form.title)
    form.form.service.setFocus()
    _type(qtbot, form.form.service, " (typing)")
    _teammate_sets(qtbot, form, teammate, title="Ana title two B3")
    assert form.form.title.text() == "Ana title two B3"
    assert form.form.service.text().endswith(" (typing)")  # the words being typed stay


# ---- 3. no conflict when nothing of the field changed ---------------------------------------------------
def test_a_title_edit_after_the_persons_own_change_of_another_field_is_no_conflict(qtbot, form, teammate, press):
    shown = press("take_button")
    _type(qtbot, form.form.title, " one")
    _enter(qtbot, form.form.title)
    iid = form.hub.incident_id
    state = SeverityService(form.hub.workspace).severity(iid)  # confirmed on the Review tab, by the same person
    assert form.hub.run(DecideSeverity(iid, state.suggestion, state.suggestion.suggested, shown=state))
    mine = _type(qtbot, form.form.title, " two")
    _enter(qtbot, form.form.title)
    assert not shown
    assert _stored_title(teammate, form) == mine.strip()


def test_clicking_into_a_field_and_leaving_it_is_no_conflict(qtbot, form, teammate, press):
    shown = press("take_button")
    _type(qtbot, form.form.title, " mine")
    _enter(qtbot, form.form.title)
    _teammate_sets(qtbot, form, teammate, title="Ana's title")
    form.form.title.setFocus()
    form.form.service.setFocus()  # leaving it, with nothing typed
    assert not shown and not form.form.problem.isVisibleTo(form)
    assert _stored_title(teammate, form) == "Ana's title"


def test_leaving_a_title_already_saved_with_enter_says_nothing(qtbot, form, teammate, press):
    shown = press("take_button")
    _type(qtbot, form.form.title, " mine")
    _enter(qtbot, form.form.title)
    _teammate_sets(qtbot, form, teammate, title="Ana's title")
    form.form.service.setFocus()  # leaving the title saved with Enter
    assert not shown and not form.form.problem.isVisibleTo(form)
    assert _stored_title(teammate, form) == "Ana's title" == form.form.title.text()


# ---- 4. the dialog names who, and Enter drops nobody's words --------------------------------------------
def test_the_conflict_names_the_teammate_and_enter_keeps_the_words(qtbot, form, teammate, press):
    shown = press(Qt.Key.Key_Return)
    typed = _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    assert shown and "Ana" in shown[0].text() and "someone else" not in shown[0].text()
    assert _stored_title(teammate, form) == "T5 ana"
    assert form.form.title.text() == typed and form.form.title.isModified()


def test_a_time_left_for_later_stays_in_its_field_over_a_reread(qtbot, form, teammate, press):
    from datetime import timedelta

    from ui.time_display import to_qdatetime

    press(Qt.Key.Key_Escape)
    stored = IncidentService(teammate).get(form.hub.incident_id).technical_end
    theirs, mine = stored + timedelta(minutes=7), stored + timedelta(minutes=30)
    UpdateIncident(form.hub.incident_id, technical_end=theirs).do(teammate)  # the form has not shown it yet
    editor = form.form.times["technical_end"]
    editor.edit.setDateTime(to_qdatetime(mine, "UTC"))
    editor.value_changed.emit()
    _teammate_sets(qtbot, form, teammate, service="Ana's service")  # a re-read
    assert editor.value() == mine
    assert IncidentService(teammate).get(form.hub.incident_id).technical_end == theirs


def test_words_left_for_later_are_unsaved_words_naming_who(qtbot, form, teammate, press):
    press(Qt.Key.Key_Escape)
    typed = _typed_over_a_teammates_title(qtbot, form, teammate)
    _enter(qtbot, form.form.title)
    (entry,) = form.unsaved_words()  # what leaving the incident or the app asks about, and keeps a copy of
    assert (entry.field, entry.text, entry.retryable) == ("Properties: Title", typed.strip(), False)
    assert "Ana" in entry.why
    form.forget_unsaved_words()  # the person left anyway (a copy was kept): the field shows the stored title
    form.refresh()
    assert form.form.title.text() == "T5 ana" and not form.unsaved_words()


def _typing_a_time(qtbot, form, key: str, minutes_later: int):
    """The person is in the time's field, changing it, not finished (no Enter, not left)."""
    from datetime import timedelta

    from ui.time_display import to_qdatetime

    editor = form.form.times[key]
    mine = form.form.shown(key) + timedelta(minutes=minutes_later)
    editor.edit.setFocus()
    qtbot.waitUntil(editor.edit.hasFocus, timeout=5000)
    editor.edit.setDateTime(to_qdatetime(mine, "UTC"))  # as typing digits does, before editing finishes
    return editor, mine


def test_a_time_being_typed_stays_over_a_teammates_change_of_another_field_and_then_saves(qtbot, form, teammate,
                                                                                          press):
    shown = press("take_button")
    editor, mine = _typing_a_time(qtbot, form, "technical_end", 30)
    _teammate_sets(qtbot, form, teammate, service="Ana's service")  # a re-read while the person types
    assert editor.value() == mine and form.form.service.text() == "Ana's service"
    editor.edit.editingFinished.emit()  # Enter, or leaving the field
    assert not shown  # only another field changed: no conflict
    assert IncidentService(teammate).get(form.hub.incident_id).technical_end == mine


def test_a_time_being_typed_over_a_teammates_change_of_the_same_time_asks_which(qtbot, form, teammate, press):
    from datetime import timedelta

    shown = press("keep_button")
    editor, mine = _typing_a_time(qtbot, form, "technical_end", 30)
    theirs = form.form.shown("technical_end") + timedelta(minutes=7)
    _teammate_sets(qtbot, form, teammate, technical_end=theirs)
    assert editor.value() == mine  # the person's time is not replaced while they type it
    editor.edit.editingFinished.emit()
    assert len(shown) == 1  # both offered, not overwritten silently
    assert IncidentService(teammate).get(form.hub.incident_id).technical_end == mine  # Keep mine
