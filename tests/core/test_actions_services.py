"""Action items: add/edit/delete with undo, links to quotes and tags, quick-add, overdue."""
from datetime import date

import pytest
from sqlalchemy import select

from postmortem_desktop.services.actions import (
    ActionService,
    AddActionItem,
    DeleteActionItem,
    EditActionItem,
    QuickAddFromQuotes,
    SetActionLinks,
    is_overdue,
)
from postmortem_desktop.services.commands import EditConflict, RuleError
from postmortem_desktop.storage.schema import Conversation, Quote
from tests.helpers import billing_id

TODAY = date(2026, 11, 30)


def quotes(ws, iid, n):
    with ws.reading() as s:
        return list(s.execute(select(Quote.id, Quote.text).join(Conversation)
                              .where(Conversation.incident_id == iid).order_by(Quote.id).limit(n)))


@pytest.mark.parametrize("due, status, overdue", [
    (date(2026, 11, 29), "open", True), (date(2026, 11, 29), "in_progress", True),
    (date(2026, 11, 29), "done", False), (TODAY, "open", False), (None, "open", False),
])
def test_overdue_means_past_due_and_not_done(due, status, overdue):
    assert is_overdue(due, status, TODAY) is overdue


def test_demo_lists_five_billing_items_some_overdue_later(demo):
    iid = billing_id(demo)
    items = ActionService(demo).list_items(iid, today=date(2026, 11, 18))
    assert len(items) == 5 and not any(i.overdue for i in items)
    later = ActionService(demo).list_items(iid, today=date(2027, 1, 30))
    assert [i.overdue for i in later] == [i.status != "done" for i in later]


def test_add_with_links_then_undo_and_redo_keeps_the_id(demo):
    iid = billing_id(demo)
    (qid, text), = quotes(demo, iid, 1)
    tag_id = ActionService(demo).tag_ids()["confusion"]
    add = AddActionItem(iid, area="support", description="Macro for double-charge questions", owner="Priya",
                        due_date=date(2026, 11, 25), quote_ids=[qid], tag_ids=[tag_id])
    add.do(demo)
    item = next(i for i in ActionService(demo).list_items(iid) if i.id == add.item_id)
    assert [(link.kind, link.target_id) for link in item.links] == [("quote", qid), ("tag", tag_id)]
    assert item.links[1].label == "#confusion"
    first_id = add.item_id
    add.undo(demo)
    assert add.item_id not in [i.id for i in ActionService(demo).list_items(iid)]
    add.do(demo)
    assert add.item_id == first_id


def test_edit_and_delete_are_undoable_with_links_restored(demo):
    iid = billing_id(demo)
    (qid, _), = quotes(demo, iid, 1)
    add = AddActionItem(iid, area="product", description="Receipt screen", quote_ids=[qid])
    add.do(demo)
    edit = EditActionItem(iid, add.item_id, owner="Mei", status="done")
    edit.do(demo)
    item = next(i for i in ActionService(demo).list_items(iid) if i.id == add.item_id)
    assert (item.owner, item.status) == ("Mei", "done")
    edit.undo(demo)
    item = next(i for i in ActionService(demo).list_items(iid) if i.id == add.item_id)
    assert (item.owner, item.status) == ("", "open")
    delete = DeleteActionItem(iid, add.item_id)
    delete.do(demo)
    assert add.item_id not in [i.id for i in ActionService(demo).list_items(iid)]
    delete.undo(demo)
    restored = next(i for i in ActionService(demo).list_items(iid) if i.id == add.item_id)
    assert [link.target_id for link in restored.links] == [qid]


def test_rules_refuse_bad_values():
    with pytest.raises(RuleError, match="area"):
        AddActionItem(1, area="marketing", description="x")
    with pytest.raises(RuleError, match="description"):
        AddActionItem(1, area="support", description="  ")
    with pytest.raises(RuleError, match="status"):
        EditActionItem(1, 1, status="someday")


def test_quick_add_from_quotes_links_them_and_quotes_the_first(demo):
    iid = billing_id(demo)
    picked = quotes(demo, iid, 3)
    cmd = QuickAddFromQuotes(iid, [q for q, _ in picked], [t for _, t in picked], area="support")
    cmd.do(demo)
    item = next(i for i in ActionService(demo).list_items(iid) if i.id == cmd.item_id)
    assert item.area == "support" and picked[0][1][:30] in item.description and "2 more" in item.description
    assert [link.target_id for link in item.links] == [q for q, _ in picked]
    with pytest.raises(RuleError):
        QuickAddFromQuotes(iid, [], [])


def test_set_links_made_from_stale_links_is_refused_and_undo_refuses_after_a_later_change(demo):
    iid = billing_id(demo)
    picked = quotes(demo, iid, 3)
    add = AddActionItem(iid, area="product", description="X", quote_ids=[picked[0][0]])
    add.do(demo)
    read = [(picked[0][0], None)]  # what both editors read
    SetActionLinks(iid, add.item_id, [picked[1][0]], [], based_on=read).do(demo)  # a teammate's change
    mine = SetActionLinks(iid, add.item_id, [picked[2][0]], [], based_on=read)
    with pytest.raises(EditConflict) as conflict:
        mine.do(demo)
    assert conflict.value.theirs == [(picked[1][0], None)] and conflict.value.yours == [(picked[2][0], None)]
    relink = SetActionLinks(iid, add.item_id, [picked[2][0]], [], based_on=[(picked[1][0], None)])
    relink.do(demo)
    SetActionLinks(iid, add.item_id, [picked[0][0]], []).do(demo)  # someone changes them again
    with pytest.raises(RuleError, match="changed by someone else"):
        relink.undo(demo)
    links = [link.target_id for i in ActionService(demo).list_items(iid) if i.id == add.item_id for link in i.links]
    assert links == [picked[0][0]]


def test_set_links_replaces_and_undo_restores(demo):
    iid = billing_id(demo)
    picked = quotes(demo, iid, 2)
    add = AddActionItem(iid, area="product", description="X", quote_ids=[picked[0][0]])
    add.do(demo)
    relink = SetActionLinks(iid, add.item_id, [picked[1][0]], [])
    relink.do(demo)
    links = lambda: [link.target_id for i in ActionService(demo).list_items(iid)  # noqa: E731
                     if i.id == add.item_id for link in i.links]
    assert links() == [picked[1][0]]
    relink.undo(demo)
    assert links() == [picked[0][0]]
