"""Every open-file dialog starts in the open workspace's folder, where its imports usually sit, not in home."""
import os
from pathlib import Path

import pytest

from ui import file_dialogs


def test_every_open_file_dialog_starts_in_the_workspace_folder(qtbot, main_window, demo_copy, monkeypatch):
    from ui.followup.followup_screen import FollowUpScreen
    from ui.timeline.event_dialogs import PasteEventLinesDialog
    from ui.timeline.timeline_screen import TimelineScreen

    folder = str(Path(demo_copy).resolve().parent)
    assert folder != str(Path.home())
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(file_dialogs, "ask_open_file_name",
                        lambda parent, title, start, *filters: (opened.append((title, start)), ("", ""))[1])
    main_window.select_incident(next(s.id for s in main_window.incident_service.list_incidents()))
    main_window.imports.choose_and_import()
    main_window.imports.choose_events_file()
    main_window._on_open_workspace()
    followup = main_window.show_screen("followup")
    assert isinstance(followup, FollowUpScreen)
    followup.import_button.click()
    timeline = main_window.show_screen("timeline")
    assert isinstance(timeline, TimelineScreen)
    qtbot.waitUntil(lambda: timeline.layout_ is not None)
    dialog = timeline.paste_log_lines()
    assert isinstance(dialog, PasteEventLinesDialog)
    dialog._on_open_button_clicked()
    dialog.reject()
    titles = [title for title, _ in opened]
    assert titles == ["Import Tickets", "Import System Events", "Open Workspace", "Import account activity",
                      "Open Alerts CSV or Log File"]
    assert {start for _, start in opened} == {folder}


def _posix_locks_held_on(path: Path) -> int:
    """How many fcntl (POSIX) locks this process holds on the file, from Linux's /proc/locks."""
    inode = os.stat(path).st_ino
    held = 0
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "POSIX" and fields[4] == str(os.getpid()) and fields[5].endswith(f":{inode}"):
            held += 1
    return held


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads the kernel's lock table (Linux)")
@pytest.mark.parametrize("save", [False, True], ids=["open", "save"])
def test_a_file_dialog_showing_the_workspace_folder_leaves_sqlite_its_locks(qtbot, tmp_path, save):
    # Qt's default icon provider read each listed file to sniff its type; closing that read dropped the
    # locks SQLite held on an open workspace there, and another program then deleted its journal.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.storage.workspace import create_workspace

    path = tmp_path / "w.pmw"
    (tmp_path / "tickets.csv").write_text("id,subject\n1,Card declined\n")
    workspace = create_workspace(path)
    try:
        CreateIncident(title="Card payments failing").do(workspace)
        with workspace.engine.connect() as conn:  # a connection SQLite keeps open holds its shared lock
            conn.exec_driver_sql("SELECT count(*) FROM incidents").scalar()
            assert _posix_locks_held_on(path) > 0
            seen: list[int] = []

            def look_then_cancel() -> None:
                dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())
                qtbot.wait(1500)  # the folder is listed and every file's icon and type gathered meanwhile
                seen.append(_posix_locks_held_on(path))
                dialog.reject()

            QTimer.singleShot(200, look_then_cancel)
            ask = file_dialogs.ask_save_file_name if save else file_dialogs.ask_open_file_name
            assert ask(None, "Import Tickets", str(tmp_path), "All files (*)") == ("", "")
            assert seen and seen[0] > 0, "the dialog dropped SQLite's locks on the open workspace"
    finally:
        workspace.close()


@pytest.mark.parametrize("confirm", [True, False])
def test_a_save_dialog_asks_before_replacing_unless_told_not_to(qapp, confirm):
    from PySide6.QtWidgets import QFileDialog

    dialog = file_dialogs.build_dialog(None, "Save", "", "All files (*)", save=True, confirm_overwrite=confirm)
    try:
        assert dialog.testOption(QFileDialog.Option.DontConfirmOverwrite) is not confirm
        assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        assert isinstance(dialog.iconProvider(), file_dialogs.NameOnlyIconProvider)
    finally:
        dialog.deleteLater()
