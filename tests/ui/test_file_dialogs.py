"""Every open-file dialog starts in the open workspace's folder, where its imports usually sit, not in home."""
from pathlib import Path

from PySide6.QtWidgets import QFileDialog


def test_every_open_file_dialog_starts_in_the_workspace_folder(qtbot, main_window, demo_copy, monkeypatch):
    from ui.followup.followup_screen import FollowUpScreen
    from ui.timeline.event_dialogs import PasteEventLinesDialog
    from ui.timeline.timeline_screen import TimelineScreen

    folder = str(Path(demo_copy).resolve().parent)
    assert folder != str(Path.home())
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
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
