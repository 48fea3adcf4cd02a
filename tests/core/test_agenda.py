"""The facilitator agenda: a 20-minute default, validation, round trips, clocks, and undoable saves."""
from dataclasses import replace

import pytest

from postmortem_desktop.domain.agenda import (
    DEFAULT_AGENDA,
    ON_TIME,
    OVER,
    WRAP_UP,
    Agenda,
    AgendaError,
    AgendaStep,
    clock,
    format_seconds,
    from_json,
    moved,
    new_step_key,
    to_json,
    validate,
    with_step,
)
from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.agenda import (
    AGENDA_KEY,
    SaveAgenda,
    SaveStepNotes,
    agenda_notes,
    load_agenda,
    step_notes,
)
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.settings import SetSetting


def test_default_agenda_fills_twenty_minutes_with_the_review_steps_in_order():
    assert DEFAULT_AGENDA.total_minutes == 20
    assert [s.screen for s in DEFAULT_AGENDA.steps] == ["timeline", "board", "review", "actions", "review"]
    assert [s.key for s in DEFAULT_AGENDA.steps] == ["headline", "board", "questions", "fixes", "closeout"]
    validate(DEFAULT_AGENDA)


def test_agenda_survives_a_json_round_trip_including_unicode():
    agenda = with_step(DEFAULT_AGENDA, 0, replace(DEFAULT_AGENDA.steps[0], title="Überblick — logs vs. Kunden"))
    assert from_json(to_json(agenda)) == agenda


@pytest.mark.parametrize("change, message", [
    ({"title": "  "}, "no title"),
    ({"minutes": 0}, "1 to 120 minutes"),
    ({"minutes": 121}, "1 to 120 minutes"),
    ({"screen": ""}, "which screen"),
    ({"key": "Bad Key!"}, "unusable key"),
])
def test_invalid_steps_are_refused_with_the_reason(change, message):
    agenda = with_step(DEFAULT_AGENDA, 1, replace(DEFAULT_AGENDA.steps[1], **change))
    with pytest.raises(AgendaError, match=message):
        validate(agenda)


def test_empty_agenda_and_duplicate_keys_are_refused():
    with pytest.raises(AgendaError, match="at least one step"):
        validate(Agenda(()))
    twice = Agenda((DEFAULT_AGENDA.steps[0], DEFAULT_AGENDA.steps[0]))
    with pytest.raises(AgendaError, match="share the key"):
        validate(twice)


@pytest.mark.parametrize("text", ["", "not json", '{"steps": [{"title": "x"}]}', '{"steps": []}',
                                  '{"steps": [{"key": "a", "title": "A", "minutes": "many", "screen": "board"}]}'])
def test_damaged_saved_agenda_raises_agenda_error(text):
    with pytest.raises(AgendaError):
        from_json(text)


def test_moving_a_step_swaps_neighbours_and_ignores_moves_past_the_ends():
    down = moved(DEFAULT_AGENDA, 0, +1)
    assert [s.key for s in down.steps[:2]] == ["board", "headline"]
    assert moved(DEFAULT_AGENDA, 0, -1) == DEFAULT_AGENDA
    assert moved(DEFAULT_AGENDA, 4, +1) == DEFAULT_AGENDA


def test_new_step_keys_are_derived_from_titles_and_unique():
    assert new_step_key(DEFAULT_AGENDA, "Quiet accounts!") == "quiet-accounts"
    assert new_step_key(DEFAULT_AGENDA, "Board") == "board-2"
    assert new_step_key(DEFAULT_AGENDA, "???") == "step"


def test_clock_counts_down_then_warns_in_words_then_says_how_far_over():
    assert clock(0, 4) == clock(0.0, 4.0)
    start = clock(0, 4)
    assert (start.phase, start.text) == (ON_TIME, "4:00 left")
    near = clock(4 * 60 - 30, 4)
    assert near.phase == WRAP_UP and "0:30 left" in near.text and "wrap up" in near.text
    over = clock(4 * 60 + 75, 4)
    assert (over.phase, over.text) == (OVER, "over by 1:15")


def test_short_steps_warn_in_the_last_fifth_not_the_last_minute():
    assert clock(60 - 10, 1).phase == WRAP_UP
    assert clock(60 - 20, 1).phase == ON_TIME


def test_countdown_rounds_up_so_zero_shows_only_when_time_is_out():
    assert format_seconds(59.2) == "1:00"
    assert format_seconds(0.4) == "0:01"


def test_workspace_without_a_saved_agenda_uses_the_default(workspace):
    assert load_agenda(workspace) == DEFAULT_AGENDA


def test_saved_agenda_is_loaded_back_and_undo_restores_the_previous_one(workspace):
    shorter = Agenda(DEFAULT_AGENDA.steps[:2])
    command = SaveAgenda(shorter)
    command.do(workspace)
    assert load_agenda(workspace) == shorter
    command.undo(workspace)
    assert load_agenda(workspace) == DEFAULT_AGENDA


def test_saving_an_invalid_agenda_is_refused_as_a_rule():
    with pytest.raises(RuleError, match="no title"):
        SaveAgenda(Agenda((AgendaStep("a", "", 3, "board"),)))


def test_damaged_agenda_in_the_workspace_falls_back_to_the_default(workspace):
    SetSetting(AGENDA_KEY, "{broken").do(workspace)
    assert load_agenda(workspace) == DEFAULT_AGENDA


def test_step_notes_are_kept_per_incident_and_step_and_undo_in_order(workspace):
    first = SaveStepNotes(7, "board", "Most cards are confusion")
    first.do(workspace)
    second = SaveStepNotes(7, "board", "Most cards are confusion; two churn-risk")
    second.do(workspace)
    SaveStepNotes(8, "board", "other incident").do(workspace)
    assert step_notes(workspace, 7, "board") == "Most cards are confusion; two churn-risk"
    second.undo(workspace)
    assert step_notes(workspace, 7, "board") == "Most cards are confusion"
    first.undo(workspace)
    notes = agenda_notes(workspace, 7, DEFAULT_AGENDA)
    assert notes["board"] == "" and set(notes) == {s.key for s in DEFAULT_AGENDA.steps}
    assert step_notes(workspace, 8, "board") == "other incident"


def test_notes_commands_only_touch_the_facilitator_part_of_the_screen():
    assert SaveStepNotes(1, "a", "x").changes == DataChange.AGENDA
    assert SaveStepNotes(1, "a", "x").incident_id == 1
