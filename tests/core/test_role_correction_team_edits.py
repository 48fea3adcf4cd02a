"""An author's role corrected by a teammate is never overwritten silently: a correction made from the roles the reader
showed is refused with both when a teammate corrected that author since, and the undo or redo of a correction is
refused when the roles changed since. Ben's client (`ben`) and Ana's (`demo`); both engines. Who is named: the team
server only (`ben_and_ana`)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.services.commands import ChangedSince, EditConflict
from postmortem_desktop.services.quotes import CorrectAuthorRole
from postmortem_desktop.storage.schema import Conversation, Message
from tests.helpers import ANA, billing_id


def _a_customer(ws, iid: int) -> tuple[int, str]:
    with ws.reading() as s:
        return tuple(s.execute(select(Message.conversation_id, Message.author).join(
            Conversation, Conversation.id == Message.conversation_id).where(
            Conversation.incident_id == iid, Message.role == "customer").order_by(Message.id).limit(1)).one())


def _roles(ws, conversation_id: int, author: str) -> dict[int, str]:
    with ws.reading() as s:
        return dict(s.execute(select(Message.id, Message.role).where(
            Message.conversation_id == conversation_id, Message.author == author)).all())


def test_a_correction_made_from_the_shown_role_is_refused_with_both_when_a_teammate_corrected_it(demo, ben):
    iid = billing_id(demo)
    cid, author = _a_customer(demo, iid)
    shown = _roles(ben, cid, author)  # Ben's reader shows the author as a customer
    CorrectAuthorRole(iid, cid, author, "internal", shown=_roles(demo, cid, author)).do(demo)  # Ana: a colleague
    with pytest.raises(EditConflict) as conflict:
        CorrectAuthorRole(iid, cid, author, "agent", shown=shown).do(ben)
    assert conflict.value.based_on == shown and conflict.value.yours == "agent"
    assert conflict.value.theirs == dict.fromkeys(shown, "internal")
    assert set(_roles(demo, cid, author).values()) == {"internal"}
    CorrectAuthorRole(iid, cid, author, "agent", shown=conflict.value.theirs).do(ben)  # Keep mine
    assert set(_roles(demo, cid, author).values()) == {"agent"}


def test_undoing_a_correction_a_teammate_corrected_since_is_refused_and_theirs_stays(demo, ben):
    iid = billing_id(demo)
    cid, author = _a_customer(demo, iid)
    mine = CorrectAuthorRole(iid, cid, author, "agent")
    mine.do(ben)
    CorrectAuthorRole(iid, cid, author, "internal").do(demo)  # Ana: it was a colleague
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)
    assert refused.value.undoing
    assert set(_roles(demo, cid, author).values()) == {"internal"}


def test_redoing_a_correction_over_a_teammates_correction_after_the_undo_is_refused(demo, ben):
    iid = billing_id(demo)
    cid, author = _a_customer(demo, iid)
    mine = CorrectAuthorRole(iid, cid, author, "agent")
    mine.do(ben)
    mine.undo(ben)
    mine.do(ben)  # nobody in between: undone and redone as before
    assert set(_roles(ben, cid, author).values()) == {"agent"}
    mine.undo(ben)
    assert set(_roles(ben, cid, author).values()) == {"customer"}
    CorrectAuthorRole(iid, cid, author, "internal").do(demo)
    with pytest.raises(ChangedSince) as refused:
        mine.do(ben)
    assert not refused.value.undoing
    assert set(_roles(demo, cid, author).values()) == {"internal"}


def test_the_refusals_name_the_teammate(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    cid, author = _a_customer(ben, iid)
    shown = _roles(ben, cid, author)
    mine = CorrectAuthorRole(iid, cid, author, "agent", shown=shown)
    mine.do(ben)
    CorrectAuthorRole(iid, cid, author, "internal", shown=_roles(ana, cid, author)).do(ana)
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)
    assert refused.value.by == (ANA,)
    with pytest.raises(EditConflict) as conflict:
        # made from what Ben's reader showed after his own correction
        CorrectAuthorRole(iid, cid, author, "customer", shown=dict.fromkeys(shown, "agent")).do(ben)
    assert conflict.value.by == ANA
