"""An unexpected exception is logged to the user's log folder and shown; the app keeps running."""
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from ui import errors


def test_unexpected_exception_is_logged_and_shown(qtbot, monkeypatch):
    errors.setup_logging()
    opened = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: opened.append(self.text()))
    try:
        raise ZeroDivisionError("boom in a slot")
    except ZeroDivisionError:
        errors._excepthook(*sys.exc_info())
    for handler in errors.log.handlers:
        handler.flush()
    assert "boom in a slot" in errors.log_file().read_text(encoding="utf-8")
    assert opened and "ZeroDivisionError" in opened[0] and "saved" in opened[0]
    assert QApplication.instance() is not None


def test_rule_refusals_are_explained_not_logged_as_crashes(qtbot, monkeypatch):
    from postmortem_desktop.services.commands import RuleError

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    errors._excepthook(RuleError, RuleError("Closing needs a follow-up date."), None)
    assert shown == ["Closing needs a follow-up date."]
