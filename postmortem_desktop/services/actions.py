"""Action-item use cases: list with links and overdue state; add, edit, delete, quick-add from quotes."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import ActionArea, ActionStatus
from ..storage.id_sets import among
from ..storage.schema import ActionItem, ActionItemLink, Conversation, Incident, Quote, Tag
from ..storage.workspace import Workspace
from .commands import (
    Edit,
    EditConflict,
    RuleError,
    UpdateFields,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)

AREAS = tuple(a.value for a in ActionArea)
STATUSES = tuple(s.value for s in ActionStatus)
EDITABLE = ("area", "description", "owner", "due_date", "status")
ACTION_PARTS = DataChange.ACTION_ITEM
QUICK_ADD_CHARS = 120


#: the names of every edit of an action item (named after the fields it sets): who a conflict over one names
ACTION_ITEM_EDITS = "%Action Item%"


@dataclass(frozen=True)
class ActionLink:
    kind: str  # "quote" or "tag"
    target_id: int
    label: str


@dataclass(frozen=True)
class ActionItemView:
    id: int
    area: str
    description: str
    owner: str
    due_date: date | None
    status: str
    links: tuple[ActionLink, ...]
    overdue: bool


def is_overdue(due_date: date | None, status: str, today: date) -> bool:
    """Past its due date and not done; an item without a date is never overdue (the checklist asks for one)."""
    return due_date is not None and status != ActionStatus.DONE.value and due_date < today


def _today() -> date:
    return datetime.now(UTC).date()


def check_values(values: dict[str, Any]) -> None:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise RuleError(f"These action item fields cannot be edited: {', '.join(sorted(unknown))}.")
    if "area" in values and values["area"] not in AREAS:
        raise RuleError(f"The area must be one of {', '.join(AREAS)}.")
    if "status" in values and values["status"] not in STATUSES:
        raise RuleError(f"The status must be one of {', '.join(STATUSES)}.")
    if "description" in values and not str(values["description"]).strip():
        raise RuleError("An action item needs a description of the fix.")
    due = values.get("due_date")
    if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
        raise RuleError("The due date must be a date.")


def fields_of(item: ActionItem | ActionItemView, fields: Iterable[str] = EDITABLE) -> dict[str, Any]:
    """An action item's fields, as a screen showed them (what an edit or delete is based on) or as stored."""
    return {key: getattr(item, key) for key in fields}


def _links(session: Session, item_ids: list[int]) -> dict[int, list[ActionLink]]:
    result: dict[int, list[ActionLink]] = {}
    rows = session.execute(
        select(ActionItemLink.action_item_id, ActionItemLink.quote_id, ActionItemLink.tag_id, Quote.text, Tag.name)
        .outerjoin(Quote, Quote.id == ActionItemLink.quote_id).outerjoin(Tag, Tag.id == ActionItemLink.tag_id)
        .where(among(ActionItemLink.action_item_id, item_ids)).order_by(ActionItemLink.id))
    for item_id, quote_id, tag_id, text, tag in rows:
        if quote_id is not None:
            link = ActionLink("quote", quote_id, f"“{text}”")
        elif tag_id is not None:  # a link is to a quote or to a tag
            link = ActionLink("tag", tag_id, f"#{tag}")
        else:
            continue
        result.setdefault(item_id, []).append(link)
    return result


class ActionService:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def list_items(self, incident_id: int, today: date | None = None) -> list[ActionItemView]:
        today = today or _today()
        with self.workspace.reading() as session:
            items = session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)
                                    .order_by(ActionItem.id)).all()
            links = _links(session, [i.id for i in items])
            return [ActionItemView(i.id, i.area, i.description, i.owner, i.due_date, i.status,
                                   tuple(links.get(i.id, [])), is_overdue(i.due_date, i.status, today))
                    for i in items]

    def overdue(self, incident_id: int, today: date | None = None) -> list[ActionItemView]:
        return [item for item in self.list_items(incident_id, today) if item.overdue]

    def tag_ids(self) -> dict[str, int]:
        with self.workspace.reading() as session:
            return {name: tid for tid, name in session.execute(select(Tag.id, Tag.name).order_by(Tag.position))}


def quick_add_description(quote_texts: list[str]) -> str:
    """A starting description from the quotes that motivated the fix; the person rewrites it."""
    first = " ".join(quote_texts[0].split()) if quote_texts else ""
    if len(first) > QUICK_ADD_CHARS:
        first = first[:QUICK_ADD_CHARS - 1].rstrip() + "…"
    more = f" (and {len(quote_texts) - 1} more)" if len(quote_texts) > 1 else ""
    return f"Fix what made a customer say “{first}”{more}"


def _valid_quotes(session: Session, incident_id: int, quote_ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(quote_ids))
    found = set(session.scalars(select(Quote.id).join(Conversation, Conversation.id == Quote.conversation_id)
                                .where(among(Quote.id, wanted), Conversation.incident_id == incident_id)
                                .with_for_update(of=Quote, read=True, key_share=True)))
    return [q for q in wanted if q in found]


