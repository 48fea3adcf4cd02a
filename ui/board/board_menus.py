"""Context menus of the board: a column's (rename, recolour, move, merge) and a card's; they return commands."""
from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from postmortem_desktop.services.commands import Command
from postmortem_desktop.services.quotes import BoardCard, DeleteQuote
from postmortem_desktop.services.tagging import (
    AcceptSuggestion,
    AddTag,
    AssignTag,
    DismissSuggestion,
    MergeTags,
    RecolorTag,
    RemoveTag,
    RenameTag,
    ReorderTags,
    TagDefinition,
    palette_size,
    tag_color_hex,
)


def swatch_icon(color: QColor, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(color)
    return QIcon(pixmap)


def ask_new_tag(parent: QWidget) -> Command | None:
    name, ok = QInputDialog.getText(parent, "Add Column", "Name of the new tag (a kind of customer harm):")
    return AddTag(name) if ok and name.strip() else None


def column_menu_command(parent: QWidget, tag: TagDefinition | None, tags: list[TagDefinition],
                        pos: QPoint) -> Command | None:
    """Shows a column's menu at pos; the chosen edit as a command (None when cancelled)."""
    menu = QMenu(parent)
    add = menu.addAction("Add Column…")
    if tag is None:  # the Unsorted inbox is not a tag: it can only be added to
        return ask_new_tag(parent) if menu.exec(pos) is add else None
    rename = menu.addAction("Rename…")
    colours = menu.addMenu("Colour")
    colour_actions = {}
    for index in range(palette_size()):
        action = colours.addAction(swatch_icon(QColor(tag_color_hex(index))), f"Colour {index + 1}")
        action.setCheckable(True)
        action.setChecked(index == tag.color % palette_size())
        colour_actions[action] = index
    order = [t.id for t in tags]
    position = order.index(tag.id)
    left = menu.addAction("Move Left")
    left.setEnabled(position > 0)
    right = menu.addAction("Move Right")
    right.setEnabled(position < len(order) - 1)
    merge = menu.addMenu("Merge Into")
    merge_actions = {merge.addAction(swatch_icon(QColor(tag_color_hex(t.color))), t.name): t
                     for t in tags if t.id != tag.id}
    chosen = menu.exec(pos)
    if chosen is None:
        return None
    if chosen is add:
        return ask_new_tag(parent)
    if chosen is rename:
        name, ok = QInputDialog.getText(parent, "Rename Column", "New name:", text=tag.name)
        renamed = ok and name.strip() and name.strip() != tag.name
        return RenameTag(tag.id, name, shown_name=tag.name) if renamed else None
    if chosen in colour_actions:
        return RecolorTag(tag.id, colour_actions[chosen], shown_color=tag.color)
    if chosen in (left, right):
        step = -1 if chosen is left else 1
        shown = list(order)  # the order this board showed: a teammate's reorder since is refused, not overwritten
        order[position], order[position + step] = order[position + step], order[position]
        return ReorderTags(order, based_on=shown)
    if chosen in merge_actions:
        target = merge_actions[chosen]
        return MergeTags(tag.id, target.id, tag.name, target.name)
    return None


def card_menu_command(parent: QWidget, incident_id: int, cards: list[BoardCard], tags: list[TagDefinition],
                      pos: QPoint) -> Command | str | None:
    """The selected cards' menu: a command, "open" to read the conversation, or None."""
    if not cards:
        return None
    first = cards[0]
    ids = [c.quote_id for c in cards]
    menu = QMenu(parent)
    chosen_map: dict = {}
    for s in first.suggestions:
        sure = f", {s.percent()} sure" if s.percent() else ""
        chosen_map[menu.addAction(f"Accept “{s.name}” ({s.reason or s.phrase}{sure})")] = AcceptSuggestion(
            incident_id, first.quote_id, s.tag_id, s.name)
        chosen_map[menu.addAction(f"Dismiss “{s.name}”")] = DismissSuggestion(
            incident_id, first.quote_id, s.tag_id, s.name)
    if first.suggestions:
        menu.addSeparator()
    tag_menu = menu.addMenu("Tag As")
    for t in tags:
        chosen_map[tag_menu.addAction(swatch_icon(QColor(tag_color_hex(t.color))), t.name)] = AssignTag(
            incident_id, ids, t.id, t.name)
    if first.tags:
        remove_menu = menu.addMenu("Remove Tag")
        for card_tag in first.tags:
            chosen_map[remove_menu.addAction(card_tag.name)] = RemoveTag(incident_id, ids, card_tag.tag_id,
                                                                         card_tag.name)
    menu.addSeparator()
    open_action = menu.addAction("Read Conversation")
    delete_action = menu.addAction("Delete Quote" if len(ids) == 1 else f"Delete {len(ids)} Quotes")
    chosen = menu.exec(pos)
    if chosen is None:
        return None
    if chosen is open_action:
        return "open"
    if chosen is delete_action:
        return DeleteQuote(incident_id, ids)
    return chosen_map.get(chosen)
