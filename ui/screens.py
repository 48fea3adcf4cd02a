"""The screens the main window shows, in tab order, and the docks beside them.

Each entry names a QWidget class constructed as `Class(hub, parent)`; it keeps itself up to date by
listening to the hub (ui/hub.py). Add a screen by adding one line here.
"""
from __future__ import annotations

# (key, "module:Class", tab title with mnemonic)
SCREENS: list[tuple[str, str, str]] = [
    ("timeline", "ui.timeline.timeline_screen:TimelineScreen", "&Timeline"),
    ("board", "ui.board.board_screen:BoardScreen", "&Board"),
    ("properties", "ui.incidents.properties_screen:PropertiesScreen", "&Properties"),
    ("review", "ui.review.review_screen:ReviewScreen", "&Review"),
    ("actions", "ui.actions.actions_screen:ActionsScreen", "&Actions"),
    ("followup", "ui.followup.followup_screen:FollowUpScreen", "Follow-&up"),
    ("report", "ui.reports.report_screen:ReportScreen", "Rep&ort"),
]

# (key, "module:Class", dock title, area: "left" | "right" | "bottom")
DOCKS: list[tuple[str, str, str, str]] = [
    ("reader", "ui.reader.conversation_reader:ConversationReaderWidget", "Conversation", "right"),
]

# widgets shown under the screens, always visible (e.g. the close-out strip): (key, "module:Class")
STRIPS: list[tuple[str, str]] = [
    ("closeout", "ui.closeout.closeout_strip:CloseoutStrip"),
]
