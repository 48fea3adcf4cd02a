"""File › Open Team Workspace…: the dialog opens a workspace on the throwaway cluster, keeps the password
only where the person chose (keyring or libpq's password file, never our settings), and the recent list
reopens it without asking when the password is kept, asking when it is not."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from postmortem_desktop.storage.team_passwords import KEYRING_SERVICE, entry_name
from postmortem_desktop.storage.workspace_kind import WorkspaceKind
from ui import app, recent_files, team_opening, team_workspace_dialog
from ui.shortcuts_dialog import describe_shortcuts
from ui.team_workspace_dialog import OpenTeamWorkspaceDialog

PASSWORD = "s3cret-only-typed"


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


@pytest.fixture
def login(password_login):
    """A workspace, and a role whose password no password file knows: only what is typed logs it in."""
    return password_login("ana", PASSWORD)


def _person(monkeypatch, *steps):
    """Stands in for the person at the real dialog: each exec() runs the next step (which fills fields and
    presses buttons); once the steps run out the dialog is cancelled. Returns the dialogs shown."""
    shown: list[OpenTeamWorkspaceDialog] = []

    class ScriptedDialog(OpenTeamWorkspaceDialog):
        def exec(self) -> int:
            shown.append(self)
            step = steps[len(shown) - 1] if len(shown) <= len(steps) else None
            if step is None:
                self.reject()
            else:
                step(self)
            return self.result()

    monkeypatch.setattr(team_opening, "OpenTeamWorkspaceDialog", ScriptedDialog)
    return shown


def _fill(dialog: OpenTeamWorkspaceDialog, url: str, password: str = PASSWORD, remember: bool = True) -> None:
    server = url.split("@", 1)[1]
    dialog.host.setText(server.split(":")[0])
    dialog.port.setValue(int(server.split(":")[1].split("/")[0]))
    dialog.database.setText(_database(url))
    dialog.user.setText(url.split("//", 1)[1].split("@")[0])
    dialog.tls_mode.setCurrentText("disable")
    dialog.password.setText(password)
    dialog.remember.setChecked(remember)


def _settings_text(settings) -> str:
    settings.sync()
    with open(settings.fileName(), encoding="utf-8", errors="replace") as stored:
        return stored.read()


def _open_recent(window, address: str) -> None:
    window._fill_recent_menu()
    action = next(a for a in window.recent_menu.actions() if a.text().endswith(address.replace("&", "&&")))
    action.trigger()


def _open_with_fields(url: str, **fill):
    def step(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, url, **fill)
        dialog.open_button.click()
    return step


def test_the_dialog_opens_the_team_workspace_and_keeps_the_password_in_the_keyring_only(
        qtbot, monkeypatch, main_window, settings, login, memory_keyring, demo_copy):
    _person(monkeypatch, _open_with_fields(login))
    main_window.open_team_action.trigger()
    workspace = main_window.hub.workspace
    assert workspace is not None and workspace.kind is WorkspaceKind.TEAM and not workspace.read_only
    assert memory_keyring.entries == {(KEYRING_SERVICE, entry_name(login)): PASSWORD}
    address = recent_files.recent_workspaces(settings)[0]
    assert address == login + "?sslmode=disable" and PASSWORD not in address
    assert address in _settings_text(settings) and PASSWORD not in _settings_text(settings)
    assert app.existing_choice(None, settings) == address  # the next start reopens it, from the keyring

    # another workspace, then back through the recent list: the keyring gives the password, nobody is asked
    assert main_window.open_path(demo_copy)
    asked = _person(monkeypatch)
    _open_recent(main_window, address)
    assert asked == []
    assert main_window.hub.workspace.kind is WorkspaceKind.TEAM
    assert main_window.hub.workspace.name == address
    main_window.close()
    assert PASSWORD not in _settings_text(settings)


def test_a_password_pasted_in_the_url_moves_to_the_keyring_and_never_into_settings(
        qtbot, monkeypatch, main_window, settings, login, memory_keyring):
    pasted = login.replace("@", f":{PASSWORD}@", 1)

    def paste(dialog: OpenTeamWorkspaceDialog) -> None:
        dialog.url_choice.click()
        dialog.url.setText(pasted)
        dialog.url.editingFinished.emit()  # leaving the field
        assert dialog.url.text() == login and dialog.password.text() == PASSWORD
        assert "taken out of the address" in dialog.status.text()
        dialog.open_button.click()

    _person(monkeypatch, paste)
    main_window.open_team_action.trigger()
    assert main_window.hub.workspace.name == login
    assert memory_keyring.entries == {(KEYRING_SERVICE, entry_name(login)): PASSWORD}
    assert recent_files.recent_workspaces(settings)[0] == login
    main_window.close()
    assert PASSWORD not in _settings_text(settings)


def test_without_a_keyring_the_password_goes_to_libpqs_password_file_and_reopens_from_there(
        qtbot, monkeypatch, main_window, settings, login, no_keyring, tmp_path, demo_copy):
    pgpass = tmp_path / "pgpass"

    def fill_and_open(dialog: OpenTeamWorkspaceDialog) -> None:
        assert "No system keyring is available" in dialog.keyring_note.text() and dialog.keyring_note.isVisibleTo(
            dialog)
        assert "libpq's password file" in dialog.remember.text()
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
        _fill(dialog, login, remember=True)
        dialog.open_button.click()

    _person(monkeypatch, fill_and_open)
    main_window.open_team_action.trigger()  # NoKeyring fails the test on any read or write
    assert main_window.hub.workspace.kind is WorkspaceKind.TEAM
    assert pgpass.read_text(encoding="utf-8").endswith(f":{PASSWORD}\n")
    assert main_window.open_path(demo_copy)
    asked = _person(monkeypatch)
    _open_recent(main_window, recent_files.recent_workspaces(settings)[1])
    assert asked == [] and main_window.hub.workspace.kind is WorkspaceKind.TEAM  # libpq read its own file
    assert PASSWORD not in _settings_text(settings)


def test_a_stale_password_file_line_is_named_and_the_one_kept_instead_is_used_next_time(
        qtbot, monkeypatch, main_window, settings, login, no_keyring, tmp_path, demo_copy):
    """The trial: ~/.pgpass had `host:port:*:role:stalepw`; the dialog appended the right password after it, libpq
    kept using the first line, and nothing said the refused password came from that file."""
    from postmortem_desktop.storage.workspace_kind import team_url

    server = team_url(login)
    pgpass = tmp_path / "pgpass"
    stale = f"{server.host}:{server.port}:*:{server.username}"
    pgpass.write_text(f"{stale}:stalepw\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))

    def type_it(dialog: OpenTeamWorkspaceDialog) -> None:
        assert f"password file {pgpass}, line 1 ({stale}:…)" in dialog.status.text()
        dialog.password.setText(PASSWORD)
        dialog.remember.setChecked(True)
        dialog.open_button.click()

    asked = _person(monkeypatch, type_it)
    assert main_window.open_path(login)
    assert len(asked) == 1 and main_window.hub.workspace.kind is WorkspaceKind.TEAM
    assert pgpass.read_text(encoding="utf-8").splitlines()[1] == f"{stale}:stalepw"  # kept, after the new line
    assert main_window.open_path(demo_copy)
    asked = _person(monkeypatch)
    assert main_window.open_path(login) and asked == []  # libpq took the new line


def test_the_recent_list_asks_for_the_password_when_nothing_keeps_it(
        qtbot, monkeypatch, main_window, settings, login, memory_keyring, demo_copy):
    def fill_with_options(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, login, remember=False)
        dialog.url_choice.click()  # a URL with more than one libpq option: "&" in the recent list's entry
        dialog.url.setText(login + "?sslmode=disable&application_name=review")
        dialog.open_button.click()

    _person(monkeypatch, fill_with_options)
    main_window.open_team_action.trigger()
    assert memory_keyring.entries == {}  # not asked to remember it
    address = recent_files.recent_workspaces(settings)[0]
    assert "application_name=review&sslmode=disable" in address
    assert main_window.open_path(demo_copy)

    def type_password(dialog: OpenTeamWorkspaceDialog) -> None:
        assert "asks for a password" in dialog.status.text()
        assert dialog.url.text() == address and dialog.url_choice.isChecked()  # the entry, options and all
        dialog.password.setText(PASSWORD)
        dialog.open_button.click()

    asked = _person(monkeypatch, type_password)
    _open_recent(main_window, address)
    assert len(asked) == 1 and main_window.hub.workspace.kind is WorkspaceKind.TEAM


def test_a_wrong_password_keeps_the_dialog_open_saying_so_then_the_right_one_opens(
        qtbot, monkeypatch, main_window, login, memory_keyring):
    def wrong(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, login, password="not-it")
        dialog.open_button.click()

    def right(dialog: OpenTeamWorkspaceDialog) -> None:
        assert "password authentication failed" in dialog.status.text()
        dialog.password.setText(PASSWORD)
        dialog.open_button.click()

    shown = _person(monkeypatch, wrong, right)
    main_window.open_team_action.trigger()
    assert len(shown) == 2 and main_window.hub.workspace.kind is WorkspaceKind.TEAM
    assert memory_keyring.entries == {(KEYRING_SERVICE, entry_name(login)): PASSWORD}  # only the one that worked


def test_test_connection_runs_in_the_background_and_offers_to_create_a_workspace_in_an_empty_database(
        qtbot, monkeypatch, main_window, team_server, memory_keyring):
    empty = team_server.url(team_server.new_database())

    def test_then_create(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, empty, password="")
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
        assert "holds no workspace" in dialog.status.text() and dialog.create_button.isVisibleTo(dialog)
        dialog.create_button.click()

    try:
        _person(monkeypatch, test_then_create)
        main_window.open_team_action.trigger()
        workspace = main_window.hub.workspace
        assert workspace.kind is WorkspaceKind.TEAM and workspace.name.startswith(empty)
        assert main_window.incident_model.rowCount() == 0
    finally:
        main_window.hub.close_session()
        team_server.drop_database(_database(empty))


def test_open_on_an_empty_database_points_at_create_workspace_here_not_the_command_line(
        qtbot, monkeypatch, main_window, team_server, memory_keyring):
    empty = team_server.url(team_server.new_database())

    def offered(dialog: OpenTeamWorkspaceDialog) -> None:
        said = dialog.status.text()
        assert "holds no workspace" in said and "Create Workspace Here" in said, said
        assert "postmortem new" not in said and dialog.create_button.isVisibleTo(dialog)
        dialog.create_button.click()

    try:
        _person(monkeypatch, _open_with_fields(empty, password=""), offered)
        main_window.open_team_action.trigger()
        assert main_window.hub.workspace.kind is WorkspaceKind.TEAM
    finally:
        main_window.hub.close_session()
        team_server.drop_database(_database(empty))


def test_test_connection_says_who_would_edit(qtbot, monkeypatch, main_window, login, memory_keyring):
    def test_only(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, login)
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
        assert dialog.status.text().startswith("Connected as ana_")
        qtbot.waitUntil(lambda: not team_workspace_dialog._PROBES, timeout=2000)  # the finished worker let go
        dialog.reject()

    before = main_window.hub.workspace
    _person(monkeypatch, test_only)
    main_window.open_team_action.trigger()
    assert main_window.hub.workspace is before and memory_keyring.entries == {}  # nothing opened, nothing kept


def test_a_select_only_role_opens_read_only_and_is_told_why(qtbot, monkeypatch, main_window, team_server, login,
                                                             memory_keyring):
    role = f"reader_{_database(login)}"
    with team_server.admin(_database(login)) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'reader-pw'")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    told: list[str] = []
    monkeypatch.setattr(team_opening.QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    _person(monkeypatch, _open_with_fields(team_server.url(_database(login), user=role), password="reader-pw"))
    main_window.open_team_action.trigger()
    assert main_window.hub.workspace.read_only
    assert len(told) == 1 and "may read it but not change it" in told[0]
    assert not main_window.new_incident_action.isEnabled()


def test_the_dialog_refuses_what_names_no_workspace_and_open_team_workspace_is_in_the_shortcuts_list(
        qtbot, main_window, memory_keyring):
    dialog = OpenTeamWorkspaceDialog(main_window)
    qtbot.addWidget(dialog)
    dialog.open_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and "host" in dialog.status.text()
    dialog.url_choice.click()
    dialog.url.setText("/home/ana/Incidents.pmw")
    dialog.open_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and "postgresql://" in dialog.status.text()
    rows = [(r.group, r.name, r.keys) for r in describe_shortcuts(main_window)]
    assert ("File", "Open Team Workspace", "Ctrl+Shift+O") in rows



def test_publishing_to_a_team_workspace_uses_the_password_the_keyring_keeps(qtbot, main_window, team_server, login,
                                                                            memory_keyring):
    # the login's role has no password in any libpq file (PGPASSFILE points nowhere): only the keyring has it
    with team_server.admin(_database(login)) as conn:  # a publish moves the sequences past the ids it kept
        conn.execute(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {login.split('//')[1].split('@')[0]}")
    memory_keyring.set_password(KEYRING_SERVICE, entry_name(login), PASSWORD)
    controller = main_window.publishing
    controller.publish_to(login, [main_window.incident_id])
    qtbot.waitUntil(lambda: controller.last_message is not None and controller.last_message.isVisible(),
                    timeout=20000)
    assert controller.last_message.objectName() == "publish_result_box", controller.last_message.text()
    assert [i.source_id for i in controller.last_result.incidents] == [main_window.incident_id]
    controller.last_message.close()


def test_publishing_asks_for_the_password_nothing_keeps_and_keeps_it_nowhere(
        qtbot, monkeypatch, main_window, settings, team_server, login, memory_keyring):
    """Publish's dialog has no password field (an address is remembered, a password must not be): when neither the
    keyring nor libpq's files have it, the server's refusal asks for it, a wrong one asks again, Cancel ends it."""
    from ui.publish import publish_controller

    with team_server.admin(_database(login)) as conn:  # a publish moves the sequences past the ids it kept
        conn.execute(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {login.split('//')[1].split('@')[0]}")
    typed = iter(["not-it", PASSWORD])
    asked: list[str] = []

    def ask(_window, url, refusal, then):
        asked.append(type(refusal).__name__)
        password = next(typed, None)
        if password is not None:
            then(password)

    monkeypatch.setattr(publish_controller, "ask_password", ask)
    controller = main_window.publishing
    controller.publish_to(login, [main_window.incident_id])
    qtbot.waitUntil(lambda: controller.last_message is not None and controller.last_message.isVisible(),
                    timeout=30000)
    assert asked == ["PasswordNeededError", "PasswordRejectedError"]
    assert controller.last_message.objectName() == "publish_result_box", controller.last_message.text()
    assert [i.source_id for i in controller.last_result.incidents] == [main_window.incident_id]
    assert memory_keyring.entries == {} and PASSWORD not in _settings_text(settings)
    controller.last_message.close()


def test_the_dialog_remembers_server_database_and_user_but_never_the_password(
        qtbot, monkeypatch, main_window, settings, login, memory_keyring, demo_copy):
    seen: list[tuple] = []

    def look(dialog: OpenTeamWorkspaceDialog) -> None:
        seen.append((dialog.host.text(), dialog.port.value(), dialog.database.text(), dialog.user.text(),
                     dialog.tls_mode.currentText(), dialog.password.text()))
        dialog.reject()

    _person(monkeypatch, look)
    main_window.open_team_action.trigger()
    assert seen == [("", 5432, "", "", "prefer", "")]  # nothing typed yet
    _person(monkeypatch, _open_with_fields(login, remember=False))
    main_window.open_team_action.trigger()
    assert main_window.hub.workspace.kind is WorkspaceKind.TEAM
    assert main_window.open_path(demo_copy)
    _person(monkeypatch, look)
    main_window.open_team_action.trigger()  # the next time: as last typed, but for the password
    server = login.split("@", 1)[1]
    assert seen[1] == (server.split(":")[0], int(server.split(":")[1].split("/")[0]), _database(login),
                       login.split("//", 1)[1].split("@")[0], "disable", "")
    main_window.close()
    assert PASSWORD not in _settings_text(settings)


UNKNOWN_HOST = "postgresql://ana@nosuchhost.invalid:5432/postmortem"


def test_a_host_name_that_cannot_be_found_keeps_the_dialog_open_with_what_was_typed(
        qtbot, monkeypatch, main_window, memory_keyring):
    """Open on a name that does not resolve showed the crash dialog, and the dialog and its details were gone."""
    def open_unknown(dialog: OpenTeamWorkspaceDialog) -> None:
        _fill(dialog, UNKNOWN_HOST, password="typed-pw")
        dialog.open_button.click()

    seen: list[tuple[str, str, str, str]] = []

    def look(dialog: OpenTeamWorkspaceDialog) -> None:
        seen.append((dialog.status.text(), dialog.host.text(), dialog.user.text(), dialog.password.text()))
        dialog.reject()

    before = main_window.hub.workspace
    shown = _person(monkeypatch, open_unknown, look)
    main_window.open_team_action.trigger()
    assert len(shown) == 2 and shown[0] is shown[1] and main_window.hub.workspace is before
    [(status, host, user, password)] = seen
    assert "no computer named 'nosuchhost.invalid' could be found" in status and "VPN" in status
    assert (host, user, password) == ("nosuchhost.invalid", "ana", "typed-pw")


def test_test_connection_to_a_host_name_that_cannot_be_found_says_so_in_words(qtbot, main_window, memory_keyring):
    dialog = OpenTeamWorkspaceDialog(main_window)
    qtbot.addWidget(dialog)
    _fill(dialog, UNKNOWN_HOST, password="")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert "Could not reach postgresql://ana@nosuchhost.invalid:5432/postmortem" in dialog.status.text()
    assert "could be found" in dialog.status.text() and "OperationalError" not in dialog.status.text()
    qtbot.waitUntil(lambda: not team_workspace_dialog._PROBES, timeout=2000)


def test_at_start_up_a_host_name_that_cannot_be_found_is_said_and_the_window_stays(
        qtbot, qapp, monkeypatch, settings, memory_keyring):
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: said.append(text))
    monkeypatch.setattr(app, "QSettings", lambda: settings)
    window = app.build_window(qapp, UNKNOWN_HOST)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(said), timeout=15000)
    assert said[0].startswith(f"Could not reach {UNKNOWN_HOST}: no computer named") and "VPN" in said[0]
    assert window.isVisible() and window.hub.session is None and window.open_action.isEnabled()
