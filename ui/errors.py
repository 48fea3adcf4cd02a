"""Unexpected exceptions: logged to a file in the user's log folder and shown; the app keeps running."""
from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_log_dir
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

log = logging.getLogger("postmortem_desktop")
#: the loggers every module of the app logs under (getLogger(__name__)): the core's and the screens'
APP_LOGGERS = ("postmortem_desktop", "ui")


def log_file() -> Path:
    folder = Path(user_log_dir("postmortem-desktop", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "postmortem-desktop.log"


def setup_logging() -> Path:
    """Sends the app's log (every logger of APP_LOGGERS) to the log file, which messages name to the person."""
    path = log_file()
    handler: logging.Handler | None = None
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
            if handler is None:  # one handler (one open file) shared by both loggers
                handler = logging.FileHandler(path, encoding="utf-8")
                handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return path


def show_refusal(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """Known refusals (rules, bad files) are explained, not logged as crashes."""
    QMessageBox.warning(parent, title, str(exc))


def offer_to_skip_step(parent: QWidget | None, exc: BaseException) -> bool:
    """An undo refused because a teammate changed what it would put back: the refusal, and the choice to skip that
    step, so Ctrl+Z reaches the person's earlier edits again. Keep It (the default, also Esc) leaves it on top, for
    when the teammate's change is taken back. True: skip it."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Undo not possible",
                      f"{exc}\n\nSkip this step to undo your earlier edits with Ctrl+Z; its change stays as it is now. "
                      "Keep it to try this undo again later.", parent=parent)
    keep = box.addButton("Keep It", QMessageBox.ButtonRole.RejectRole)
    skip = box.addButton("Skip This Step", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is skip


#: while a re-read nobody asked for runs (a teammate's change, the feed back after losing the server): who is
#: told, instead of a dialog, that the team server could not be reached
_unreachable_handlers: list[Callable[[str], None]] = []


@contextmanager
def rereads_in_background(on_unreachable: Callable[[str], None]) -> Iterator[None]:
    """Screens re-reading inside this block (slots of a signal emitted in it) that cannot reach the team server
    keep what they show, and on_unreachable gets the message: nobody asked for these re-reads, so a modal
    dialog per screen would only interrupt the person, who can go on reading what was last read."""
    _unreachable_handlers.append(on_unreachable)
    try:
        yield
    finally:
        _unreachable_handlers.remove(on_unreachable)


def message_parent() -> QWidget | None:
    """The window a message raised from a slot belongs on: the active one, else the app's main window. A box
    with no parent is centred on the screen, away from the window it speaks of (no window is active while
    the app is in the background, or once the progress dialog of the failed work has closed)."""
    active = QApplication.activeWindow()
    if active is not None:
        return active
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()), None)


def _excepthook(exc_type, exc, tb) -> None:  # noqa: ANN001
    from postmortem_desktop.services.commands import RuleError  # not before the first paint: SQLAlchemy
    from postmortem_desktop.storage.errors import ServerUnavailableError, server_is_away
    from postmortem_desktop.storage.workspace import WorkspaceError

    if isinstance(exc, ServerUnavailableError) and _unreachable_handlers:
        log.info("a background re-read could not reach the team server: %s", exc)
        _unreachable_handlers[-1](str(exc))
        return
    if server_is_away(exc):  # not a password or TLS refusal: the server is simply away
        # a screen read what the person asked for (a tab shown, say) and got no answer: one box, never a stack
        from . import server_away

        log.info("the team server did not answer: %s", exc)
        server_away.tell(message_parent(), str(exc))
        return
    if isinstance(exc, (RuleError, WorkspaceError)):
        show_refusal(message_parent(), "Not possible", exc)
        return
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("unexpected exception\n%s", text)
    app = QApplication.instance()
    if app is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    box = QMessageBox(message_parent())
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText(f"{exc_type.__name__}: {exc}\n\nYour work is saved. The details were written to\n{log_file()}")
    box.setDetailedText(text)
    box.setObjectName("unexpected_error_box")
    box.open()  # not exec(): a modal loop inside the hook could re-enter it


def install_excepthook() -> None:
    sys.excepthook = _excepthook
