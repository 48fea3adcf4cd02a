"""No lost updates on cards and action items: an edit says what it was made from; a stale one is refused
with both versions (EditConflict), and undo takes back only an edit whose result is still what is stored.

The single-client tests run on both engines (a file has one writer, but the same rule holds); the two-client
tests force the interleaving on a team workspace (tests/team_race.race).
"""
from __future__ import annotations

from datetime import date

import pytest

from postmortem_desktop.services.actions import (
    ActionService,
    AddActionItem,
    DeleteActionItem,
    EditActionItem,
    fields_of,
)
from postmortem_desktop.services.commands import EditConflict, RuleError
from postmortem_desktop.services.quotes import DeleteQuote, board_cards
from postmortem_desktop.services.tagging import AssignTag, MoveCardTag, RemoveTag, list_tags
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from tests.team_race import race


def _tag(ws, name: str) -> int:
    return next(t.id for t in list_tags(ws) if t.name == name)


def _shown(ws, iid: int, quote_id: int) -> dict[int, tuple[int, ...]]:
    """What the board shows of one card: its columns (applied tags)."""
    card = next(c for c in board_cards(ws, iid, [quote_id]))
    return {quote_id: card.tag_ids}


def _names(ws, iid: int, quote_id: int) -> set[str]:
    return {t.name for t in board_cards(ws, iid, [quote_id])[0].tags}


def _a_card(ws, iid: int) -> int:
    """A demo card that sits in no column yet, so the test decides its columns."""
    return next(c.quote_id for c in board_cards(ws, iid) if not c.tag_ids)


# ---- cards ---------------------------------------------------------------------------------------

def test_a_stale_card_move_is_refused_with_both_versions_and_changes_nothing(demo):
    iid = billing_id(demo)
    quote = _a_card(demo, iid)
    confusion, trust, work = _tag(demo, "confusion"), _tag(demo, "trust-loss"), _tag(demo, "work-stopped")
    AssignTag(iid, [quote], confusion).do(demo)
    seen = _shown(demo, iid, quote)  # both people's boards show the card under confusion
    MoveCardTag(iid, [quote], confusion, work, "work-stopped").made_from(seen).do(demo)  # a teammate's move
    mine = MoveCardTag(iid, [quote], confusion, trust, "trust-loss").made_from(seen)
    with pytest.raises(EditConflict) as conflict:
        mine.do(demo)
    assert conflict.value.based_on == {quote: ("confusion",)}
    assert conflict.value.theirs == {quote: ("work-stopped",)}
    assert conflict.value.yours == {quote: ("trust-loss", "work-stopped")}  # what Keep mine would leave
    assert _names(demo, iid, quote) == {"work-stopped"}
    # keeping mine is the same edit made from what is stored now
    MoveCardTag(iid, [quote], confusion, trust, "trust-loss").made_from(_shown(demo, iid, quote)).do(demo)
    assert _names(demo, iid, quote) == {"work-stopped", "trust-loss"}


def test_deleting_a_card_someone_tagged_since_is_refused_with_their_columns_and_deletes_nothing(demo):
    iid = billing_id(demo)
    quote = _a_card(demo, iid)
    seen = _shown(demo, iid, quote)  # Unsorted on the deleting person's board
    AssignTag(iid, [quote], _tag(demo, "data-fear")).made_from(seen).do(demo)  # a teammate's tag
    mine = DeleteQuote(iid, [quote]).made_from(seen)
    with pytest.raises(EditConflict) as conflict:
        mine.do(demo)
    assert conflict.value.theirs == {quote: ("data-fear",)} and conflict.value.based_on == {quote: ()}
    assert _names(demo, iid, quote) == {"data-fear"}  # the card and its tag are still there
    mine.made_from(_shown(demo, iid, quote)).do(demo)  # Keep mine: made again from what is stored now
    assert not board_cards(demo, iid, [quote])
    mine.undo(demo)
    assert _names(demo, iid, quote) == {"data-fear"}


