"""The facilitator agenda is the whole workspace's: one saved from the copy an editor opened is refused with both
agendas when a teammate saved another meanwhile, never written over theirs; its undo is refused when the agenda
changed since. Ben's client (`ben`) and Ana's (`demo`); both engines. Who is named: the team server only."""
from __future__ import annotations

from dataclasses import replace

import pytest

from postmortem_desktop.domain.agenda import DEFAULT_AGENDA, Agenda
from postmortem_desktop.services.agenda import AGENDA_KEY, SaveAgenda, load_agenda
from postmortem_desktop.services.commands import ChangedSince, EditConflict
from postmortem_desktop.services.settings import SetSetting
from tests.helpers import ANA


def _retitled(agenda: Agenda, title: str) -> Agenda:
    return replace(agenda, steps=(replace(agenda.steps[0], title=title),) + agenda.steps[1:])


def _longer_last(agenda: Agenda) -> Agenda:
    last = agenda.steps[-1]
    return replace(agenda, steps=agenda.steps[:-1] + (replace(last, minutes=last.minutes + 5),))


def test_an_agenda_saved_from_a_stale_copy_is_refused_with_both_and_the_teammates_stays(demo, ben):
    SaveAgenda(_retitled(DEFAULT_AGENDA, "Start")).do(demo)  # an agenda saved before: a row to lock
    opened = load_agenda(ben)  # Ben's dialog opens with it
    anas = _retitled(opened, "Ana: customer story first")
    SaveAgenda(anas, based_on=opened).do(demo)
    bens = _longer_last(opened)
    with pytest.raises(EditConflict) as conflict:
        SaveAgenda(bens, based_on=opened).do(ben)
    assert (conflict.value.based_on, conflict.value.yours, conflict.value.theirs) == (opened, bens, anas)
    assert load_agenda(demo) == anas
    SaveAgenda(bens, based_on=conflict.value.theirs).do(ben)  # Keep mine: made from theirs
    assert load_agenda(demo) == bens


def test_the_first_agenda_saved_wins_and_the_second_made_from_the_default_is_refused(demo, ben):
    opened = load_agenda(ben)
    assert opened == DEFAULT_AGENDA  # none saved yet
    anas = _retitled(opened, "Ana: customer story first")
    SaveAgenda(anas, based_on=opened).do(demo)
    with pytest.raises(EditConflict) as conflict:
        SaveAgenda(_longer_last(opened), based_on=opened).do(ben)
    assert conflict.value.theirs == anas and load_agenda(demo) == anas


def test_an_agenda_made_from_a_damaged_one_read_as_the_default_is_saved(demo):
    SetSetting(AGENDA_KEY, "{broken").do(demo)
    opened = load_agenda(demo)  # shown as the default
    mine = _longer_last(opened)
    SaveAgenda(mine, based_on=opened).do(demo)
    assert load_agenda(demo) == mine


def test_the_conflict_and_the_refused_undo_name_the_teammate(ben_and_ana):
    ben, ana = ben_and_ana
    opened = load_agenda(ben)
    mine = SaveAgenda(_longer_last(opened), based_on=opened)
    mine.do(ben)
    SaveAgenda(_retitled(load_agenda(ana), "Ana's"), based_on=load_agenda(ana)).do(ana)
    with pytest.raises(ChangedSince) as refused:
        mine.undo(ben)  # would put back the agenda before his, over Ana's
    assert refused.value.undoing and refused.value.by == (ANA,)
    with pytest.raises(EditConflict) as conflict:
        SaveAgenda(_retitled(mine.agenda, "Ben's"), based_on=mine.agenda).do(ben)  # from his own, as he saw it
    assert conflict.value.by == ANA
