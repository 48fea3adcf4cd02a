"""Optimistic versioning: an edit says what it was made from, and a stale one is refused with both versions."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.commands import EditConflict
from postmortem_desktop.services.review_answers import EditCloseoutFields, ReviewService, SetReviewAnswer
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id, race_of_two_saves


def _answer(workspace, incident_id: int, key: str) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(incident_id) if a.key == key)


def test_a_stale_answer_edit_is_refused_with_both_versions_and_changes_nothing(demo):
    iid = billing_id(demo)
    read = _answer(demo, iid, "task")  # what the first person's field shows
    SetReviewAnswer(iid, "task", "Theirs: paying the renewal invoice", based_on=read).do(demo)
    with pytest.raises(EditConflict) as conflict:
        SetReviewAnswer(iid, "task", "Mine: updating the card", based_on=read).do(demo)
    assert (conflict.value.based_on, conflict.value.yours, conflict.value.theirs) == (
        read, "Mine: updating the card", "Theirs: paying the renewal invoice")
    assert _answer(demo, iid, "task") == "Theirs: paying the renewal invoice"
    # keeping mine is an edit based on what is stored now
    SetReviewAnswer(iid, "task", "Mine: updating the card", based_on=conflict.value.theirs).do(demo)
    assert _answer(demo, iid, "task") == "Mine: updating the card"


def test_a_first_answer_is_based_on_nothing_and_conflicts_with_another_first_answer(demo):
    iid = billing_id(demo)
    assert _answer(demo, iid, "wording") == ""  # no row yet in the demo
    SetReviewAnswer(iid, "wording", "Theirs", based_on="").do(demo)
    with pytest.raises(EditConflict):
        SetReviewAnswer(iid, "wording", "Mine", based_on="").do(demo)
    assert _answer(demo, iid, "wording") == "Theirs"


def test_a_stale_closeout_field_edit_is_refused_and_an_unchecked_one_still_works(demo):
    iid = billing_id(demo)
    read = ReviewService(demo).closeout_fields(iid).first_workaround
    EditCloseoutFields.checked_against({"first_workaround": read}, iid, first_workaround="Theirs").do(demo)
    stale = EditCloseoutFields.checked_against({"first_workaround": read}, iid, first_workaround="Mine")
    with pytest.raises(EditConflict) as conflict:
        stale.do(demo)
    assert conflict.value.theirs == {"first_workaround": "Theirs"}
    assert conflict.value.yours == {"first_workaround": "Mine"}
    assert ReviewService(demo).closeout_fields(iid).first_workaround == "Theirs"
    EditCloseoutFields(iid, first_workaround="Last writer").do(demo)  # without based_on: as before
    assert ReviewService(demo).closeout_fields(iid).first_workaround == "Last writer"


def test_a_redo_is_not_refused_by_its_own_earlier_edit(demo):
    iid = billing_id(demo)
    edit = SetReviewAnswer(iid, "task", "Mine", based_on=_answer(demo, iid, "task"))
    edit.do(demo)
    edit.undo(demo)
    edit.do(demo)
    assert _answer(demo, iid, "task") == "Mine"


@pytest.mark.parametrize("key", ["task", "wording"])  # an answer that exists, and one both clients create
def test_two_clients_saving_the_same_answer_at_once_never_overwrite_each_other(team_demo_url, key):
    """Client A holds its transaction open after writing; B's save, made from the same read, waits for A
    and is then refused. Without the row lock B would read the old answer, pass the check, and overwrite."""
    a, b = open_workspace(team_demo_url), open_workspace(team_demo_url)
    try:
        iid = billing_id(a)
        read = _answer(a, iid, key)
        refused = race_of_two_saves(a, b, SetReviewAnswer(iid, key, "A's text", based_on=read),
                                    SetReviewAnswer(iid, key, "B's text", based_on=read))
        assert isinstance(refused, EditConflict)
        assert (refused.yours, refused.theirs) == ("B's text", "A's text")
        assert _answer(b, iid, key) == "A's text"
    finally:
        a.close()
        b.close()


def test_a_stale_incident_property_edit_is_refused_with_both_versions_and_changes_nothing(demo):
    from postmortem_desktop.services.incidents import IncidentService, UpdateIncident

    iid = billing_id(demo)
    shown = IncidentService(demo).get(iid)  # what the first person's form shows
    UpdateIncident.made_from(iid, {"title": shown.title}, {"title": "Theirs: renewal outage"}).do(demo)
    with pytest.raises(EditConflict) as conflict:
        UpdateIncident.made_from(iid, {"title": shown.title}, {"title": "Mine: billing outage"}).do(demo)
    assert (conflict.value.based_on, conflict.value.yours, conflict.value.theirs) == (
        {"title": shown.title}, {"title": "Mine: billing outage"}, {"title": "Theirs: renewal outage"})
    assert IncidentService(demo).get(iid).title == "Theirs: renewal outage"
    # a time is compared as the instant it is, and keeping mine is an edit based on what is stored now
    end = {"technical_end": shown.technical_end}
    UpdateIncident.made_from(iid, end, end).do(demo)
    UpdateIncident.made_from(iid, conflict.value.theirs, {"title": "Mine: billing outage"}).do(demo)
    assert IncidentService(demo).get(iid).title == "Mine: billing outage"


def test_a_stale_column_rename_or_recolour_is_refused_with_both_versions(demo):
    from postmortem_desktop.services.tagging import RecolorTag, RenameTag, list_tags, palette_size

    tag = next(t for t in list_tags(demo) if t.name == "trust-loss")
    RenameTag(tag.id, "lost-trust", shown_name=tag.name).do(demo)
    with pytest.raises(EditConflict) as conflict:
        RenameTag(tag.id, "trust-damage", shown_name=tag.name).do(demo)
    assert (conflict.value.yours, conflict.value.theirs) == ("trust-damage", "lost-trust")
    other = (tag.color + 1) % palette_size()
    RecolorTag(tag.id, other, shown_color=tag.color).do(demo)
    with pytest.raises(EditConflict):
        RecolorTag(tag.id, (tag.color + 2) % palette_size(), shown_color=tag.color).do(demo)
    stored = next(t for t in list_tags(demo) if t.id == tag.id)
    assert (stored.name, stored.color) == ("lost-trust", other)
    RenameTag(tag.id, "trust-damage", shown_name="lost-trust").do(demo)  # keep mine: based on theirs
    assert next(t for t in list_tags(demo) if t.id == tag.id).name == "trust-damage"


def test_a_customer_severity_decision_made_from_a_stale_one_is_refused(demo):
    from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService

    iid = billing_id(demo)
    shown = SeverityService(demo).severity(iid)  # what the first facilitator sees
    suggestion = shown.suggestion
    other = next(level for level in ("SEV1", "SEV2", "SEV3", "SEV4") if level != suggestion.suggested)
    DecideSeverity(iid, suggestion, other, "Ana: the renewal run failed for every agency", shown=shown).do(demo)
    with pytest.raises(EditConflict) as conflict:
        DecideSeverity(iid, suggestion, suggestion.suggested, shown=shown).do(demo)
    assert conflict.value.theirs["customer_severity"] == other
    assert SeverityService(demo).severity(iid).confirmed == other
    mine = DecideSeverity(iid, suggestion, suggestion.suggested, shown=shown)
    mine.again_over(SeverityService(demo).severity(iid)).do(demo)  # Keep mine: based on theirs
    assert SeverityService(demo).severity(iid).confirmed == suggestion.suggested
