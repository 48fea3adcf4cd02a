"""Typing merges into one undo step only when nobody changed the thing in between. Ana types in a field twice within
the window's merge time (ui/undo.py asks the first edit to absorb the second); Ben's edit of the same field lands
between the two. Merged, one undo of Ana's would put back the value from before her first edit over Ben's without a
word; apart, her first undo puts back Ben's text and the second is refused (ChangedSince). Ana works in the `demo`
handle, Ben in his own (a second client on a team workspace, the one handle on a file). Both engines."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.errors import ChangedSince
from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from tests.helpers import billing_id


def title(ws, iid: int) -> str:
    return IncidentService(ws).get(iid).title


@pytest.mark.parametrize("key", ["wording", "task"])  # an answer of its own row; one stored as a close-out field
def test_an_answer_typed_over_a_teammates_is_not_merged_into_the_step_before(demo, ben, key):
    iid = billing_id(demo)
    first = SetReviewAnswer(iid, key, "Ana's first words", based_on=answer(demo, iid, key))
    first.do(demo)
    SetReviewAnswer(iid, key, "Ben's words", based_on="Ana's first words").do(ben)
    second = SetReviewAnswer(iid, key, "Ben's words, and Ana's", based_on="Ben's words")  # her screen re-read his
    second.do(demo)
    assert not first.absorb(second)
    second.undo(demo)
    assert answer(demo, iid, key) == "Ben's words"
    with pytest.raises(ChangedSince, match="cannot be undone"):
        first.undo(demo)
    assert answer(demo, iid, key) == "Ben's words"


def test_a_field_typed_over_a_teammates_is_not_merged_into_the_step_before(demo, ben):
    iid = billing_id(demo)
    before = title(demo, iid)
    first = UpdateIncident.made_from(iid, {"title": before}, {"title": "Ana's title"})
    first.do(demo)
    UpdateIncident.made_from(iid, {"title": "Ana's title"}, {"title": "Ben's title"}).do(ben)
    second = UpdateIncident.made_from(iid, {"title": "Ben's title"}, {"title": "Ben's title, longer"})
    second.do(demo)
    assert not first.absorb(second)
    second.undo(demo)
    assert title(demo, iid) == "Ben's title"
    with pytest.raises(ChangedSince, match="cannot be undone"):
        first.undo(demo)
    assert title(demo, iid) == "Ben's title"


@pytest.mark.parametrize("key", ["wording", "task"])
def test_typing_with_nobody_in_between_is_still_one_step(demo, key):
    iid = billing_id(demo)
    before = answer(demo, iid, key)
    first = SetReviewAnswer(iid, key, "Charged", based_on=before)
    first.do(demo)
    second = SetReviewAnswer(iid, key, "Charged twice", based_on="Charged")
    second.do(demo)
    assert first.absorb(second)
    first.undo(demo)
    assert answer(demo, iid, key) == before


def answer(ws, iid: int, key: str) -> str:
    return next(view.answer for view in ReviewService(ws).answers(iid) if view.key == key)

