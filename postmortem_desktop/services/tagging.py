"""Tags and tag assignments: the board's columns and the undoable edits that tag quote cards."""
from __future__ import annotations

import json
import re
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import ChangedSince
from ..domain.vocabulary import EVIDENCE_SOURCES, TagSource
from ..resources import resource_path
from ..storage.edit_history import (
    card_editors_since,
    column_editors_since,
    last_card_editor,
    last_column_editor,
    last_workspace_editor,
)
from ..storage.handle import user_of
from ..storage.id_sets import among
from ..storage.schema import ActionItemLink, Quote, Tag, TagAssignment
from ..storage.workspace import Workspace
from .commands import (
    Edit,
    EditConflict,
    RuleError,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)

TAG_CHANGES = DataChange.TAG
MAX_TAG_NAME = 40


@dataclass(frozen=True)
class TagDefinition:
    """A workspace tag as the board and the tag manager list it (the timeline legend has its own TagInfo)."""

    id: int
    name: str
    description: str
    color: int
    position: int
    built_in: bool


@lru_cache(maxsize=1)
def _palette() -> dict:
    return json.loads(resource_path("palette.json").read_text(encoding="utf-8"))


def tag_color_hex(color: int, theme: str = "light") -> str:
    """The palette colour of a tag; the timeline uses the same rule: palette["tags"][color % len]."""
    colours = _palette()["tags"]
    entry = colours[color % len(colours)]
    return entry["dark" if theme == "dark" else "light"]


def untagged_color_hex(theme: str = "light") -> str:
    return _palette()["untagged"]["dark" if theme == "dark" else "light"]


def palette_size() -> int:
    return len(_palette()["tags"])


def list_tags(workspace: Workspace) -> list[TagDefinition]:
    """Every tag of the workspace in board order."""
    with workspace.reading() as session:
        rows = session.scalars(select(Tag).order_by(Tag.position, Tag.id)).all()
        return [TagDefinition(t.id, t.name, t.description, t.color, t.position, t.built_in) for t in rows]


def normalise_tag_name(name: str) -> str:
    """Tag names are lower-case words joined by hyphens, like the built-in ones."""
    cleaned = re.sub(r"\s+", "-", name.strip().lower())
    if not cleaned:
        raise RuleError("A tag needs a name.")
    if len(cleaned) > MAX_TAG_NAME:
        raise RuleError(f"Keep tag names under {MAX_TAG_NAME} characters.")
    return cleaned


def _check_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    clash = session.scalar(select(Tag.id).where(Tag.name == name))
    if clash is not None and clash != except_id:
        raise RuleError(f"There is already a tag called “{name}”.")


class ColumnNameChangedSince(ChangedSince):
    """An undo that gives a column its name back (a rename's, a merge's), refused: another column has that name now
    (a teammate added or renamed one since). A ChangedSince, so the window offers to skip the step as for any undo a
    teammate's change blocks; in its own words, naming who gave the name from that column's own history."""

    def __init__(self, what: str, name: str, *, by: tuple[str, ...] = ()):
        super().__init__(what, undoing=True, by=by)
        self.args = (f"“{what}” cannot be undone: since your edit, {by[0] if by else 'someone else'} gave the name "
                     f"“{name}” to another column, and two columns cannot share a name. Nothing was undone: rename or "
                     "merge that column first if this should still be undone.",)
        self.taken = name

    def naming(self, by: tuple[str, ...]) -> ChangedSince:
        return self  # who gave the name is said already: the edit's own history is about something else


def _refuse_if_name_taken(session: Session, edit: str, name: str, *, except_id: int | None = None) -> None:
    """Before an undo gives a column its name back: refused in words when another column has it now, before
    anything is written; never the database's unique-name error."""
    clash = session.scalar(select(Tag.id).where(Tag.name == name))
    if clash is None or clash == except_id:
        return
    who = last_column_editor(session, clash, user_of(session), f"%“{name}”")
    raise ColumnNameChangedSince(edit, name, by=(who,) if who else ())


