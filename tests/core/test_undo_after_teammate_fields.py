"""Undo and redo of one person's field edit are refused when someone else changed the same field since: a
column's name, a contact's reason, the customer severity decision, a review step's notes. Nothing is
written then; on a team workspace the teammate's change stays. (Review answers, cards and action items have
their own tests.) Two handles stand for two people; both engines."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from postmortem_desktop.services.contacts import ContactService, EditContact, FlagContacts
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.tagging import RenameTag, list_tags
from tests.helpers import billing_id


def test_a_column_rename_is_not_undone_over_a_teammates_rename(demo):
    tag = next(t for t in list_tags(demo) if t.name == "trust-loss")
    mine = RenameTag(tag.id, "lost-trust")
    mine.do(demo)
    RenameTag(tag.id, "trust-damage").do(demo)  # the teammate's, after mine
    with pytest.raises(ChangedSince):
        mine.undo(demo)
    assert next(t.name for t in list_tags(demo) if t.id == tag.id) == "trust-damage"


def test_a_column_rename_undone_is_not_redone_over_a_teammates_rename(demo):
    tag = next(t for t in list_tags(demo) if t.name == "trust-loss")
    mine = RenameTag(tag.id, "lost-trust")
    mine.do(demo)
    mine.undo(demo)
    RenameTag(tag.id, "trust-damage").do(demo)
    with pytest.raises(ChangedSince):
        mine.do(demo)  # the redo
    assert next(t.name for t in list_tags(demo) if t.id == tag.id) == "trust-damage"


def test_a_contact_reason_is_not_undone_over_a_teammates_reason(demo):
    iid = billing_id(demo)
    customer = ContactService(demo).contact_suggestions(iid)[0].customer_id
    FlagContacts(iid, [(customer, "charged twice")]).do(demo)
    mine = EditContact(iid, customer, reason="charged twice, asked for a refund")
    mine.do(demo)
    EditContact(iid, customer, reason="Ana: asked for a call back").do(demo)
    with pytest.raises(ChangedSince):
        mine.undo(demo)
    assert next(c.reason for c in ContactService(demo).contacts(iid) if c.customer_id == customer) == \
        "Ana: asked for a call back"


def test_a_severity_decision_is_not_undone_over_a_teammates_decision(demo):
    iid = billing_id(demo)
    state = SeverityService(demo).severity(iid)
    others = [level for level in ("SEV1", "SEV2", "SEV3", "SEV4") if level != state.suggestion.suggested]
    mine = DecideSeverity(iid, state.suggestion, others[0], "mine")
    mine.do(demo)
    DecideSeverity(iid, state.suggestion, others[1], "Ana's").do(demo)
    with pytest.raises(ChangedSince):
        mine.undo(demo)
    assert SeverityService(demo).severity(iid).confirmed == others[1]


def test_step_notes_are_not_undone_over_a_teammates_notes(demo):
    iid = billing_id(demo)
    mine = SaveStepNotes(iid, "timeline", "mine")
    mine.do(demo)
    SaveStepNotes(iid, "timeline", "Ana's notes").do(demo)
    with pytest.raises(ChangedSince):
        mine.undo(demo)
    assert step_notes(demo, iid, "timeline") == "Ana's notes"
    ok = SaveStepNotes(iid, "timeline", "later")  # no one else since: undone as before
    ok.do(demo)
    ok.undo(demo)
    assert step_notes(demo, iid, "timeline") == "Ana's notes"
