"""Where in the app each close-out checklist item is fixed: a screen and the field to bring forward.

The core's checklist says what is missing (and which part); only the app knows its screens.
"""
from __future__ import annotations

from postmortem_desktop.domain.checklist import ChecklistItem

_TARGETS: dict[str, tuple[str, str]] = {
    "customer_damage": ("review", "customer_damage"),
    "most_broken_task": ("review", "most_broken_task"),
    "first_workaround": ("review", "first_workaround"),
    "trust_signals": ("review", "trust_signals"),
    "action_items": ("actions", ""),  # the field is the area that still needs a fix
    "customer_impact_window": ("timeline", "customer_impact_window"),
    "contact_and_message": ("review", ""),  # contacts, or the message, whichever is missing
    "follow_up": ("followup", "schedule"),
}


def fix_target(item: ChecklistItem) -> tuple[str, str]:
    """(screen key, field) where the person fixes item; the review screen's checklist if unknown."""
    screen, field = _TARGETS.get(item.key, ("review", "checklist"))
    return screen, field or item.part