def _tag_or_refuse(session: Session, tag_id: int, *, hold: bool = False, with_cards: bool = False) -> Tag:
    """hold: an edit of the column itself; held until commit on a team workspace, so two clients' edits of it run
    one after the other (the second sees the first's, and its conflict names who made it). FOR NO KEY UPDATE: a
    card's tag edit, whose new row only refers to the tag (KEY SHARE), need not wait for a rename.

    with_cards: an edit that deletes or rewrites the column's card rows (removing the column, a merge): FOR UPDATE,
    which a card's tag edit does wait for (and which waits for one in flight), so the rows it reads next are all
    there are; a teammate's card tagged meanwhile is never deleted unseen.

    Neither: a card's tag edit, about to tag cards with it: FOR KEY SHARE, so a merge or removal of the column
    committing meanwhile is either waited for (and the tag then found gone, refused in words) or waits for this edit,
    never failing its insert on the database's foreign key."""
    lock = True if with_cards else ({"key_share": True} if hold else {"read": True, "key_share": True})
    tag = session.get(Tag, tag_id, with_for_update=lock)
    if tag is None:
        raise RuleError("That tag no longer exists.")
    return tag


# ---- edits of the tags on quote cards ------------------------------------------------------------

#: The tags a card shows in its columns, per quote id: what a tag edit is based on (tag ids).
CardTags = Mapping[int, Iterable[int]]


