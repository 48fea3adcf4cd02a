"""An import the workspace could not take says which file, that none of it was imported and what to do, on the
window it was started from (a box without a parent is centred on the screen, away from the window)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import text
from test_import_flow import conversation_count, dump

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.errors import DiskFullError


@pytest.fixture
def team_window(qtbot, settings, team_demo_url, team_server, cable, teammate):
    """A main window on the billing incident of the team demo, reached through the unpluggable relay."""
    from tests.helpers import billing_id
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.show()
    window.select_incident(billing_id(teammate))
    yield window
    window.hub.close_session()


def _incident_start(window):
    return IncidentService(window.session.workspace).get(window.incident_id).technical_start


def test_the_server_stopping_during_an_import_names_the_file_and_says_to_import_it_again(
        qtbot, team_window, teammate, cable, tmp_path, monkeypatch):
    from ui import server_away
    from ui.importing.mapping_dialog import ImportMappingDialog

    def accept_as_the_server_goes(_dialog) -> QDialog.DialogCode:
        cable.unplug()  # the file is read and mapped; the server goes away as the import starts writing
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportMappingDialog, "exec", accept_as_the_server_goes)
    with teammate.reading() as s:
        before = s.execute(text("SELECT count(*) FROM conversations")).scalar()
    team_window.imports.import_file(dump(tmp_path / "zd.csv", _incident_start(team_window)))
    qtbot.waitUntil(lambda: server_away.shown() is not None, timeout=30000)
    box = server_away.shown()
    said = box.text()
    assert said.startswith("Nothing of zd.csv was imported") and "import zd.csv again" in said
    assert "reconnected" in said
    # what the server's side said (a read or a write of the import), behind Show Details
    assert any(words in box.detailedText() for words in ("not answering", "failed or was lost"))
    assert box.parentWidget() is team_window  # centred on its window
    box.done(0)
    cable.plug()
    with teammate.reading() as s:  # nothing half-imported
        assert s.execute(text("SELECT count(*) FROM conversations")).scalar() == before


def test_a_file_workspace_that_cannot_take_an_import_names_the_file_too(qtbot, main_window, tmp_path, monkeypatch):
    from tests.helpers import billing_id
    from ui.importing.mapping_dialog import ImportMappingDialog

    main_window.select_incident(billing_id(main_window.session.workspace))
    monkeypatch.setattr(ImportMappingDialog, "exec", lambda _dialog: QDialog.DialogCode.Accepted)
    full = DiskFullError(f"The disk holding {main_window.session.workspace.name} is full, so nothing of the last "
                         "change was saved. Free some space, then try again.")

    def the_disk_fills(*_args, **_kwargs):
        raise full
        yield  # a generator, as the import is

    monkeypatch.setattr("postmortem_desktop.services.spreadsheet_import.import_generator", the_disk_fills)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append((a[0], a[2])))
    before = conversation_count(main_window)
    main_window.imports.import_file(dump(tmp_path / "zd.csv", _incident_start(main_window)))
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    [(parent, said)] = shown
    assert parent is main_window
    assert said.startswith("Nothing of zd.csv was imported.") and "Free some space" in said
    assert said.endswith("Then import zd.csv again.")
    assert conversation_count(main_window) == before