def _valid_tags(session: Session, tag_ids: Iterable[int]) -> list[int]:
    """The columns still there (a teammate may have merged one away since the dialog showed it). Like the cards
    (_valid_quotes), each is held until the edit commits (FOR KEY SHARE, as the link's foreign key would take it):
    one deleted or merged away meanwhile is left out here, never a foreign-key error at the insert."""
    wanted = list(dict.fromkeys(tag_ids))
    found = set(session.scalars(select(Tag.id).where(among(Tag.id, wanted)).with_for_update(read=True,
                                                                                              key_share=True)))
    return [t for t in wanted if t in found]


def _still_linkable(session: Session, links: Links) -> Links:
    """The links whose card or column is still there: the rest went with a card or column deleted since."""
    quotes = set(session.scalars(select(Quote.id).where(among(Quote.id, [q for q, _ in links if q is not None]))))
    tags = set(session.scalars(select(Tag.id).where(among(Tag.id, [t for _, t in links if t is not None]))))
    return [(q, t) for q, t in links if (q in quotes if q is not None else t in tags)]


Links = list[tuple[int | None, int | None]]  # an action item's (quote id, tag id) pairs, in the order made
LINKS = ActionItemLink.__table__


def _stored_links(session: Session, item_id: int | None) -> Links:
    """An action item's links as stored now, in the order made."""
    return [(link.quote_id, link.tag_id) for link in session.scalars(
        select(ActionItemLink).where(ActionItemLink.action_item_id == item_id).order_by(ActionItemLink.id))]


def _link_rows(item_id: int | None, pairs: Links) -> list[dict[str, Any]]:
    return [{"action_item_id": item_id, "quote_id": quote_id, "tag_id": tag_id} for quote_id, tag_id in pairs]


class AddActionItem(Edit):
    refused_when_closed = True

    changes = ACTION_PARTS

    def __init__(self, incident_id: int, *, area: str, description: str, owner: str = "",
                 due_date: date | None = None, status: str = ActionStatus.OPEN.value,
                 quote_ids: Iterable[int] = (), tag_ids: Iterable[int] = ()):
        self.values = {"area": area, "description": description.strip(), "owner": owner.strip(),
                       "due_date": due_date, "status": status}
        check_values(self.values)
        self.incident_id = incident_id
        self.quote_ids, self.tag_ids = list(quote_ids), list(tag_ids)
        self.name = f"Add {area.capitalize()} Action Item"
        self.item_id: int | None = None
        self._made: Links = []  # the new item's links as this edit made them

    def apply(self, session: Session) -> None:
        if session.get(Incident, self.incident_id) is None:
            raise MissingIncident(self.incident_id)
        item = ActionItem(incident_id=self.incident_id, **self.values)
        if self.item_id is not None:  # redo keeps the id so later commands still find the item
            item.id = self.item_id
        session.add(item)
        session.flush()
        self.item_id = item.id
        quotes = _valid_quotes(session, self.incident_id, self.quote_ids)
        if self.quote_ids and not quotes:
            raise RuleError("None of the selected quotes belongs to this incident.")
        session.add_all([ActionItemLink(action_item_id=item.id, quote_id=q) for q in quotes])
        session.add_all([ActionItemLink(action_item_id=item.id, tag_id=t) for t in _valid_tags(session, self.tag_ids)])
        session.flush()
        self._made = _stored_links(session, item.id)

    def revert(self, session: Session) -> None:
        item = session.get(ActionItem, self.item_id, with_for_update=True)
        if item is not None:
            # someone's edit of the new item since, its fields or what it is linked to, would go with it; a link that
            # went with its card or column (deleted by a teammate) is no edit of the item
            refuse_undo_if_changed_since(self.name, (self.values, sorted(_still_linkable(session, self._made),
                                                                         key=repr)),
                                         (fields_of(item, self.values),
                                          sorted(_stored_links(session, self.item_id), key=repr)))
            session.delete(item)  # links go with it (ON DELETE CASCADE)


class QuickAddFromQuotes(AddActionItem):
    """An action item started from selected quote cards, linking them as its motivation."""
    incident_id: int  # always given here (the base allows None)

    def __init__(self, incident_id: int, quote_ids: Iterable[int], quote_texts: list[str], *,
                 area: str = ActionArea.PRODUCT.value):
        quote_ids = list(quote_ids)
        if not quote_ids:
            raise RuleError("Select one or more quote cards first.")
        super().__init__(incident_id, area=area, description=quick_add_description(quote_texts),
                         quote_ids=quote_ids)
        self.name = "Add Action Item from Quotes"


