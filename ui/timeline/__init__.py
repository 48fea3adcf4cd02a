"""The dual-swimlane timeline screen: view, items, dialogs and the QPainter canvas adapter."""
