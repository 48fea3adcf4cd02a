"""File › Open Team Workspace…'s own behaviour, without a server: what Enter does after a test, the dialog fitting
the screen with a long message, how a read-only role's test result reads, the address it writes, the password
field's hint and the colour of a problem.

The reviewer found Enter cancelling the dialog after a test (the disabled Test Connection had passed the focus to
Cancel), the dialog 759 px tall on a 720 px screen in the projector theme, a test result that said the workspace
"is open read-only" before anything was open, and `sslmode=prefer` in addresses nobody typed it into."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton

from postmortem_desktop.storage import team_grants
from postmortem_desktop.storage.team_workspace import TeamProbe
from postmortem_desktop.storage.workspace_kind import address_key
from ui import team_workspace_dialog
from ui.team_workspace_dialog import OpenTeamWorkspaceDialog
from ui.theme import DARK, LIGHT, PROJECTOR, theme_manager

NAME = "postgresql://reader@db.example.com:5432/incidents"
ROLE = "reader"


@pytest.fixture
def themed(qapp):
    """Applies a theme for the test; the application's look is put back afterwards."""
    before = theme_manager(qapp).snapshot()
    yield theme_manager(qapp).apply
    theme_manager(qapp).restore(before)


@pytest.fixture
def dialog(qtbot):
    dialog = OpenTeamWorkspaceDialog()
    qtbot.addWidget(dialog)
    yield dialog
    qtbot.waitUntil(lambda: not team_workspace_dialog._PROBES, timeout=15000)  # a test's worker let go


def _read_only_probe(needs_upgrade: bool = False) -> TeamProbe:
    gap = team_grants.WriteGap(ROLE, "may read it but not change it", team_grants.write_grants(ROLE))
    return TeamProbe(NAME, "Ana Reader", team_grants.gap_reason(gap, NAME), needs_upgrade, ROLE, gap=gap)


def _cancel(dialog: OpenTeamWorkspaceDialog) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)


def _fill(dialog: OpenTeamWorkspaceDialog) -> None:
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)  # nothing listens there: the test fails at once
    dialog.database.setText("incidents")
    dialog.user.setText(ROLE)


def test_enter_after_a_test_connection_opens_and_never_cancels(qtbot, dialog):
    _fill(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.test_button.setFocus()
    qtbot.keyClick(dialog.test_button, Qt.Key.Key_Space)  # Test Connection, from the keyboard
    assert not dialog.test_button.isEnabled()
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=15000)
    assert dialog.focusWidget() is dialog.test_button  # the focus came back where it was
    assert not _cancel(dialog).autoDefault() and dialog.open_button.isDefault()
    with qtbot.waitSignal(dialog.finished, timeout=2000) as finished:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert finished.args == [QDialog.DialogCode.Accepted]  # Enter did what Open does


def test_enter_on_a_focused_cancel_still_opens(qtbot, dialog):
    _fill(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _cancel(dialog).setFocus()
    with qtbot.waitSignal(dialog.finished, timeout=2000) as finished:
        qtbot.keyClick(_cancel(dialog), Qt.Key.Key_Return)
    assert finished.args == [QDialog.DialogCode.Accepted]


@pytest.mark.parametrize("theme", [PROJECTOR, DARK])
@pytest.mark.parametrize("keyring", ["memory_keyring", "no_keyring"])  # with a keyring, no other row wraps
def test_a_long_test_result_scrolls_inside_a_dialog_that_fits_the_screen(qtbot, themed, theme, keyring, request):
    request.getfixturevalue(keyring)
    themed(theme)
    room = QGuiApplication.primaryScreen().availableGeometry()
    dialog = OpenTeamWorkspaceDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    long_problem = " ".join(["The server said something long about why it refused."] * 150)
    dialog.show_problem(long_problem)  # a server's long refusal
    assert dialog.frameGeometry().height() <= room.height()
    assert room.contains(dialog.frameGeometry())
    for button in (dialog.open_button, _cancel(dialog), dialog.test_button):
        corner = button.mapToGlobal(button.rect().bottomRight())
        assert room.contains(corner), button.text()
    assert dialog.status_area.verticalScrollBar().maximum() > 0  # the rest of the words are a scroll away
    dialog._on_probe_finished(_read_only_probe())  # a shorter message: the dialog still fits, nothing scrolls
    assert room.contains(dialog.frameGeometry())


def test_a_read_only_roles_test_result_says_what_will_happen_and_lists_each_grant_on_its_own_line(qtbot, dialog):
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog._on_probe_finished(_read_only_probe())
    said = dialog.status.text()
    assert said.startswith(f"Connected as {ROLE} to the team workspace at {NAME}. {ROLE} may read it but not change "
                           "it, so it will open read-only.")
    assert "is open read-only" not in said  # nothing is open yet
    assert "signed" not in said  # a read-only workspace takes no edits to sign
    assert said.count(NAME) == 1 and NAME not in dialog.after_grants.text()
    assert dialog.grants.isVisible()
    assert dialog.grants.toPlainText().splitlines() == list(team_grants.write_grants(ROLE))
    assert dialog.grants.lineWrapMode() == dialog.grants.LineWrapMode.NoWrap
    assert dialog.grants.font().styleHint() == QFont.StyleHint.TypeWriter  # monospace
    assert dialog.grants.isReadOnly()  # selectable, copyable, not editable
    assert not dialog.status.property("problem")
    dialog._on_probe_finished(_read_only_probe(needs_upgrade=True))
    assert "will not open until" in dialog.status.text() and "will open read-only" not in dialog.status.text()
    dialog.show_problem("Connected.", warning=False)  # the next message takes the grants away
    assert not dialog.grants.isVisible()


def test_the_default_tls_mode_is_not_written_into_the_address(dialog):
    _fill(dialog)
    assert dialog.tls_mode.currentText() == "prefer"
    address = dialog.connection().address
    assert "sslmode" not in address
    dialog.tls_mode.setCurrentText("require")  # a mode the person chose is written
    assert "sslmode=require" in dialog.connection().address
    dialog.set_address(f"{NAME}?sslmode=prefer")  # an older recent entry: the same workspace as without
    assert dialog.tls_mode.currentText() == "prefer"
    assert dialog.connection().address == address_key(f"{NAME}?sslmode=prefer") == NAME


def test_prefer_is_written_when_the_environment_sets_another_default(dialog, monkeypatch):
    """Found by review: with PGSSLMODE=require in the environment, the dialog showed "prefer" and wrote nothing,
    so libpq required TLS; with PGSSLMODE=disable, "prefer" silently meant none."""
    monkeypatch.setenv("PGSSLMODE", "require")
    _fill(dialog)
    assert dialog.tls_mode.currentText() == "prefer"
    assert "sslmode=prefer" in dialog.connection().address  # the mode shown is the mode used


def test_the_password_hint_names_the_password_file_in_use(dialog, tmp_path, monkeypatch, qtbot):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "team.pgpass"))
    named = OpenTeamWorkspaceDialog()
    qtbot.addWidget(named)
    assert str(tmp_path / "team.pgpass") in named.password.placeholderText()
    assert "~/.pgpass" not in named.password.placeholderText()


