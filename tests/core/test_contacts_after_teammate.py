"""The contact list with two people editing it: a removal made from a row someone changed since, and the undo and
redo of a flag or a removal over a teammate's contact record, are refused with both versions or in words; nothing
of the teammate's is deleted or overwritten. `demo` is the person who edits, undoes and redoes; `ben` the teammate
(on a file, the same handle: one person, whose later edit outside the undo stack is kept the same way). Both
engines."""
from __future__ import annotations

from datetime import date

import pytest

from postmortem_desktop.domain.errors import ChangedSince, EditConflict
from postmortem_desktop.services.contacts import ContactRow, ContactService, EditContact, FlagContacts, UnflagContact
from tests.helpers import billing_id


def _names_ben(refused: pytest.ExceptionInfo, workspace_kind: str) -> bool:
    """On a team workspace the refusal says who; a file keeps no history of who edited."""
    return workspace_kind != "team" or "Ben" in str(refused.value)


def _row(workspace, iid: int, customer: int) -> ContactRow | None:
    return next((c for c in ContactService(workspace).contacts(iid) if c.customer_id == customer), None)


def _unlisted(workspace, iid: int, count: int = 1) -> list[int]:
    return [s.customer_id for s in ContactService(workspace).contact_suggestions(iid)[:count]]


def test_a_flag_is_not_undone_over_a_contact_a_teammate_recorded_since(demo, ben, workspace_kind):
    iid = billing_id(demo)
    customer, = _unlisted(demo, iid)
    flag = FlagContacts(iid, [(customer, "lost money")])
    flag.do(demo)
    EditContact(iid, customer, _row(ben, iid, customer), contacted=True, reason="Ben phoned: refund agreed").do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone") as refused:
        flag.undo(demo)
    assert _names_ben(refused, workspace_kind)
    after = _row(demo, iid, customer)
    assert after is not None and after.contacted and after.reason == "Ben phoned: refund agreed"


def test_a_flag_of_several_is_not_undone_when_one_of_them_changed_since(demo, ben):
    iid = billing_id(demo)
    first, second = _unlisted(demo, iid, 2)
    flag = FlagContacts(iid, [(first, "lost money"), (second, "missed a deadline")])
    flag.do(demo)
    EditContact(iid, second, _row(ben, iid, second), reason="Ben: wants a call before Friday").do(ben)
    with pytest.raises(ChangedSince):
        flag.undo(demo)
    assert _row(demo, iid, first) is not None  # all or nothing: the untouched one stays too
    assert _row(demo, iid, second).reason == "Ben: wants a call before Friday"


def test_a_flag_undone_is_not_redone_over_a_teammates_flag_of_the_same_customer(demo, ben):
    iid = billing_id(demo)
    first, second = _unlisted(demo, iid, 2)
    flag = FlagContacts(iid, [(first, "lost money"), (second, "missed a deadline")])
    flag.do(demo)
    flag.undo(demo)
    FlagContacts(iid, [(second, "Ben: asked for a call back")]).do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        flag.do(demo)  # the redo
    assert _row(demo, iid, first) is None  # nothing of the redo was written
    assert _row(demo, iid, second).reason == "Ben: asked for a call back"


def test_a_removal_made_from_a_row_a_teammate_changed_since_is_refused_with_both_versions(demo, ben, workspace_kind):
    iid = billing_id(demo)
    customer, = _unlisted(demo, iid)
    FlagContacts(iid, [(customer, "lost money")]).do(demo)
    shown = _row(demo, iid, customer)  # what the person's screen shows when they click Remove…
    EditContact(iid, customer, _row(ben, iid, customer), contacted=True, contacted_on=date(2024, 5, 3),
                reason="Ben: called, call back Friday").do(ben)
    with pytest.raises(EditConflict) as refused:
        UnflagContact(iid, customer, "internal account, no contact needed", shown).do(demo)
    assert refused.value.based_on == {"reason": "lost money", "contacted": False, "contacted_on": None}
    assert refused.value.theirs == {"reason": "Ben: called, call back Friday", "contacted": True,
                                    "contacted_on": date(2024, 5, 3)}
    assert refused.value.by == ("" if workspace_kind != "team" else "Ben (engineer)")
    after = _row(demo, iid, customer)
    assert after is not None and after.contacted
    # made again from theirs (Keep mine in the app), it goes
    UnflagContact(iid, customer, "internal account, no contact needed", after).do(demo)
    assert _row(demo, iid, customer) is None


def test_a_removal_is_not_undone_once_a_teammate_listed_the_customer_again(demo, ben, workspace_kind):
    iid = billing_id(demo)
    customer, = _unlisted(demo, iid)
    FlagContacts(iid, [(customer, "lost money")]).do(demo)
    removal = UnflagContact(iid, customer, "internal account")
    removal.do(demo)
    FlagContacts(iid, [(customer, "Ben: they do need a call")]).do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone") as refused:
        removal.undo(demo)
    assert _names_ben(refused, workspace_kind)
    assert _row(demo, iid, customer).reason == "Ben: they do need a call"


def test_a_removal_undone_is_not_redone_over_a_teammates_record_of_the_contact(demo, ben):
    iid = billing_id(demo)
    customer, = _unlisted(demo, iid)
    FlagContacts(iid, [(customer, "lost money")]).do(demo)
    removal = UnflagContact(iid, customer, "internal account")
    removal.do(demo)
    removal.undo(demo)
    assert _row(demo, iid, customer).reason == "lost money"
    EditContact(iid, customer, _row(ben, iid, customer), contacted=True).do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        removal.do(demo)  # the redo
    assert _row(demo, iid, customer).contacted


def test_a_removal_is_undone_beside_another_customer_listed_since(demo, ben):
    iid = billing_id(demo)
    first, second = _unlisted(demo, iid, 2)
    FlagContacts(iid, [(first, "lost money")]).do(demo)
    removal = UnflagContact(iid, first, "internal account")
    removal.do(demo)
    FlagContacts(iid, [(second, "Ben: asked for a call back")]).do(ben)  # a file numbers it as the removed row was
    removal.undo(demo)
    assert _row(demo, iid, first).reason == "lost money"
    assert _row(demo, iid, second).reason == "Ben: asked for a call back"
    removal.do(demo)  # the redo: the row as its undo put it back
    assert _row(demo, iid, first) is None and _row(demo, iid, second) is not None
