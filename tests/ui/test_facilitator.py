"""Facilitator mode driven by the keyboard alone: F5, clicker keys through the agenda, notes, Esc."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from postmortem_desktop.domain.agenda import DEFAULT_AGENDA, Agenda, AgendaStep
from postmortem_desktop.services.agenda import SaveAgenda, load_agenda, step_notes
from ui.theme import theme_manager


class FakeClock:
    """Monotonic seconds the test moves by hand, so clocks are checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def facilitator(main_window):
    controller = main_window.facilitator
    controller.now = FakeClock()
    before = theme_manager().snapshot()
    yield controller
    controller.stop()
    theme_manager().restore(before)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the person's keyboard focus is, as a clicker or keyboard would send it."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    qtbot.keyClick(target, key, modifier)


def current_screen_key(window) -> str:
    current = window.screens.currentWidget()
    return next(key for key, widget in window.screen_widgets.items() if widget is current)


def test_full_session_with_the_keyboard_alone(main_window, facilitator, qtbot):
    window = main_window
    qtbot.waitExposed(window)
    window.activateWindow()
    window.screens.setCurrentIndex(2)
    window.docks["reader"].show()  # whatever the start-up layout chose, it must come back as it was
    stylesheet_before = QApplication.instance().styleSheet()
    font_before = QApplication.instance().font().pointSizeF()
    with qtbot.waitSignal(facilitator.mode_started):
        press(qtbot, Qt.Key.Key_F5)
    assert window.isFullScreen() and not window.menuBar().isVisible()
    assert theme_manager().concrete == "projector"
    assert QApplication.instance().font().pointSizeF() > font_before
    steps = facilitator.agenda.steps
    assert steps == DEFAULT_AGENDA.steps
    for index, step in enumerate(steps):
        if index:
            pages = facilitator.room.page_count() if facilitator.room.slides else 1
            for _page in range(1, pages):  # PageDown first reads on through the step's pages
                with qtbot.waitSignal(facilitator.page_shown):
                    press(qtbot, Qt.Key.Key_PageDown)
            with qtbot.waitSignal(facilitator.step_shown) as shown:
                press(qtbot, Qt.Key.Key_PageDown)
            assert shown.args == [index, step.screen]
        assert current_screen_key(window) == step.screen
        assert facilitator.header.title.text() == step.title
        if not facilitator.notes.edit.hasFocus():
            press(qtbot, Qt.Key.Key_F6)
        assert facilitator.notes.edit.hasFocus()
        qtbot.keyClicks(facilitator.notes.edit, f"decided {step.key}")
    with qtbot.waitSignal(facilitator.step_shown) as shown:
        press(qtbot, Qt.Key.Key_PageUp)
    assert shown.args == [len(steps) - 2, steps[-2].screen]
    assert facilitator.notes.text() == f"decided {steps[-2].key}"
    with qtbot.waitSignal(facilitator.mode_ended):
        press(qtbot, Qt.Key.Key_Escape)

    workspace, incident = window.session.workspace, window.incident_id
    assert [step_notes(workspace, incident, s.key) for s in steps] == [f"decided {s.key}" for s in steps]
    assert not window.isFullScreen() and window.menuBar().isVisible()
    assert window.screens.currentIndex() == 2 and window.screens.tabBar().isVisible()
    assert window.docks["reader"].isVisible()
    assert QApplication.instance().styleSheet() == stylesheet_before
    assert QApplication.instance().font().pointSizeF() == font_before
    window.session.undo_stack.undo()
    assert step_notes(workspace, incident, steps[-1].key) == ""
    assert step_notes(workspace, incident, steps[-2].key) == f"decided {steps[-2].key}"


def test_clicker_keys_move_the_agenda_even_from_a_text_field(facilitator, qtbot):
    facilitator.start()
    facilitator.notes.edit.setFocus()
    for _press in range(facilitator.room.page_count()):  # through the first step's pages to the second step
        qtbot.keyClick(facilitator.notes.edit, Qt.Key.Key_PageDown)
    assert facilitator.index == 1
    # arrows stay with the text while typing: they move the cursor, not the agenda
    qtbot.keyClicks(facilitator.notes.edit, "ab")
    qtbot.keyClick(facilitator.notes.edit, Qt.Key.Key_Left)
    assert facilitator.index == 1 and facilitator.room.page == 0
    assert facilitator.notes.edit.textCursor().position() == 1


