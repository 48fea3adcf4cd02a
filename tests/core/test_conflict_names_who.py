"""A conflict (an edit made from a version someone else changed since) names who made that change, from the
incident's history on a team workspace, and is about that one field only: a teammate's change of another
field of the same incident is no conflict. A file keeps no history: its conflict says "someone else"."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.services.commands import EditConflict
from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from postmortem_desktop.services.timeline import EditSystemEvent, TimelineService
from postmortem_desktop.storage.schema import SystemEvent
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import ANA, billing_id


def test_a_title_conflict_names_the_teammate_who_changed_the_title(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    read = IncidentService(ben).get(iid).title
    UpdateIncident(iid, service="Ana's service").do(ana)  # another field, and by her: not who changed the title
    UpdateIncident(iid, title="Ben's earlier title").do(ben)
    UpdateIncident(iid, title="Ana's title").do(ana)
    with pytest.raises(EditConflict) as refused:
        UpdateIncident.made_from(iid, {"title": "Ben's earlier title"}, {"title": "Ben's title"}).do(ben)
    assert refused.value.by == ANA
    assert f"changed by {ANA}" in str(refused.value)
    assert refused.value.theirs == {"title": "Ana's title"}
    assert read != "Ana's title"


def test_a_conflict_over_a_system_event_names_the_teammate(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    with ben.reading() as session:
        event_id = session.scalar(select(SystemEvent.id).where(SystemEvent.incident_id == iid).limit(1))
    event = TimelineService(ben).system_event(event_id)
    UpdateIncident(iid, title="Ana's title").do(ana)  # her edit of something else is not named for the event
    EditSystemEvent(event.id, iid, based_on={"title": event.title}, title="Ana's event").do(ana)
    with pytest.raises(EditConflict) as refused:
        EditSystemEvent(event.id, iid, based_on={"title": event.title}, title="Ben's event").do(ben)
    assert refused.value.by == ANA


def test_a_teammates_change_of_another_field_is_no_conflict_on_the_title(demo):
    iid = billing_id(demo)
    shown = IncidentService(demo).get(iid)
    UpdateIncident(iid, service="Changed meanwhile").do(demo)
    UpdateIncident.made_from(iid, {"title": shown.title}, {"title": "Mine"}).do(demo)
    stored = IncidentService(demo).get(iid)
    assert (stored.title, stored.service) == ("Mine", "Changed meanwhile")


def test_on_a_file_a_conflict_says_someone_else(demo_copy):
    ws = open_workspace(demo_copy)
    try:
        iid = billing_id(ws)
        with pytest.raises(EditConflict) as refused:
            UpdateIncident.made_from(iid, {"title": "Not what is stored"}, {"title": "Mine"}).do(ws)
        assert refused.value.by == "" and "changed by someone else" in str(refused.value)
    finally:
        ws.close()


def test_an_action_item_conflict_never_names_a_teammate_who_only_edited_another_item(ben_and_ana, team_demo_url,
                                                                                    monkeypatch):
    """The history names edits, not items: with two teammates editing items since, either may have changed this
    one, so the conflict says "someone else"; with one, it is them."""
    from postmortem_desktop.services.actions import ActionService, AddActionItem, EditActionItem, fields_of

    ben, ana = ben_and_ana
    monkeypatch.setenv("POSTMORTEM_USER", "Cy (engineer)")
    cy = open_workspace(team_demo_url)
    try:
        iid = billing_id(ben)
        item = ActionService(ben).list_items(iid)[0]
        read = fields_of(item)
        EditActionItem(iid, item.id, based_on={"owner": read["owner"]}, owner="Ana").do(ana)
        with pytest.raises(EditConflict) as refused:
            EditActionItem(iid, item.id, based_on={"owner": read["owner"]}, owner="Ben").do(ben)
        assert refused.value.by == ANA  # she alone edited items since Ben's last edit
        AddActionItem(iid, area="product", description="Cy's own item").do(cy)  # another item, by Cy
        with pytest.raises(EditConflict) as refused:
            EditActionItem(iid, item.id, based_on={"owner": read["owner"]}, owner="Ben").do(ben)
        assert refused.value.by == "" and "someone else" in str(refused.value)
    finally:
        cy.close()