def applied_tags(session: Session, quote_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Each card's tags put there or accepted by a person (its columns), as stored now."""
    ids = list(quote_ids)
    applied: dict[int, set[int]] = {quote_id: set() for quote_id in ids}
    for quote_id, tag_id in session.execute(select(TagAssignment.quote_id, TagAssignment.tag_id).where(
            among(TagAssignment.quote_id, ids), TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if quote_id is not None:  # always: the rows are selected by quote_id
            applied[quote_id].add(tag_id)
    return {quote_id: frozenset(tags) for quote_id, tags in applied.items()}


def named_columns(session: Session, cards: Mapping[int, frozenset[int]]) -> dict[int, tuple[str, ...]]:
    """Cards' tags by name, in board order, for a conflict shown to a person."""
    tags = session.execute(select(Tag.id, Tag.name).order_by(Tag.position, Tag.id)).all()
    return {quote_id: tuple(name for tag_id, name in tags if tag_id in tag_ids) for quote_id, tag_ids in cards.items()}


#: one row of a card's tags: (quote id, tag id, message id), a column's decision or a suggestion
CardRowKey = tuple[int, int, int | None]


def _card_rows(session: Session, quote_ids: Iterable[int]) -> dict[CardRowKey, dict]:
    """Every tag row of the cards, suggestions and dismissals included, by what it is the row of."""
    table = TagAssignment.__table__
    return {(row["quote_id"], row["tag_id"], row["message_id"]): dict(row) for row in session.execute(
        table.select().where(among(table.c.quote_id, list(quote_ids)))).mappings()}


def _decision(row: dict | None) -> tuple[str, str] | None:
    """What a card's row says (its source and the phrase it was suggested for); None: no row. Its id and time are
    not what a person decided."""
    return None if row is None else (row["source"], row["phrase"])


def changed_cards(shown: Mapping[int, frozenset[int]], stored: Mapping[int, frozenset[int]]) -> tuple[int, ...]:
    """The cards whose columns are no longer what the board showed."""
    return tuple(quote_id for quote_id in shown if stored.get(quote_id, frozenset()) != shown[quote_id])


class CardTagEdit(Edit):
    """Base for edits of some quotes' tag assignments; undo puts back exactly the rows it changed, and only those.

    Made from what the board showed (`made_from`), the edit is refused with EditConflict when someone else
    changed those cards' tags since; its undo is refused when the cards' tags are no longer what it left.
    """

    changes = TAG_CHANGES

    def __init__(self, incident_id: int, quote_ids: Iterable[int]):
        self.incident_id = incident_id
        self.quote_ids = tuple(dict.fromkeys(quote_ids))
        if not self.quote_ids:
            raise RuleError("Select a card first.")
        self.cards = ()  # the cards whose columns the last apply or revert changed
        self._changed_since_shown: tuple[int, ...] = ()  # the cards a conflict found changed: whose change to name
        # the rows the last apply changed: each as it was before (None: none) and the decision it made of it
        self._touched: dict[CardRowKey, tuple[dict | None, tuple[str, str] | None]] = {}
        self._after: dict[int, frozenset[int]] | None = None
        self._undone_to: dict[int, frozenset[int]] | None = None  # the cards' tags as the last undo left them
        # the cards' tags as the editor saw them; None: no check (a script, or the CLI)
        self.based_on: dict[int, frozenset[int]] | None = None

    def made_from(self, shown: CardTags) -> CardTagEdit:
        """Says which tags the edited cards showed when the person made this edit (checked when it runs)."""
        self.based_on = {quote_id: frozenset(shown.get(quote_id, ())) for quote_id in self.quote_ids}
        return self

    def _lock_cards(self, session: Session) -> None:
        # held until commit on a team workspace, so two clients' edits of one card run one after the other
        session.execute(select(Quote.id).where(among(Quote.id, self.quote_ids)).order_by(Quote.id).with_for_update())

    def apply(self, session: Session) -> None:
        self._lock_cards(session)
        first_time = self._after is None
        stored = applied_tags(session, self.quote_ids)
        if self._undone_to is not None:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._undone_to, stored)
        before = _card_rows(session, self.quote_ids)
        current = {(a.quote_id, a.tag_id): a for a in session.scalars(
            select(TagAssignment).where(among(TagAssignment.quote_id, self.quote_ids)))
            if a.quote_id is not None}  # always: the rows are selected by quote_id
        self.retag(session, current)
        session.flush()
        made = _card_rows(session, self.quote_ids)
        self._touched = {key: (before.get(key), _decision(made.get(key))) for key in before.keys() | made.keys()
                         if _decision(before.get(key)) != _decision(made.get(key))}
        after = applied_tags(session, self.quote_ids)
        if first_time and self.based_on is not None and stored != self.based_on:
            self._changed_since_shown = changed_cards(self.based_on, stored)
            # yours: what this edit makes of the cards as they are now (Keep mine); the transaction rolls back
            raise EditConflict(self.name, based_on=named_columns(session, self.based_on),
                               yours=named_columns(session, after), theirs=named_columns(session, stored))
        self._after = after
        self.cards = changed_cards(stored, after)  # their histories name who: not a card this edit left as it was

    def revert(self, session: Session) -> None:
        self._lock_cards(session)
        stored = applied_tags(session, self.quote_ids)
        refuse_undo_if_changed_since(self.name, self._after, stored)
        rows = _card_rows(session, self.quote_ids)
        # only the rows this edit changed go back: a teammate's decision on another row of the cards (a suggestion
        # dismissed) stays, and one on a row it changed is not overwritten
        refuse_undo_if_changed_since(self.name, {key: made for key, (_, made) in self._touched.items()},
                                     {key: _decision(rows.get(key)) for key in self._touched})
        back = [row for row, _ in self._touched.values() if row is not None]
        refuse_if_parents_gone(session, self.name, TagAssignment.__table__, back)
        session.execute(delete(TagAssignment).where(among(TagAssignment.id, [
            rows[key]["id"] for key in self._touched if key in rows])))
        if back:
            session.execute(insert(TagAssignment), back)
        self._undone_to = applied_tags(session, self.quote_ids)
        self.cards = changed_cards(stored, self._undone_to)

    def changed_by(self, session: Session, user: str) -> str:
        return last_card_editor(session, self._changed_since_shown, user)

    def changed_since_by(self, session: Session, user: str, *, undone: bool) -> tuple[str, ...]:
        return card_editors_since(session, self.quote_ids, user, self.name, undone=undone)

    @abstractmethod
    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        """Changes the cards' tag rows; each kind of tag edit says how."""

    # helpers shared by the subclasses
    def _tag(self, session: Session, quote_id: int, tag_id: int, current: dict[tuple[int, int], TagAssignment],
             source: str) -> None:
        row = current.get((quote_id, tag_id))
        if row is None:
            row = TagAssignment(tag_id=tag_id, quote_id=quote_id, source=source)
            session.add(row)
            current[(quote_id, tag_id)] = row
        elif row.source not in EVIDENCE_SOURCES:
            row.source = source  # a suggestion (or an earlier dismissal) overruled by a person

    @staticmethod
    def _untag(session: Session, quote_id: int, tag_id: int, current: dict[tuple[int, int], TagAssignment]) -> None:
        row = current.get((quote_id, tag_id))
        if row is None or row.source not in EVIDENCE_SOURCES:
            return
        if row.phrase:
            # it came from a suggestion: remember the "no" so the tagger does not offer it again
            row.source = TagSource.DISMISSED.value
        else:
            session.delete(row)
            del current[(quote_id, tag_id)]


class AssignTag(CardTagEdit):
    """Adds a tag to cards (Ctrl+drag, number keys); cards keep their other tags."""

    def __init__(self, incident_id: int, quote_ids: Iterable[int], tag_id: int, tag_name: str = ""):
        super().__init__(incident_id, quote_ids)
        self.tag_id = tag_id
        self.name = f"Tag as “{tag_name}”" if tag_name else "Tag Card"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        _tag_or_refuse(session, self.tag_id)
        for quote_id in self.quote_ids:
            self._tag(session, quote_id, self.tag_id, current, TagSource.MANUAL.value)


class RemoveTag(CardTagEdit):
    def __init__(self, incident_id: int, quote_ids: Iterable[int], tag_id: int, tag_name: str = ""):
        super().__init__(incident_id, quote_ids)
        self.tag_id = tag_id
        self.name = f"Remove Tag “{tag_name}”" if tag_name else "Remove Tag"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        for quote_id in self.quote_ids:
            self._untag(session, quote_id, self.tag_id, current)


class MoveCardTag(CardTagEdit):
    """A drag from column A to column B: removes A and adds B in one undo step.

    None stands for the Unsorted inbox: from None only adds, to None only removes.
    """

    def __init__(self, incident_id: int, quote_ids: Iterable[int], from_tag_id: int | None,
                 to_tag_id: int | None, to_name: str = ""):
        super().__init__(incident_id, quote_ids)
        if from_tag_id == to_tag_id:
            raise RuleError("The card is already in that column.")
        self.from_tag_id, self.to_tag_id = from_tag_id, to_tag_id
        self.name = f"Move to “{to_name}”" if to_name else "Move Card"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        if self.to_tag_id is not None:
            _tag_or_refuse(session, self.to_tag_id)
        for quote_id in self.quote_ids:
            if self.from_tag_id is not None:
                self._untag(session, quote_id, self.from_tag_id, current)
            if self.to_tag_id is not None:
                self._tag(session, quote_id, self.to_tag_id, current, TagSource.MANUAL.value)


class ClearCardTags(CardTagEdit):
    """Drag back to Unsorted from a card's only column, or "Untag all": removes every applied tag."""

    name = "Move to Unsorted"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        for (quote_id, tag_id) in list(current):
            self._untag(session, quote_id, tag_id, current)


class AcceptSuggestion(CardTagEdit):
    def __init__(self, incident_id: int, quote_id: int, tag_id: int, tag_name: str = ""):
        super().__init__(incident_id, [quote_id])
        self.tag_id = tag_id
        self.name = f"Accept Suggested “{tag_name}”" if tag_name else "Accept Suggestion"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        row = current.get((self.quote_ids[0], self.tag_id))
        if row is None or row.source != TagSource.SUGGESTED.value:
            raise RuleError("That suggestion is no longer there.")
        row.source = TagSource.ACCEPTED.value


class DismissSuggestion(CardTagEdit):
    """Dismissals are kept (source "dismissed") so the tagger never suggests them again."""

    def __init__(self, incident_id: int, quote_id: int, tag_id: int, tag_name: str = ""):
        super().__init__(incident_id, [quote_id])
        self.tag_id = tag_id
        self.name = f"Dismiss Suggested “{tag_name}”" if tag_name else "Dismiss Suggestion"

    def retag(self, session: Session, current: dict[tuple[int, int], TagAssignment]) -> None:
        row = current.get((self.quote_ids[0], self.tag_id))
        if row is None or row.source != TagSource.SUGGESTED.value:
            raise RuleError("That suggestion is no longer there.")
        row.source = TagSource.DISMISSED.value


# ---- edits of the tags themselves (the board's columns) -----------------------------------------

class AddTag(Edit):
    changes = TAG_CHANGES

    def __init__(self, name: str, color: int | None = None, description: str = ""):
        self.tag_name = normalise_tag_name(name)
        self.color, self.description = color, description
        self.name = f"Add Tag “{self.tag_name}”"
        self.tag_id: int | None = None

    def apply(self, session: Session) -> None:
        _check_name_free(session, self.tag_name)
        tags = session.scalars(select(Tag)).all()
        if self.color is None:
            used = {t.color % palette_size() for t in tags}
            free = [c for c in range(palette_size()) if c not in used]
            self.color = free[0] if free else len(tags) % palette_size()
        tag = Tag(name=self.tag_name, description=self.description, color=self.color,
                  position=max((t.position for t in tags), default=-1) + 1)
        if self.tag_id is not None:  # redo keeps the id so later commands still match
            tag.id = self.tag_id
        session.add(tag)
        session.flush()
        self.tag_id = tag.id
        self.columns = (tag.id,)

    def revert(self, session: Session) -> None:
        # Deleting the column takes its tags off every card and action item with it: a teammate's work, unseen.
        assert self.tag_id is not None, "undo before do"
        _tag_or_refuse(session, self.tag_id, with_cards=True)
        used = (session.scalar(select(func.count()).select_from(TagAssignment).where(  # a suggestion is nobody's work
            TagAssignment.tag_id == self.tag_id, TagAssignment.source != TagSource.SUGGESTED.value))
                or session.scalar(select(func.count()).select_from(ActionItemLink)
                                  .where(ActionItemLink.tag_id == self.tag_id)))
        if used:
            raise ChangedSince(self.name, undoing=True, depends="cards, messages or action items tagged with it")
        session.execute(delete(Tag).where(Tag.id == self.tag_id))


class _TagFieldEdit(Edit):
    changes = TAG_CHANGES

    def __init__(self, tag_id: int, field: str, value, name: str, shown=None):  # noqa: ANN001
        """shown: the value the person saw (None: no check); a teammate's change since is refused
        (EditConflict), not overwritten."""
        self.tag_id, self.field, self.value, self.name, self.shown = tag_id, field, value, name, shown
        self.columns = (tag_id,)
        self._old = None

    def apply(self, session: Session) -> None:
        tag = _tag_or_refuse(session, self.tag_id, hold=True)
        stored = getattr(tag, self.field)
        if self._old is None:
            if self.shown is not None and stored != self.shown:
                raise EditConflict(self.name, based_on=self.shown, yours=self.value, theirs=stored)
        else:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, stored)
        self.check(session)
        self._old = stored
        setattr(tag, self.field, self.value)

    def revert(self, session: Session) -> None:
        tag = _tag_or_refuse(session, self.tag_id, hold=True)
        refuse_undo_if_changed_since(self.name, self.value, getattr(tag, self.field))
        self.check_undo(session)
        setattr(tag, self.field, self._old)

    def check_undo(self, session: Session) -> None:
        """Hook for rules the value put back must keep (raise ChangedSince: nothing is written)."""

    def check(self, session: Session) -> None:
        """Hook for rules (raise RuleError)."""

    def changed_by(self, session: Session, user: str) -> str:
        # a column belongs to every incident: its edits are the workspace's (last_column_editor)
        return last_column_editor(session, self.tag_id, user, self.conflicts_with_names)

    def changed_since_by(self, session: Session, user: str, *, undone: bool) -> tuple[str, ...]:
        return column_editors_since(session, (self.tag_id,), user, self.name, undone=undone)


class RenameTag(_TagFieldEdit):
    conflicts_with_names = "Rename Tag to %"

    def __init__(self, tag_id: int, new_name: str, shown_name: str | None = None):
        clean = normalise_tag_name(new_name)
        super().__init__(tag_id, "name", clean, f"Rename Tag to “{clean}”", shown=shown_name)

    def check(self, session: Session) -> None:
        _check_name_free(session, self.value, except_id=self.tag_id)

    def check_undo(self, session: Session) -> None:
        # a teammate may have given the old name to a column since: refused in words, never the unique key's error
        _refuse_if_name_taken(session, self.name, str(self._old), except_id=self.tag_id)


class RecolorTag(_TagFieldEdit):
    conflicts_with_names = "Change Tag Colour"

    def __init__(self, tag_id: int, color: int, shown_color: int | None = None):
        if not 0 <= color < palette_size():
            raise RuleError(f"Choose one of the {palette_size()} palette colours.")
        super().__init__(tag_id, "color", color, "Change Tag Colour", shown=shown_color)


class ReorderTags(Edit):
    """Puts the board's columns in the given order (tag ids, first column first).

    Made from the order the board showed (`based_on`), it is refused with EditConflict when the stored order is no
    longer that: a Move Left made on a stale board would otherwise put back every column where that board had it,
    over a teammate's reorder (or a column they added). Its undo and redo are refused (ChangedSince) when the order
    is no longer what the edit, or its undo, left."""

    changes = TAG_CHANGES
    name = "Reorder Columns"

    def __init__(self, ordered_ids: Iterable[int], based_on: Iterable[int] | None = None):
        self.ordered_ids = list(ordered_ids)
        #: the columns' order the board showed (tag ids); None: no check (a script)
        self.based_on = list(based_on) if based_on is not None else None
        self._old: dict[int, int] = {}
        self._undone_to: list[int] | None = None  # the order as the last undo left it
        self._over_order = False  # a conflict found the same columns in another order: a reorder beat this one

    def _hold_order(self, session: Session) -> dict[int, Tag]:
        # every column held until commit on a team workspace, so two clients' reorders run one after the other
        return {t.id: t for t in session.scalars(
            select(Tag).order_by(Tag.position, Tag.id).with_for_update(key_share=True))}

    def apply(self, session: Session) -> None:
        tags = self._hold_order(session)
        stored = list(tags)
        if self._undone_to is not None and stored != self._undone_to:  # a redo: over what its undo left
            raise ChangedSince(self.name, undoing=False, advice=_ORDER_KEPT)
        if self._undone_to is None and self.based_on is not None and stored != self.based_on:
            self._over_order = set(stored) == set(self.based_on)
            # "The columns' order was changed by Ana…": the edit's own name ("Reorder Columns") read as the thing
            raise EditConflict("The columns' order", based_on=_names(tags, self.based_on),
                               yours=_names(tags, self.ordered_ids),
                               theirs=_names(tags, stored))
        if set(self.ordered_ids) != set(tags) or len(self.ordered_ids) != len(tags):
            raise RuleError("The tags changed meanwhile; try the reorder again.")
        self._old = {tid: t.position for tid, t in tags.items()}
        for position, tag_id in enumerate(self.ordered_ids):
            tags[tag_id].position = position

    def revert(self, session: Session) -> None:
        # the order it left, or a teammate's reorder (or column) since would be undone with it
        if list(self._hold_order(session)) != self.ordered_ids:
            raise ChangedSince(self.name, undoing=True, advice=_ORDER_KEPT)
        for tag_id, position in self._old.items():
            session.execute(update(Tag).where(Tag.id == tag_id).values(position=position))
        self._undone_to = list(self._hold_order(session))

    def changed_by(self, session: Session, user: str) -> str:
        # only a reorder changes the order of the same columns; a column added or merged away names no one
        return last_workspace_editor(session, user, self.name) if self._over_order else ""

    def changed_since_by(self, session: Session, user: str, *, undone: bool) -> tuple[str, ...]:
        return column_editors_since(session, (), user, self.name, undone=undone)


#: what a refused undo or redo of a reorder leaves, and what to do
_ORDER_KEPT = "The columns stay in the order they have now: move them by hand if they still need it."


def _names(tags: Mapping[int, Tag], ids: Iterable[int]) -> tuple[str, ...]:
    """Columns by name, in the order given, for a conflict shown to a person."""
    return tuple(tags[tag_id].name if tag_id in tags else "(a column merged or removed since)" for tag_id in ids)


class MergeTags(Edit):
    """Moves every assignment of one tag onto another and removes the first tag.

    Where a quote or message has both, the stronger record wins (manual > accepted > suggested >
    dismissed), so a merge never loses a person's decision.
    """

    changes = TAG_CHANGES
    _STRENGTH = {TagSource.MANUAL.value: 3, TagSource.ACCEPTED.value: 2, TagSource.SUGGESTED.value: 1,
                 TagSource.DISMISSED.value: 0}

    def __init__(self, source_id: int, target_id: int, source_name: str = "", target_name: str = ""):
        if source_id == target_id:
            raise RuleError("Choose a different tag to merge into.")
        self.source_id, self.target_id = source_id, target_id
        self.name = f"Merge “{source_name}” into “{target_name}”" if source_name else "Merge Tags"
        self.columns = (target_id,)  # the source column is gone afterwards (and back after the undo)
        self._tag_row: dict = {}
        self._assignments: list[dict] = []
        self._links: list[int] = []
        self._merged: frozenset[tuple] = frozenset()  # the target's rows as the merge left them

    def apply(self, session: Session) -> None:
        self._hold_cards(session)  # first, as a card's tag edit holds its cards before it reads the tags
        _tag_or_refuse(session, self.target_id, with_cards=True)
        _tag_or_refuse(session, self.source_id, with_cards=True)
        tags, assigns = Tag.__table__, TagAssignment.__table__
        self._tag_row = dict(session.execute(tags.select().where(tags.c.id == self.source_id)).one()._mapping)
        self._assignments = [dict(r._mapping) for r in session.execute(
            assigns.select().where(assigns.c.tag_id.in_((self.source_id, self.target_id))))]
        # the cards whose columns change, in every incident: their histories say who merged (a conflict over one)
        self.cards = tuple(sorted({row["quote_id"] for row in self._assignments  # a suggestion is no column
                                   if row["tag_id"] == self.source_id and row["quote_id"] is not None
                                   and row["source"] in EVIDENCE_SOURCES}))
        self._links = list(session.scalars(select(ActionItemLink.id).where(
            ActionItemLink.tag_id == self.source_id)))
        session.execute(update(ActionItemLink).where(among(ActionItemLink.id, self._links))
                        .values(tag_id=self.target_id))
        self._merge_assignments(session)
        session.execute(delete(Tag).where(Tag.id == self.source_id))

    def _merge_assignments(self, session: Session) -> None:
        best: dict[tuple, dict] = {}
        for row in self._assignments:
            key = (row["quote_id"], row["message_id"])
            held = best.get(key)
            if held is None or self._STRENGTH.get(row["source"], 0) > self._STRENGTH.get(held["source"], 0):
                best[key] = row
        session.execute(delete(TagAssignment).where(TagAssignment.tag_id.in_((self.source_id, self.target_id))))
        merged = [{**row, "tag_id": self.target_id} for row in best.values()]
        if merged:
            session.execute(insert(TagAssignment), merged)
        self._merged = self._target_rows(session)

    def _hold_cards(self, session: Session) -> None:
        # the cards holding either tag, held until commit as a card's tag edit holds them: a teammate's edit of
        # one waits for the merge (and the card's history has the merge in its place)
        held = select(TagAssignment.quote_id).where(TagAssignment.tag_id.in_((self.source_id, self.target_id)))
        session.execute(select(Quote.id).where(Quote.id.in_(held)).order_by(Quote.id).with_for_update())

    def _target_rows(self, session: Session) -> frozenset[tuple]:
        return frozenset(tuple(row) for row in session.execute(
            select(TagAssignment.quote_id, TagAssignment.message_id, TagAssignment.source)
            .where(TagAssignment.tag_id == self.target_id)))

    def revert(self, session: Session) -> None:
        self._hold_cards(session)
        _tag_or_refuse(session, self.target_id, with_cards=True)
        # the undo puts the target's rows back as they were before: a card tagged or untagged since would lose that
        refuse_undo_if_changed_since(self.name, self._merged, self._target_rows(session))
        # the merged column comes back under its name: a teammate's column given that name since stays
        _refuse_if_name_taken(session, self.name, self._tag_row["name"])
        session.execute(insert(Tag), [self._tag_row])
        session.execute(delete(TagAssignment).where(TagAssignment.tag_id == self.target_id))
        if self._assignments:
            session.execute(insert(TagAssignment), self._assignments)
        if self._links:
            session.execute(update(ActionItemLink).where(among(ActionItemLink.id, self._links))
                            .values(tag_id=self.source_id))