class EditActionItem(UpdateFields):
    """Changes an action item's fields; `based_on` (the item as its editor read it) makes a stale edit a conflict."""
    conflicts_with_names = ACTION_ITEM_EDITS

    refused_when_closed = True
    gone = "That action item no longer exists: someone else deleted it."

    def __init__(self, incident_id: int, item_id: int, *, based_on: dict[str, Any] | None = None, **changes: Any):
        if "description" in changes:
            changes["description"] = str(changes["description"]).strip()
        if "owner" in changes:
            changes["owner"] = str(changes["owner"]).strip()
        check_values(changes)
        super().__init__(ActionItem, item_id, changes, name="Edit Action Item " + ", ".join(
            k.replace("_", " ") for k in changes), kind=ACTION_PARTS, incident_id=incident_id, based_on=based_on)
        self.item_id = item_id
        self.merge_key = None  # each dialog's edit is its own undo step

    def before_set(self, row: ActionItem, changes: dict[str, Any]) -> None:
        if row.incident_id != self.incident_id:
            raise RuleError(self.gone)


class SetActionLinks(Edit):
    """Replaces what motivated an action item: its linked quotes and tags.

    With `based_on` (the links as its editor read them), refused with EditConflict when someone changed them
    since; its undo is refused when the links are no longer what it left.
    """
    conflicts_with_names = ACTION_ITEM_EDITS
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    changes = ACTION_PARTS
    name = "Change Action Item Links"

    def __init__(self, incident_id: int, item_id: int, quote_ids: Iterable[int], tag_ids: Iterable[int], *,
                 based_on: Links | None = None):
        self.incident_id, self.item_id = incident_id, item_id
        self.quote_ids, self.tag_ids = list(dict.fromkeys(quote_ids)), list(dict.fromkeys(tag_ids))
        self.based_on = list(based_on) if based_on is not None else None
        self._old: Links = []
        self._new: Links | None = None

    def _replace(self, session: Session, pairs: Links) -> None:
        for link in session.scalars(select(ActionItemLink).where(ActionItemLink.action_item_id == self.item_id)):
            session.delete(link)
        session.flush()
        session.add_all([ActionItemLink(action_item_id=self.item_id, quote_id=q, tag_id=t) for q, t in pairs])

    def apply(self, session: Session) -> None:
        item = session.get(ActionItem, self.item_id, with_for_update=True)
        if item is None or item.incident_id != self.incident_id:
            raise RuleError("That action item no longer exists.")
        stored = _stored_links(session, self.item_id)
        if self._new is not None:  # a redo: over the links its undo put back
            refuse_redo_if_changed_since(self.name, sorted(self._old, key=repr), sorted(stored, key=repr))
        self._old = stored
        quotes = _valid_quotes(session, self.incident_id, self.quote_ids)
        new: Links = [(q, None) for q in quotes] + [(None, t) for t in _valid_tags(session, self.tag_ids)]
        if self._new is None and self.based_on is not None and sorted(self._old, key=repr) != sorted(
                self.based_on, key=repr):
            raise EditConflict(self.name, based_on=self.based_on, yours=new, theirs=self._old)
        self._replace(session, new)
        self._new = new

    def revert(self, session: Session) -> None:
        session.get(ActionItem, self.item_id, with_for_update=True)
        refuse_undo_if_changed_since(self.name, sorted(self._new or [], key=repr),
                                     sorted(_stored_links(session, self.item_id), key=repr))
        refuse_if_parents_gone(session, self.name, LINKS, _link_rows(self.item_id, self._old))
        self._replace(session, self._old)


class DeleteActionItem(Edit):
    """Deletes an action item and its links; with `based_on`, refused (EditConflict) when someone changed it since."""
    conflicts_with_names = ACTION_ITEM_EDITS

    refused_when_closed = True

    changes = ACTION_PARTS

    def __init__(self, incident_id: int, item_id: int, *, based_on: dict[str, Any] | None = None):
        self.incident_id, self.item_id = incident_id, item_id
        self.name = "Delete Action Item"
        self.based_on = dict(based_on) if based_on is not None else None
        self._row: dict[str, Any] = {}
        self._links: list[dict[str, Any]] = []

    def apply(self, session: Session) -> None:
        item = session.get(ActionItem, self.item_id, with_for_update=True)
        if item is None or item.incident_id != self.incident_id:
            raise RuleError("That action item no longer exists.")
        if self.based_on is not None and not self._row:  # not on a redo
            stored = fields_of(item, self.based_on)
            if stored != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=None, theirs=stored)
        row = {c.name: getattr(item, c.name) for c in ActionItem.__table__.columns}
        links = [{c.name: getattr(link, c.name) for c in ActionItemLink.__table__.columns}
                 for link in session.scalars(select(ActionItemLink).where(ActionItemLink.action_item_id == self.item_id)
                                             .order_by(ActionItemLink.id))]
        if self._row:  # a redo: the item as its undo put it back, or someone has changed it since
            refuse_redo_if_changed_since(self.name, (self._row, self._links), (row, links))
        self._row, self._links = row, links
        session.delete(item)

    def revert(self, session: Session) -> None:
        # the quotes and columns it was linked to may have been deleted since: refused before anything is written
        refuse_if_parents_gone(session, self.name, ActionItem.__table__, [self._row])
        refuse_if_parents_gone(session, self.name, LINKS, self._links, put_back=("action_items",))
        session.add(ActionItem(**self._row))
        session.flush()
        session.add_all([ActionItemLink(**link) for link in self._links])