def test_a_tag_edit_made_from_what_is_stored_is_done_and_one_without_a_base_is_unchecked(demo):
    iid = billing_id(demo)
    quote = _a_card(demo, iid)
    confusion = _tag(demo, "confusion")
    AssignTag(iid, [quote], confusion).made_from(_shown(demo, iid, quote)).do(demo)
    assert _names(demo, iid, quote) == {"confusion"}
    RemoveTag(iid, [quote], confusion).do(demo)  # a script's edit: no base, no check
    assert _names(demo, iid, quote) == set()


def test_undo_of_a_card_edit_is_refused_when_someone_changed_the_card_since(demo):
    iid = billing_id(demo)
    quote = _a_card(demo, iid)
    confusion, trust = _tag(demo, "confusion"), _tag(demo, "trust-loss")
    mine = AssignTag(iid, [quote], confusion).made_from(_shown(demo, iid, quote))
    mine.do(demo)
    AssignTag(iid, [quote], trust).made_from(_shown(demo, iid, quote)).do(demo)  # the teammate's, after mine
    with pytest.raises(RuleError, match="changed by someone else"):
        mine.undo(demo)
    assert _names(demo, iid, quote) == {"confusion", "trust-loss"}


def test_undo_of_a_card_edit_nobody_touched_since_still_works_and_redo_is_not_a_conflict(demo):
    iid = billing_id(demo)
    quote = _a_card(demo, iid)
    mine = AssignTag(iid, [quote], _tag(demo, "confusion")).made_from(_shown(demo, iid, quote))
    mine.do(demo)
    mine.undo(demo)
    assert _names(demo, iid, quote) == set()
    mine.do(demo)
    assert _names(demo, iid, quote) == {"confusion"}


def test_two_clients_moving_one_card_at_once_never_overwrite_each_other(team_server, team_demo_url):
    ws = open_workspace(team_demo_url)
    try:
        iid = billing_id(ws)
        quote = _a_card(ws, iid)
        confusion, trust, work = _tag(ws, "confusion"), _tag(ws, "trust-loss"), _tag(ws, "work-stopped")
        AssignTag(iid, [quote], confusion).do(ws)
        seen = _shown(ws, iid, quote)
    finally:
        ws.close()
    a = MoveCardTag(iid, [quote], confusion, work, "work-stopped").made_from(seen)
    b = MoveCardTag(iid, [quote], confusion, trust, "trust-loss").made_from(seen)
    moved_a, moved_b = race(team_server, team_demo_url, a, b)
    assert moved_a is None
    assert isinstance(moved_b, EditConflict) and moved_b.theirs == {quote: ("work-stopped",)}
    ws = open_workspace(team_demo_url)
    try:
        assert _names(ws, iid, quote) == {"work-stopped"}
    finally:
        ws.close()


# ---- action items --------------------------------------------------------------------------------

def _item(ws, iid: int, item_id: int):
    return next(i for i in ActionService(ws).list_items(iid) if i.id == item_id)


def test_a_stale_action_item_edit_is_refused_with_both_versions_and_keep_mine_saves_it(demo):
    iid = billing_id(demo)
    read = ActionService(demo).list_items(iid)[0]  # both people opened the same item
    EditActionItem(iid, read.id, based_on=fields_of(read, ["owner", "due_date"]), owner="Ana Lima",
                   due_date=date(2026, 12, 1)).do(demo)
    with pytest.raises(EditConflict) as conflict:
        EditActionItem(iid, read.id, based_on=fields_of(read, ["owner", "due_date"]), owner="Bo Chen",
                       due_date=read.due_date).do(demo)
    assert conflict.value.yours == {"owner": "Bo Chen", "due_date": read.due_date}
    assert conflict.value.theirs == {"owner": "Ana Lima", "due_date": date(2026, 12, 1)}
    assert conflict.value.based_on == {"owner": read.owner, "due_date": read.due_date}
    assert (_item(demo, iid, read.id).owner, _item(demo, iid, read.id).due_date) == ("Ana Lima", date(2026, 12, 1))
    EditActionItem(iid, read.id, based_on=conflict.value.theirs, owner="Bo Chen", due_date=read.due_date).do(demo)
    assert (_item(demo, iid, read.id).owner, _item(demo, iid, read.id).due_date) == ("Bo Chen", read.due_date)


