"""An incident's own settings (the facilitator's step notes, whether its tags were suggested) go where the incident
goes: a delete takes them, its undo brings them back, a new incident never starts with a deleted one's.

A file numbers a new incident after the highest one left, so the number of an incident deleted last comes back; its
notes used to come back with it, on an incident that has nothing to do with them.
"""
from __future__ import annotations

from postmortem_desktop.services.agenda import SaveStepNotes, notes_key, step_notes
from postmortem_desktop.services.incidents import CreateIncident, DeleteIncident
from postmortem_desktop.services.publish import publish
from postmortem_desktop.storage.schema import WorkspaceSetting
from postmortem_desktop.storage.workspace import create_workspace

NOTES = "Ana: the refund page is where they gave up"


def _new(workspace, title: str) -> int:
    command = CreateIncident(title=title)
    command.do(workspace)
    return command.incident_id


def _settings(workspace) -> dict[str, str]:
    with workspace.reading() as session:
        return {row.key: row.value for row in session.query(WorkspaceSetting)}


def test_a_new_incident_does_not_start_with_the_notes_of_one_deleted_before_it(workspace):
    _new(workspace, "Checkout outage")
    deleted = _new(workspace, "Login outage")
    SaveStepNotes(deleted, "walk", NOTES).do(workspace)
    DeleteIncident(deleted, "Login outage").do(workspace)

    assert notes_key(deleted, "walk") not in _settings(workspace)  # the delete took them
    newer = _new(workspace, "Search outage")
    assert step_notes(workspace, newer, "walk") == ""


def test_undoing_a_delete_brings_the_notes_back_and_redoing_it_takes_them_again(workspace):
    incident = _new(workspace, "Login outage")
    SaveStepNotes(incident, "walk", NOTES).do(workspace)
    SaveStepNotes(incident, "impact", "Ben: 40 tickets in the first hour").do(workspace)
    delete = DeleteIncident(incident, "Login outage")
    delete.do(workspace)
    delete.undo(workspace)
    assert step_notes(workspace, incident, "walk") == NOTES
    assert step_notes(workspace, incident, "impact") == "Ben: 40 tickets in the first hour"
    delete.do(workspace)  # a redo
    assert not [key for key in _settings(workspace) if key.startswith(f"facilitator.notes.{incident}.")]


def test_notes_a_delete_left_behind_in_an_older_file_do_not_reach_the_incident_given_that_number(workspace):
    kept = _new(workspace, "Checkout outage")
    with workspace.transaction() as session:  # as a delete before this release left them: no incident, notes
        session.add(WorkspaceSetting(key=notes_key(kept + 1, "walk"), value=NOTES))
        session.add(WorkspaceSetting(key=notes_key(kept + 10, "walk"), value="another's"))
    newer = _new(workspace, "Search outage")
    assert step_notes(workspace, newer, "walk") == ""
    assert _settings(workspace)[notes_key(kept + 10, "walk")] == "another's"  # another number's: not this one's


def test_undoing_a_new_incident_takes_its_notes_with_it(workspace):
    create = CreateIncident(title="Login outage")
    create.do(workspace)
    SaveStepNotes(create.incident_id, "walk", NOTES).do(workspace)
    assert notes_key(create.incident_id, "walk") in _settings(workspace)
    create.undo(workspace)  # as after a teammate's notes, which this window's undo stack does not hold
    assert not [key for key in _settings(workspace) if key.startswith(f"facilitator.notes.{create.incident_id}.")]


def test_a_copy_into_a_file_leaves_no_notes_of_a_deleted_incident_on_the_incident_it_puts_there(workspace, tmp_path):
    incident = _new(workspace, "Login outage")
    SaveStepNotes(incident, "walk", NOTES).do(workspace)
    target = create_workspace(tmp_path / "meeting.pmw")
    try:
        with target.transaction() as session:  # leftovers of deleted incidents at the numbers a copy may take
            for number in range(1, 4):
                session.add(WorkspaceSetting(key=notes_key(number, "impact"), value="not this incident's"))
        result = publish(workspace, target)
        copied = result.incidents[0].target_id
        assert step_notes(target, copied, "walk") == NOTES
        assert step_notes(target, copied, "impact") == ""
    finally:
        target.close()


def test_a_published_incident_keeps_learning_from_decisions_where_it_is_published(workspace, tmp_path):
    from postmortem_desktop.analysis.tagger import Tagger
    from postmortem_desktop.services.suggestions import incident_uses_suggestions, run_suggestions
    from postmortem_desktop.services.tagging import list_tags

    incident = _new(workspace, "Login outage")
    names = [t.name for t in list_tags(workspace)]
    run_suggestions(workspace, incident, Tagger(names, {name: [] for name in names}, {}))  # asked, found nothing
    target = create_workspace(tmp_path / "meeting.pmw")
    try:
        copied = publish(workspace, target).incidents[0].target_id
        assert incident_uses_suggestions(target, copied)
    finally:
        target.close()


def test_undoing_a_delete_keeps_notes_saved_on_its_number_meanwhile_and_brings_the_rest_back(workspace):
    """A late save (a teammate's, or notes kept with Decide later) may land on a deleted incident's number: the undo
    of the delete must not fail on it, nor overwrite it."""
    incident = _new(workspace, "Login outage")
    SaveStepNotes(incident, "walk", NOTES).do(workspace)
    SaveStepNotes(incident, "impact", "Ben: 40 tickets in the first hour").do(workspace)
    delete = DeleteIncident(incident, "Login outage")
    delete.do(workspace)
    SaveStepNotes(incident, "walk", "saved late", based_on="").do(workspace)
    delete.undo(workspace)
    assert step_notes(workspace, incident, "walk") == "saved late"
    assert step_notes(workspace, incident, "impact") == "Ben: 40 tickets in the first hour"
