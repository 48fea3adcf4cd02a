"""How a suggestion reads on screen: a short badge, and a sentence with its reason and confidence."""
from __future__ import annotations

from postmortem_desktop.services.quotes import CardTag


def ghost_label(tag: CardTag, can_accept: bool = True) -> str:
    """A suggestion badge: the tag, how sure, and its evidence ("+ trust-loss 82 % “charged twice”"); without the
    "+" that offers to accept it where nothing can be accepted (a read-only workspace)."""
    sure = f" {tag.percent()}" if tag.percent() else ""
    return f"{'+ ' if can_accept else ''}{tag.name}{sure} “{tag.phrase}”"


def suggestion_line(tag: CardTag) -> str:
    """A suggestion in a sentence, for tooltips, menus and the reader."""
    sure = f" ({tag.percent()} sure)" if tag.percent() else ""
    return f"{tag.name}{sure}: {tag.reason or tag.phrase}"


__all__ = ["ghost_label", "suggestion_line"]