@pytest.mark.parametrize("field, theirs", [("description", "Their rewrite of the fix"), ("status", "done"),
                                           ("area", "operations")])
def test_every_field_of_an_action_item_is_versioned(demo, field, theirs):
    iid = billing_id(demo)
    read = ActionService(demo).list_items(iid)[0]
    EditActionItem(iid, read.id, based_on=fields_of(read), **{field: theirs}).do(demo)
    with pytest.raises(EditConflict):
        EditActionItem(iid, read.id, based_on=fields_of(read), owner="Mine").do(demo)
    assert getattr(_item(demo, iid, read.id), field) == theirs
    assert _item(demo, iid, read.id).owner == read.owner


def test_an_edit_of_an_item_someone_deleted_says_so(demo):
    iid = billing_id(demo)
    read = ActionService(demo).list_items(iid)[0]
    DeleteActionItem(iid, read.id).do(demo)
    with pytest.raises(RuleError, match="someone else deleted it"):
        EditActionItem(iid, read.id, based_on=fields_of(read), owner="Mine").do(demo)


def test_deleting_an_item_someone_changed_since_is_refused_with_their_version(demo):
    iid = billing_id(demo)
    read = ActionService(demo).list_items(iid)[0]
    EditActionItem(iid, read.id, based_on=fields_of(read), owner="Ana Lima").do(demo)
    with pytest.raises(EditConflict) as conflict:
        DeleteActionItem(iid, read.id, based_on=fields_of(read)).do(demo)
    assert conflict.value.theirs["owner"] == "Ana Lima"
    assert _item(demo, iid, read.id).owner == "Ana Lima"
    DeleteActionItem(iid, read.id, based_on=conflict.value.theirs).do(demo)  # delete anyway: based on theirs
    assert read.id not in {i.id for i in ActionService(demo).list_items(iid)}


def test_undo_of_an_action_item_edit_is_refused_when_someone_changed_it_since(demo):
    iid = billing_id(demo)
    read = ActionService(demo).list_items(iid)[0]
    mine = EditActionItem(iid, read.id, based_on=fields_of(read, ["owner"]), owner="Mine")
    mine.do(demo)
    EditActionItem(iid, read.id, based_on={"owner": "Mine"}, owner="Theirs").do(demo)
    with pytest.raises(RuleError, match="changed by someone else"):
        mine.undo(demo)
    assert _item(demo, iid, read.id).owner == "Theirs"


def test_undo_of_adding_an_item_someone_has_edited_since_is_refused(demo):
    iid = billing_id(demo)
    add = AddActionItem(iid, area="support", description="Saved reply", owner="Priya", due_date=date(2026, 12, 2))
    add.do(demo)
    EditActionItem(iid, add.item_id, owner="Ana Lima").do(demo)
    with pytest.raises(RuleError, match="changed by someone else"):
        add.undo(demo)
    assert _item(demo, iid, add.item_id).owner == "Ana Lima"


def test_two_clients_editing_one_action_item_at_once_never_overwrite_each_other(team_server, team_demo_url):
    ws = open_workspace(team_demo_url)
    try:
        iid = billing_id(ws)
        read = ActionService(ws).list_items(iid)[0]
    finally:
        ws.close()
    a = EditActionItem(iid, read.id, based_on=fields_of(read), owner="Ana Lima")
    b = EditActionItem(iid, read.id, based_on=fields_of(read), status="done")
    done_a, done_b = race(team_server, team_demo_url, a, b)
    assert done_a is None
    assert isinstance(done_b, EditConflict) and done_b.theirs["owner"] == "Ana Lima"
    ws = open_workspace(team_demo_url)
    try:
        assert (_item(ws, iid, read.id).owner, _item(ws, iid, read.id).status) == ("Ana Lima", read.status)
    finally:
        ws.close()
