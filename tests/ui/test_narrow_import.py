"""The import's dialogs fit a narrow screen in every theme: the mapping dialog scrolls rather than growing past
the screen, and the progress's Cancel button shows its whole text (reviewer: "ncel (nothing will be imported)")."""
import threading

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QDialog, QPushButton

from tests.shared_data import shared_file
from tests.ui.test_import_flow import billing_id

SERVICENOW = "real/tickets/servicenow/uci_incident_event_log__first150incidents.csv"  # 36 columns


@pytest.fixture
def themed(qapp):
    from ui.theme import theme_manager

    manager = theme_manager(qapp)
    before = manager.snapshot()
    yield manager
    manager.restore(before)


@pytest.mark.parametrize("theme", ["light", "dark", "projector"])
def test_the_mapping_dialog_fits_the_narrow_offscreen_screen_with_its_buttons_whole(qtbot, main_window, themed,
                                                                                 theme):
    from postmortem_desktop.services import spreadsheet_import
    from ui.importing.mapping_dialog import ImportMappingDialog

    themed.apply(theme)
    free = main_window.screen().availableGeometry()
    assert free.width() < 958  # the offscreen screen is narrower than the reviewer's window: the test means something
    dialog = ImportMappingDialog(spreadsheet_import.prepare_import(shared_file(SERVICENOW)), "UTC", [], main_window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= free.width() and dialog.height() <= free.height()
    assert dialog.minimumSizeHint().width() <= free.width()
    for button in dialog.buttons.buttons():  # Import and Cancel in sight, whole
        assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size()))
        assert button.width() >= button.sizeHint().width()
    # every column's choice can be reached: what does not fit scrolls
    last = dialog.field_boxes[-1]
    dialog.columns_table.scrollToBottom()
    qtbot.waitUntil(lambda: last.isVisible())


@pytest.mark.parametrize("theme", ["light", "projector"])
def test_the_import_progress_shows_its_whole_cancel_text(qtbot, main_window, themed, theme, monkeypatch):
    from postmortem_desktop.services import spreadsheet_import
    from ui.importing.mapping_dialog import ImportMappingDialog

    themed.apply(theme)
    main_window.select_incident(billing_id(main_window))
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda _dialog: QDialog.DialogCode.Accepted)
    release = threading.Event()

    def held_import(*_args, **_kwargs):  # the import waits, so its progress stays up to be looked at
        yield 0, 100
        release.wait(10)
        yield 100, 100

    monkeypatch.setattr(spreadsheet_import, "import_generator", held_import)
    try:
        main_window.imports.import_file(shared_file(SERVICENOW))
        qtbot.waitUntil(lambda: main_window.imports._progress is not None
                        and main_window.imports._progress.isVisible(), timeout=10000)
        progress = main_window.imports._progress
        button = progress.findChild(QPushButton)
        assert "nothing will be imported" in button.text()
        assert button.x() >= 0 and button.geometry().right() < progress.width()
        assert button.width() >= button.sizeHint().width()
        button.click()  # Cancel: nothing is imported
    finally:
        release.set()
    qtbot.waitUntil(lambda: main_window.imports._worker is None, timeout=10000)
