"""main(): the QApplication, the workspace to open, the services, the main window."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from postmortem_desktop.resources import resource_path
from postmortem_desktop.services.demo import write_demo
from postmortem_desktop.storage.workspace import WorkspaceError
from postmortem_desktop.storage.workspace_kind import WorkspaceKind, kind_of

from . import recent_files
from .errors import install_excepthook, setup_logging
from .main_window import MainWindow
from .theme import apply_saved_theme

APP_NAME = "Postmortem Desktop"


def default_workspace_path() -> Path:
    return Path(user_data_dir("postmortem-desktop", appauthor=False)) / "Demo workspace.pmw"


def choose_workspace(requested: str | None, settings: QSettings) -> Path | str:
    """The workspace to open: the one asked for (a file, or a team workspace's postgresql:// URL), else the
    last one, else a fresh demo copy."""
    if requested:
        return requested if kind_of(requested) is WorkspaceKind.TEAM else Path(requested)
    last = recent_files.last_workspace(settings)
    if last is not None:
        return last
    path = default_workspace_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_demo(path)
    return path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="postmortem-desktop", description=APP_NAME)
    parser.add_argument("workspace", nargs="?", help="workspace file, or team workspace URL (postgresql://USER@HOST"
                                                     "/DATABASE), to open (default: the last one, "
                                                     "or a demo workspace on first launch)")
    parser.add_argument("--self-check", action="store_true",
                        help="open a demo workspace offscreen, render every screen, export a PDF; exit 0 if all pass")
    return parser.parse_args(argv)


def build_window(app: QApplication, workspace: str | None) -> MainWindow:
    settings = QSettings()
    window = MainWindow(settings)
    path = choose_workspace(workspace, settings)
    if not window.open_path(path) and workspace is None:
        # the remembered file went bad: fall back to the demo so the app still opens
        demo = default_workspace_path()
        if not demo.exists():
            write_demo(demo)
        window.open_path(demo)
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
    try:
        window = build_window(app, args.workspace)
    except WorkspaceError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 4
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