def _has_ink(widget, colour: QColor) -> bool:
    image = widget.grab().toImage()
    return any(QColor(image.pixel(x, y)) == colour for x in range(image.width()) for y in range(image.height()))


@pytest.mark.parametrize("theme", [LIGHT, DARK, PROJECTOR])
def test_a_problem_is_drawn_in_the_themes_error_colour_and_a_result_is_not(qtbot, dialog, themed, theme):
    themed(theme)
    dialog.show()
    qtbot.waitExposed(dialog)
    error = QApplication.palette().color(QApplication.palette().ColorRole.BrightText)
    dialog.show_problem("The server refused the password.")
    assert _has_ink(dialog.status, error)
    dialog.show_problem("Connected as reader: it holds a team workspace.", warning=False)
    assert not _has_ink(dialog.status, error)


def test_typing_at_once_goes_into_host_not_the_server_details_choice(qtbot, dialog):
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.host
    qtbot.keyClicks(dialog.focusWidget(), "db.example.com")
    assert dialog.host.text() == "db.example.com"


def test_a_remembered_address_puts_the_focus_on_the_password(qtbot):
    remembered = OpenTeamWorkspaceDialog(None, "postgresql://ana@db.example.com:5432/incidents")
    qtbot.addWidget(remembered)
    remembered.show()
    qtbot.waitExposed(remembered)
    assert remembered.focusWidget() is remembered.password


def test_use_a_url_starts_from_the_server_details_without_the_password(dialog):
    dialog.host.setText("db.example.com")
    dialog.port.setValue(6543)
    dialog.database.setText("incidents")
    dialog.user.setText("ana")
    dialog.tls_mode.setCurrentText("require")
    dialog.password.setText("s3cret")
    dialog.url_choice.click()
    assert dialog.url.text() == "postgresql://ana@db.example.com:6543/incidents?sslmode=require"
    dialog.url.setText("postgresql://ana@other.example.com/incidents?application_name=review")
    dialog.details_choice.click()
    dialog.host.setText("db2.example.com")
    dialog.url_choice.click()  # what was typed on the URL page stays
    assert dialog.url.text() == "postgresql://ana@other.example.com/incidents?application_name=review"


def test_server_details_start_from_an_address_pasted_on_the_url_page(dialog):
    """Found by the helper that made Use a URL start from the details: the way back did not, and Open on the details
    page then opened whatever the empty fields said."""
    dialog.url_choice.click()
    dialog.url.setText("postgresql://ben:pa55@db.example.com:6543/incidents?sslmode=verify-full&sslrootcert=/ca.pem")
    dialog.details_choice.click()
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text(), dialog.user.text()) == \
        ("db.example.com", 6543, "incidents", "ben")
    assert (dialog.tls_mode.currentText(), dialog.ca_file.text()) == ("verify-full", "/ca.pem")
    assert dialog.password.text() == "pa55" and "pa55" not in dialog.url.text()  # the password never stays there
    dialog.url_choice.click()  # and back: the same address, from the details
    assert dialog.url.text() == "postgresql://ben@db.example.com:6543/incidents?sslmode=verify-full&sslrootcert=/ca.pem"
