"""An unexpected exception is logged to the user's log folder and shown; the app keeps running."""
import logging
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


def _log_text() -> str:
    for name in ("postmortem_desktop", "ui"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()
    return errors.log_file().read_text(encoding="utf-8") if errors.log_file().exists() else ""


def test_a_failed_step_that_says_the_details_are_in_the_log_file_wrote_them_there(qtbot, settings, monkeypatch):
    """Before: ui.main_window's logger had no handler on the way to the file, which stayed empty."""
    from ui.main_window import MainWindow

    errors.setup_logging()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    try:
        raise KeyError("tag 17 vanished while suggesting")
    except KeyError as exc:
        window._on_step_failed("Suggest Tags", exc)
    assert shown and "written to the log file" in shown[0]
    logged = _log_text()
    assert "Suggest Tags failed" in logged and "Traceback" in logged
    assert "tag 17 vanished while suggesting" in logged and "test_unexpected_errors.py" in logged  # the traceback


def test_every_logger_of_the_app_writes_to_the_log_file():
    errors.setup_logging()
    for name in ("ui.importing.import_controller", "ui.main_window", "postmortem_desktop.storage.team_feed"):
        logging.getLogger(name).warning("said by %s", name)
    logged = _log_text()
    for name in ("ui.importing.import_controller", "ui.main_window", "postmortem_desktop.storage.team_feed"):
        assert f"said by {name}" in logged
