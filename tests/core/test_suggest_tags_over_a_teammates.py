"""Undo and redo of Suggest Tags never take back a teammate's Suggest Tags made since (issue 18: undo undoes only
your own edits and refuses, with a message, when someone changed the thing since).

Before, Ben's undo of his Suggest Tags deleted the suggestions Ana asked for after him, and set the incident back
to "never asked", so it stopped learning from the decisions made since; his redo put his older ones over hers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.suggestions import (
    StoreSuggestions,
    compute_suggestions,
    incident_uses_suggestions,
    run_suggestions,
)
from postmortem_desktop.services.tagging import AcceptSuggestion
from postmortem_desktop.storage.schema import TagAssignment
from tests.helpers import ANA, billing_id, run_to_end


def suggested(ws) -> set[tuple]:
    """Every pending suggestion as (id, tag, quote, message, phrase)."""
    with ws.reading() as s:
        return {(a.id, a.tag_id, a.quote_id, a.message_id, a.phrase) for a in s.scalars(
            select(TagAssignment).where(TagAssignment.source == "suggested"))}


def computed(ws, incident: int, *, learning: bool = False) -> StoreSuggestions:
    return run_to_end(compute_suggestions(ws, incident, learning=learning))


def fewer(ws, incident: int) -> StoreSuggestions:
    """A Suggest Tags whose suggestions differ from the full run's: the messages' only (a changed model, say)."""
    full = computed(ws, incident)
    return StoreSuggestions(incident, [f for f in full.found if f.message_id is not None], read=full.read)


def test_undoing_suggest_tags_after_a_teammates_is_refused_names_them_and_keeps_theirs(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    mine = run_suggestions(ben, iid)
    left_by_mine = suggested(ben)
    theirs = fewer(ana, iid)
    theirs.do(ana)
    left_by_theirs = suggested(ben)
    assert left_by_theirs != left_by_mine
    with pytest.raises(ChangedSince, match="cannot be undone") as refused:
        mine.undo(ben)
    assert refused.value.by == (ANA,)
    assert "Their suggestions stand" in str(refused.value)
    assert suggested(ben) == left_by_theirs  # nothing was undone
    assert incident_uses_suggestions(ben, iid)  # and the incident goes on learning, as Ana asked
    theirs.undo(ana)  # hers is the latest: her undo brings back what his left
    assert suggested(ben) == left_by_mine
    mine.undo(ben)  # and now his is the latest again
    assert not incident_uses_suggestions(ben, iid)


def test_redoing_suggest_tags_over_a_teammates_made_after_the_undo_is_refused(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    mine = fewer(ben, iid)
    mine.do(ben)
    mine.undo(ben)
    run_suggestions(ana, iid)
    left_by_theirs = suggested(ben)
    with pytest.raises(ChangedSince, match="cannot be redone") as refused:
        mine.do(ben)
    assert refused.value.by == (ANA,)
    assert suggested(ben) == left_by_theirs


def test_a_teammates_decisions_and_learning_passes_since_do_not_stop_the_undo(ben_and_ana):
    """Only a Suggest Tags a person asked for counts: a pass after a decision stores suggestions without it."""
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    mine = run_suggestions(ben, iid)
    card, tag = next((quote, tag) for _id, tag, quote, _message, _phrase in suggested(ana) if quote is not None)
    AcceptSuggestion(iid, card, tag).do(ana)
    computed(ana, iid, learning=True).do(ana)  # Ana's board learns from her decision
    mine.undo(ben)
    assert not incident_uses_suggestions(ben, iid)
    with ben.reading() as s:  # her decision stays
        assert s.scalars(select(TagAssignment.source).where(TagAssignment.quote_id == card,
                                                            TagAssignment.tag_id == tag)).all() == ["accepted"]
    mine.do(ben)  # redo: nothing asked for since the undo
    assert incident_uses_suggestions(ben, iid)


def test_on_a_file_an_earlier_suggest_tags_is_undone_only_after_the_later_one(workspace):
    """One person's own order on a file: the later Suggest Tags (made from the command line, say) first."""
    from test_tagging_services import make_incident

    iid = make_incident(workspace)["incident"]
    first = run_suggestions(workspace, iid)
    second = fewer(workspace, iid)
    second.do(workspace)
    with pytest.raises(ChangedSince, match="someone else"):
        first.undo(workspace)
    second.undo(workspace)
    first.undo(workspace)
    assert suggested(workspace) == set()
    assert not incident_uses_suggestions(workspace, iid)