def test_notes_undo_with_ctrl_z_while_the_menu_bar_is_hidden(main_window, facilitator, qtbot):
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    facilitator.start()
    qtbot.keyClicks(facilitator.notes.edit, "first thought")
    with qtbot.waitSignal(facilitator.notes_saved, timeout=5000):
        pass  # saved after a pause in typing
    qtbot.keyClicks(facilitator.notes.edit, ", then more")
    with qtbot.waitSignal(facilitator.notes_saved, timeout=5000):
        pass
    press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)  # out of the field: inside it, Ctrl+Z
    # undoes typing as in any editor
    assert not facilitator.notes.edit.hasFocus()
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert facilitator.notes.text() == "first thought"


def test_step_clock_warns_in_words_and_colour_then_says_it_is_over(facilitator):
    facilitator.start()
    label = facilitator.header.step_clock
    assert label.property("clockPhase") == "on_time" and "4:00 left" in label.text()
    facilitator.now.now += 4 * 60 - 40
    facilitator.refresh_clocks()
    assert label.property("clockPhase") == "wrap_up" and "wrap up" in label.text()
    facilitator.now.now += 100
    facilitator.refresh_clocks()
    assert label.property("clockPhase") == "over" and "over by 1:00" in label.text()
    assert facilitator.header.total_clock.text() == "Review: 15:00 left"  # 20 minutes less 5


def test_time_spent_on_a_step_is_kept_when_coming_back_to_it(facilitator):
    facilitator.start()
    facilitator.now.now += 90
    facilitator.go_to(1)
    facilitator.now.now += 30
    facilitator.go_to(0)
    assert facilitator.step_elapsed() == 90
    assert "2:30 left" in facilitator.header.step_clock.text()


def test_a_saved_agenda_is_used_and_a_missing_screen_is_explained(main_window, facilitator, qtbot):
    agenda = Agenda((AgendaStep("quiet", "Accounts gone quiet", 5, "followup"),
                     AgendaStep("later", "Something not built yet", 2, "no-such-screen")))
    main_window.hub.run(SaveAgenda(agenda))
    facilitator.start()
    assert current_screen_key(main_window) == "followup"
    with qtbot.waitSignal(facilitator.step_shown) as shown:
        facilitator.next_step()
    assert shown.args == [1, "no-such-screen"]
    assert "not part of this version" in facilitator.header.prompt.text()
    assert "Step 2 of 2" in facilitator.header.step_number.text()


def test_agenda_editor_saves_an_undoable_agenda(main_window, facilitator, qtbot):
    dialog = facilitator.edit_agenda()
    dialog.steps.setCurrentRow(1)
    dialog.title.clear()
    qtbot.keyClicks(dialog.title, "The board, column by column")
    dialog.minutes.setValue(6)
    qtbot.mouseClick(dialog.down_button, Qt.MouseButton.LeftButton)
    assert dialog.total.text() == "Total: 22 minutes"
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.done(QDialog.DialogCode.Accepted)
    saved = load_agenda(main_window.session.workspace)
    assert [s.key for s in saved.steps][1:3] == ["questions", "board"]
    assert saved.steps[2].title == "The board, column by column" and saved.steps[2].minutes == 6
    main_window.session.undo_stack.undo()
    assert load_agenda(main_window.session.workspace) == DEFAULT_AGENDA


def test_agenda_editor_refuses_an_untitled_step(facilitator, qtbot):
    dialog = facilitator.edit_agenda()
    dialog.title.clear()
    qtbot.keyClicks(dialog.title, " ")
    assert "no title" in dialog.error.text()
    assert not dialog.box.button(dialog.box.StandardButton.Ok).isEnabled()
    dialog.reject()


def test_f6_always_puts_the_typing_into_the_notes(main_window, facilitator, qtbot):
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    facilitator.start()
    assert facilitator.notes.edit.hasFocus()
    press(qtbot, Qt.Key.Key_F6)  # the hint says "F6 notes": pressed while already there, it stays there
    qtbot.keyClicks(QApplication.focusWidget(), "decided: refund twice-charged cards")
    assert facilitator.notes.text() == "decided: refund twice-charged cards"
    press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert not facilitator.notes.edit.hasFocus()
    press(qtbot, Qt.Key.Key_F6)
    assert facilitator.notes.edit.hasFocus()
