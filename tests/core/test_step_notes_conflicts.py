"""A facilitator's step notes say what they were made from: notes saved over a teammate's newer notes are
refused with both versions, never written over them. Both engines (the `workspace` and `demo` fixtures); the
two clients racing at once only on the team server."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from postmortem_desktop.services.commands import EditConflict
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id, race_of_two_saves


@pytest.fixture
def incident(workspace) -> int:
    return _new_incident(workspace, "Checkout errors")


def _new_incident(workspace, title: str) -> int:
    create = CreateIncident(title=title)
    create.do(workspace)
    return create.incident_id


def test_notes_saved_over_a_teammates_newer_notes_are_refused_with_both_and_theirs_stay(workspace, incident):
    SaveStepNotes(incident, "board", "first thoughts", based_on="").do(workspace)
    SaveStepNotes(incident, "board", "Ana: refund the double charges", based_on="first thoughts").do(workspace)
    mine = SaveStepNotes(incident, "board", "Mine: call the three biggest accounts", "Board", based_on="first thoughts")
    with pytest.raises(EditConflict) as conflict:
        mine.do(workspace)
    assert (conflict.value.based_on, conflict.value.yours, conflict.value.theirs) == (
        "first thoughts", "Mine: call the three biggest accounts", "Ana: refund the double charges")
    assert step_notes(workspace, incident, "board") == "Ana: refund the double charges"
    kept = mine.again_over(conflict.value.theirs)  # Keep mine: made from theirs
    kept.do(workspace)
    assert step_notes(workspace, incident, "board") == "Mine: call the three biggest accounts"
    assert (kept.step_key, kept.name) == ("board", mine.name)


def test_first_notes_are_made_from_none_and_conflict_with_a_teammates_first_notes(workspace, incident):
    SaveStepNotes(incident, "questions", "Ana's first notes", based_on="").do(workspace)
    with pytest.raises(EditConflict) as conflict:
        SaveStepNotes(incident, "questions", "My first notes", based_on="").do(workspace)
    assert conflict.value.theirs == "Ana's first notes"
    assert step_notes(workspace, incident, "questions") == "Ana's first notes"


def test_notes_made_from_what_is_stored_save_and_undo_and_redo_as_before(workspace, incident):
    first = SaveStepNotes(incident, "fixes", "one", based_on="")
    first.do(workspace)
    second = SaveStepNotes(incident, "fixes", "one, two", based_on="one")
    second.do(workspace)
    second.undo(workspace)
    assert step_notes(workspace, incident, "fixes") == "one"
    second.do(workspace)  # the redo is not checked against its own earlier read
    assert step_notes(workspace, incident, "fixes") == "one, two"
    second.undo(workspace)
    first.undo(workspace)
    assert step_notes(workspace, incident, "fixes") == ""
    first.do(workspace)  # a redo over no notes at all
    assert step_notes(workspace, incident, "fixes") == "one"


def test_notes_saved_without_a_read_still_save_as_before(workspace, incident):
    SaveStepNotes(incident, "closeout", "Ana's").do(workspace)
    SaveStepNotes(incident, "closeout", "last writer").do(workspace)  # the CLI and the agenda keep no read
    assert step_notes(workspace, incident, "closeout") == "last writer"


def test_another_steps_or_incidents_notes_are_no_conflict(demo):
    iid = billing_id(demo)
    other = _new_incident(demo, "Login errors")
    SaveStepNotes(iid, "board", "billing board", based_on="").do(demo)
    SaveStepNotes(other, "board", "login board", based_on="").do(demo)
    SaveStepNotes(iid, "headline", "billing headline", based_on="").do(demo)
    assert [step_notes(demo, i, k) for i, k in ((iid, "board"), (other, "board"), (iid, "headline"))] == [
        "billing board", "login board", "billing headline"]


@pytest.mark.parametrize("stored", ["", "Notes from before the review"])  # no row yet, and one to lock
def test_two_facilitators_saving_the_same_steps_notes_at_once_never_overwrite_each_other(team_demo_url, stored):
    """A holds its transaction open after writing; B's save, made from the same read, waits for A and is then
    refused. Without the lock (or, with no notes yet, the first insert winning) B would pass the check."""
    a, b = open_workspace(team_demo_url), open_workspace(team_demo_url)
    try:
        iid = billing_id(a)
        if stored:
            SaveStepNotes(iid, "board", stored).do(a)
        refused = race_of_two_saves(a, b, SaveStepNotes(iid, "board", "A's notes", based_on=stored),
                                    SaveStepNotes(iid, "board", "B's notes", based_on=stored))
        assert isinstance(refused, EditConflict)
        assert (refused.yours, refused.theirs) == ("B's notes", "A's notes")
        assert step_notes(b, iid, "board") == "A's notes"
    finally:
        a.close()
        b.close()
