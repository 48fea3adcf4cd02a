"""main(): the QApplication, the workspace to open, the services, the main window.

The window is painted first and the workspace opened just after: the storage layer's imports and
the first queries then no longer keep an empty screen waiting (bench/bench_startup.py).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from postmortem_desktop.resources import resource_path

from . import recent_files
from .errors import install_excepthook, setup_logging
from .main_window import MainWindow
from .theme import apply_saved_theme

APP_NAME = "Postmortem Desktop"


def default_workspace_path() -> Path:
    return Path(user_data_dir("postmortem-desktop", appauthor=False)) / "Demo workspace.pmw"


def write_demo_once(path: Path) -> Path:
    """The demo workspace at path, written the first time it is wanted."""
    if not path.exists():
        from postmortem_desktop.services.demo import write_demo  # the demo's tagger: only on a first launch

        path.parent.mkdir(parents=True, exist_ok=True)
        write_demo(path)
    return path


def existing_choice(requested: str | None, settings: QSettings) -> Path | str | None:
    """The workspace to open when there is one already: the one asked for (a file, or a team workspace's
    postgresql:// URL), else the last one, else the demo copy."""
    if requested:
        return recent_files.target_of(requested)
    last = recent_files.last_workspace(settings)
    if last is not None:
        return last
    demo = default_workspace_path()
    return demo if demo.exists() else None


def choose_workspace(requested: str | None, settings: QSettings) -> Path | str:
    """The workspace to open: the one asked for, else the last one, else a fresh demo copy."""
    return existing_choice(requested, settings) or write_demo_once(default_workspace_path())


class _AfterFirstPaint(QObject):
    """Runs a function once, on the event loop's next turn after the widget was first painted (or after
    FALLBACK_MS, should no paint come: a window opened minimised still opens its workspace)."""

    FALLBACK_MS = 1000

    def __init__(self, widget: QWidget, run: Callable[[], None]):
        super().__init__(widget)
        self._run: Callable[[], None] | None = run
        widget.installEventFilter(self)
        QTimer.singleShot(self.FALLBACK_MS, self._run_once)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._run_once)
        return False

    def _run_once(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="postmortem-desktop", description=APP_NAME)
    parser.add_argument("workspace", nargs="?", help="workspace file, or team workspace URL (postgresql://USER@HOST"
                                                     "/DATABASE), to open (default: the last one, "
                                                     "or a demo workspace on first launch)")
    parser.add_argument("--self-check", action="store_true",
                        help="open a demo workspace offscreen, render every screen, export a PDF; exit 0 if all pass")
    return parser.parse_args(argv)


def open_workspace_in(window: MainWindow, workspace: str | None) -> bool:
    """Opens the workspace asked for (or the last, or the demo); False when none would open."""
    path = choose_workspace(workspace, window.settings)
    if window.open_path(path):
        return True
    # the remembered file went bad: fall back to the demo so the app still opens
    return workspace is None and window.open_path(write_demo_once(default_workspace_path()))


def build_window(app: QApplication, workspace: str | None) -> MainWindow:
    """The main window, to be shown. Once it is painted, a first look at the workspace (read-only, without
    SQLAlchemy) fills the incident list and the timeline; once that is drawn, the workspace opens for real.

    A refused workspace leaves the window open with nothing of that file on it (MainWindow.forget_first_look):
    File › Open, New and Recent are there to go on from."""
    window = MainWindow(QSettings())

    def open_it() -> None:
        from postmortem_desktop.storage.workspace import WorkspaceError

        try:
            open_workspace_in(window, workspace)  # a refusal is shown by the window
        except WorkspaceError as exc:  # e.g. no room to write the demo workspace
            window.forget_first_look()
            QMessageBox.critical(window, APP_NAME, str(exc))

    def look_then_open() -> None:
        from postmortem_desktop.services.first_look import first_look

        path = existing_choice(workspace, window.settings)
        look = first_look(path) if isinstance(path, Path) else None  # a team workspace opens at once
        drawn_in = window.show_first_look(look) if look is not None else None
        if drawn_in is None:  # nothing to draw first: open it now
            open_it()
        else:
            _AfterFirstPaint(drawn_in, open_it)
    _AfterFirstPaint(window.screens, look_then_open)
    return window


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_check:
        from .self_check import run_self_check

        return run_self_check()
    existing = QApplication.instance()  # a test's, or the self-check's
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("postmortem-desktop")
    app.setDesktopFileName("postmortem-desktop")
    app.setWindowIcon(QIcon(str(resource_path("icons", "postmortem-desktop.svg"))))
    apply_saved_theme(QSettings(), app)
    setup_logging()
    install_excepthook()
    window = build_window(app, args.workspace)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
