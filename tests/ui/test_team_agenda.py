"""The Agenda dialog on a team workspace: OK after a teammate saved another agenda while it was open offers both
agendas (the conflict dialog, naming her), never writes over hers without asking. The change feed listens."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDialog

from postmortem_desktop.services.agenda import SaveAgenda, load_agenda
from ui.facilitator.agenda_dialog import AgendaEditorDialog

ANAS_TITLE = "Ana: customer story first"


def _opened_from_the_menu(window) -> AgendaEditorDialog:
    """View › Edit Facilitator Agenda…, as a person opens it (its triggered signal passes a flag: that once crashed)."""
    window.facilitator.edit_agenda_action.trigger()
    (dialog,) = [d for d in window.findChildren(AgendaEditorDialog) if d.isVisible()]
    return dialog


def _accept_after_ana_saved(qtbot, window, teammate):
    dialog = _opened_from_the_menu(window)
    opened = load_agenda(teammate)
    SaveAgenda(replace(opened, steps=(replace(opened.steps[0], title=ANAS_TITLE),) + opened.steps[1:])).do(teammate)
    qtbot.wait(300)  # the feed brings it; the dialog keeps what Ben is making
    last = dialog.agenda.steps[-1]
    mine = replace(dialog.agenda, steps=dialog.agenda.steps[:-1] + (replace(last, minutes=last.minutes + 5),))
    dialog.agenda = mine
    dialog.done(QDialog.DialogCode.Accepted)
    return dialog, mine


def test_ok_over_a_teammates_agenda_offers_both_and_take_theirs_keeps_hers(qtbot, facilitators_window, teammate,
                                                                         answer_with):
    shown = answer_with("take_button")
    _dialog, mine = _accept_after_ana_saved(qtbot, facilitators_window, teammate)
    assert len(shown) == 1 and "changed by Ana" in shown[0].text()
    text = shown[0].informativeText()
    assert f"Yours: {mine.steps[0].title} (" in text and f"Theirs: {ANAS_TITLE} (" in text
    assert load_agenda(teammate).steps[0].title == ANAS_TITLE


def test_ok_over_a_teammates_agenda_and_keep_mine_saves_mine(qtbot, facilitators_window, teammate, answer_with):
    shown = answer_with("keep_button")
    _dialog, mine = _accept_after_ana_saved(qtbot, facilitators_window, teammate)
    assert len(shown) == 1  # asked first
    assert load_agenda(teammate) == mine


def test_ok_over_a_teammates_agenda_and_decide_later_opens_the_dialog_again_with_mine(qtbot, facilitators_window,
                                                                                   teammate, answer_with):
    shown = answer_with("later_button")
    dialog, mine = _accept_after_ana_saved(qtbot, facilitators_window, teammate)
    [again] = [d for d in facilitators_window.findChildren(type(dialog)) if d is not dialog]
    assert again.isVisible() and again.agenda == mine
    assert load_agenda(teammate).steps[0].title == ANAS_TITLE
    again.done(QDialog.DialogCode.Accepted)  # still made from the agenda he opened: asked again, nothing written
    assert len(shown) == 2 and load_agenda(teammate).steps[0].title == ANAS_TITLE
