"""File › Publish to Team Workspace… and File › Save Incident as File…, against the throwaway cluster."""
from PySide6.QtWidgets import QMessageBox

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.publish import AlreadyInTarget
from postmortem_desktop.storage.errors import ReadOnlyWorkspaceError, WorkspaceError
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.core.test_team_workspace import _reader
from ui.publish.publish_dialog import PublishDialog


def _file_menu_texts(window) -> list[str]:
    return [a.text() for a in window.file_menu.actions()]


def _message(qtbot, controller, name: str) -> QMessageBox:
    qtbot.waitUntil(lambda: controller.last_message is not None and controller.last_message.objectName() == name
                    and controller.last_message.isVisible(), timeout=20000)
    box = controller.last_message
    controller.last_message = None
    return box


def _titles(url: str) -> list[str]:
    ws = open_workspace(url, read_only=True)
    try:
        return sorted(i.title for i in IncidentService(ws).list_incidents())
    finally:
        ws.close()


def test_publish_from_a_file_then_again_offers_a_copy(main_window, qtbot, team_database):
    create_workspace(team_database).close()
    controller = main_window.publishing
    texts = _file_menu_texts(main_window)
    assert texts.index("&Publish to Team Workspace…") < texts.index("&Quit")
    assert controller.publish_action.isEnabled() and not controller.save_action.isEnabled()  # a file is open
    mine = sorted(i.title for i in IncidentService(main_window.session.workspace).list_incidents())

    controller.publish_to(team_database, None)
    _message(qtbot, controller, "publish_result_box").close()
    assert sorted(i.title for i in controller.last_result.incidents) == mine and controller.last_result.ids_all_kept
    assert _titles(team_database) == mine

    controller.publish_to(team_database, [main_window.incident_id])
    question = _message(qtbot, controller, "already_published_box")
    assert isinstance(controller.last_refusal, AlreadyInTarget)
    next(b for b in question.buttons() if b.text() == "Publish as a Copy").click()
    _message(qtbot, controller, "publish_result_box").close()
    assert [i.source_id for i in controller.last_result.incidents] == [main_window.incident_id]
    assert controller.last_result.new_ids["incidents"] == 1  # its id was taken there by the first publish
    assert len(_titles(team_database)) == len(mine) + 1


def test_a_read_only_team_workspace_is_refused_in_words(main_window, qtbot, team_server, team_database):
    create_workspace(team_database).close()
    main_window.publishing.publish_to(_reader(team_server, team_database), None)
    _message(qtbot, main_window.publishing, "publish_refusal_box").close()
    assert isinstance(main_window.publishing.last_refusal, ReadOnlyWorkspaceError)
    assert _titles(team_database) == []


def test_the_dialog_offers_recent_team_addresses_only_and_needs_one(qtbot, team_database):
    dialog = PublishDialog([team_database], "Billing outage", 2)
    qtbot.addWidget(dialog)
    assert [dialog.address.itemText(i) for i in range(dialog.address.count())] == [team_database]
    assert dialog.only_selected.isChecked() and dialog.publish_button.isEnabled()
    dialog.address.setEditText("incidents.pmw")
    assert not dialog.publish_button.isEnabled()
    dialog.address.setEditText("postgresql://ana@db.example:5432/incidents")
    assert dialog.publish_button.isEnabled() and dialog.url == "postgresql://ana@db.example:5432/incidents"
    assert dialog.every_incident.text() == "All 2 incidents of this workspace"


def test_a_file_of_one_incident_says_so_not_all_1_incidents(qtbot, team_database):
    dialog = PublishDialog([team_database], "Billing outage", 1)
    qtbot.addWidget(dialog)
    assert dialog.every_incident.text() == "The workspace's only incident"


def test_save_incident_as_file_from_a_team_workspace(qtbot, settings, demo_copy, team_database, tmp_path):
    from postmortem_desktop.services.publish import publish
    from ui.main_window import MainWindow

    source, team = open_workspace(demo_copy), create_workspace(team_database)
    try:
        publish(source, team)
    finally:
        source.close()
        team.close()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_database)
    window.show()
    controller = window.publishing
    qtbot.waitUntil(lambda: window.incident_id > 0)
    assert controller.save_action.isEnabled() and not controller.publish_action.isEnabled()
    title = next(i.title for i in IncidentService(window.session.workspace).list_incidents()
                 if i.id == window.incident_id)

    target = tmp_path / "meeting.pmw"
    controller.save_to(target)
    _message(qtbot, controller, "publish_result_box").close()
    assert [i.title for i in controller.last_result.incidents] == [title] == _titles(str(target))

    before = target.read_bytes()
    controller.save_to(target)  # never over an existing file
    _message(qtbot, controller, "publish_refusal_box").close()
    assert isinstance(controller.last_refusal, WorkspaceError) and target.read_bytes() == before
    window.close()


def test_save_incident_as_file_onto_an_existing_file_is_said_at_once_and_asks_again(
        qtbot, settings, team_demo_url, tmp_path, monkeypatch):
    """Qt's own "Do you want to replace it?" is off (a Yes could only be refused: a new workspace file never
    replaces one); a taken name is said before any work starts, the dialog opens again, and the next name saves."""
    from ui import file_dialogs
    from ui.main_window import MainWindow

    existing = tmp_path / "meeting.pmw"
    existing.write_bytes(b"someone else's workspace")
    answers = [str(existing), str(tmp_path / "meeting-2")]
    asked: list[tuple[str, object]] = []

    def save_dialog(_parent, _title, suggested, _filter, *, confirm_overwrite=True):
        asked.append((suggested, confirm_overwrite))
        return answers.pop(0), ""

    warned: list[str] = []
    monkeypatch.setattr(file_dialogs, "ask_save_file_name", save_dialog)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warned.append(text))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url)
    window.show()
    qtbot.waitUntil(lambda: window.incident_id > 0)
    window.publishing.choose_and_save()
    assert len(asked) == 2 and not any(confirm for _s, confirm in asked)  # Qt's replace prompt is off
    assert asked[1][0] == str(existing)  # the dialog reopens where the person was
    assert len(warned) == 1 and "meeting.pmw already exists" in warned[0]
    assert existing.read_bytes() == b"someone else's workspace"
    _message(qtbot, window.publishing, "publish_result_box").close()
    assert len(_titles(str(tmp_path / "meeting-2.pmw"))) == 1
    window.hub.close_session()
    window.close()


def test_new_workspace_onto_an_existing_file_asks_again_without_qts_replace_prompt(main_window, tmp_path,
                                                                                     monkeypatch):
    from ui import file_dialogs

    existing = tmp_path / "Incidents.pmw"
    existing.write_bytes(b"a workspace full of incidents")
    answers = [str(existing), ""]  # then the person cancels
    asked: list[object] = []

    def save_dialog(_parent, _title, _suggested, _filter, *, confirm_overwrite=True):
        asked.append(confirm_overwrite)
        return answers.pop(0), ""

    warned: list[str] = []
    monkeypatch.setattr(file_dialogs, "ask_save_file_name", save_dialog)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warned.append(text))
    before = main_window.session
    main_window._on_new_workspace()
    assert asked == [False, False]  # Qt's replace prompt is off
    assert len(warned) == 1 and "Incidents.pmw already exists" in warned[0]
    assert main_window.session is before and existing.read_bytes() == b"a workspace full of incidents"


def test_publishing_again_after_changes_here_offers_to_bring_them_back(main_window, qtbot, team_database):
    from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer

    create_workspace(team_database).close()
    controller = main_window.publishing
    incident_id = main_window.incident_id
    controller.publish_to(team_database, [incident_id])
    _message(qtbot, controller, "publish_result_box").close()
    words = "Typed in the file after it was published; nobody changed the team's copy."
    assert main_window.hub.run(SetReviewAnswer(incident_id, "wording", words))

    controller.publish_to(team_database, [incident_id])
    question = _message(qtbot, controller, "already_published_box")
    back = question.defaultButton()
    assert back is not None and back.text() == "Bring Changes Back"
    assert [b.text() for b in question.buttons() if b.text() != "Cancel"] == ["Bring Changes Back",
                                                                              "Publish as a Copy"]
    back.click()
    result = _message(qtbot, controller, "publish_result_box")
    assert "It replaced the one there" in result.text()
    result.close()
    assert controller.last_result.brought_back == [incident_id]
    team = open_workspace(team_database, read_only=True)
    try:
        assert next(a.answer for a in ReviewService(team).answers(incident_id) if a.key == "wording") == words
        assert len(IncidentService(team).list_incidents()) == 1
    finally:
        team.close()


def test_the_publish_password_box_gives_back_what_was_typed_and_nothing_on_cancel(qtbot, main_window):
    from PySide6.QtWidgets import QLabel, QLineEdit

    from postmortem_desktop.storage.errors import PasswordNeededError
    from ui.publish.publish_controller import ask_password

    url = "postgresql://ana@a-rather-long-host-name.internal.example:5432/incidents"
    given: list[str] = []
    box = ask_password(main_window, url + "?password=old", PasswordNeededError("x"), given.append)
    assert box.isVisible() and box.isModal()  # opened: the caller's slot returns, no nested event loop
    said = box.findChild(QLabel).text()
    assert box.width() < 900 and url in said and "old" not in said  # words wrapped; no password shown
    field = box.findChild(QLineEdit)
    assert field.echoMode() == QLineEdit.EchoMode.Password
    field.setText("s3cret")
    box.accept()
    assert given == ["s3cret"]
    again = ask_password(main_window, url, PasswordNeededError("x"), given.append)
    again.findChild(QLineEdit).setText("typed, then cancelled")
    again.reject()
    assert given == ["s3cret"]


def test_publishing_a_meeting_file_offers_the_team_workspace_it_was_saved_from(
        qtbot, settings, password_login, demo_copy, tmp_path, monkeypatch):
    """The person had to type host, database and user again to publish the meeting's changes back."""
    from PySide6.QtWidgets import QDialog

    from postmortem_desktop.services.publish import publish, save_incident_as_file
    from ui.main_window import MainWindow

    password = "Meeting-Sekrit-77"
    url = password_login("ana", password)
    source, team = open_workspace(demo_copy), open_workspace(url, password=password)
    try:
        incident_id = publish(source, team).incidents[0].target_id
        save_incident_as_file(team, tmp_path / "meeting.pmw", incident_id)
    finally:
        source.close()
        team.close()
    asked: list[PublishDialog] = []

    def look(dialog: PublishDialog) -> int:
        asked.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(PublishDialog, "exec", look)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    for path, offered in ((demo_copy, ""), (tmp_path / "meeting.pmw", url)):
        assert window.open_path(path)
        window.publishing.choose_and_publish()
        assert asked.pop().url == offered  # a file that is no meeting file's has no team workspace to offer
    dialog = PublishDialog([url, "postgresql://bo@db.example:5432/incidents"], "Billing outage", 1, saved_from=url)
    qtbot.addWidget(dialog)
    assert [dialog.address.itemText(i) for i in range(dialog.address.count())].count(url) == 1
    dialog.address.setEditText("postgresql://bo@db.example:5432/incidents")  # the person may still change it
    assert dialog.url == "postgresql://bo@db.example:5432/incidents" and dialog.publish_button.isEnabled()
    window.close()
    settings.sync()
    assert password not in (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert password.encode() not in (tmp_path / "meeting.pmw").read_bytes()


def test_a_long_address_shows_from_its_start(qtbot):
    """Found by a new user: the address box showed “ostgresql://postmortem@…”, its first letters scrolled away."""
    long_one = "postgresql://postmortem@a-rather-long-host-name.team.internal.example:54321/postmortem_incidents"
    other = "postgresql://bo@another-rather-long-host-name.team.internal.example:5432/incidents_of_the_team"
    dialog = PublishDialog([long_one, other], "Billing outage", 2)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.address.lineEdit()
    assert edit.fontMetrics().horizontalAdvance(long_one) > edit.width()  # longer than the box shows
    assert edit.text() == long_one and edit.cursorPosition() == 0
    dialog.address.setCurrentIndex(1)  # a recent one chosen: from its start too
    assert edit.text() == other and edit.cursorPosition() == 0


def test_a_file_of_one_incident_offers_one_choice(qtbot):
    """Found by a new user: “The selected incident: …” and “The workspace's only incident” meant the same."""
    dialog = PublishDialog([], "Billing outage", 1)
    qtbot.addWidget(dialog)
    assert dialog.only_selected.isVisibleTo(dialog) and dialog.only_selected.isChecked()
    assert not dialog.every_incident.isVisibleTo(dialog)
    none_selected = PublishDialog([], "", 1)
    qtbot.addWidget(none_selected)
    assert none_selected.every_incident.isVisibleTo(none_selected) and none_selected.every_incident.isChecked()
    assert not none_selected.only_selected.isVisibleTo(none_selected)
    several = PublishDialog([], "Billing outage", 2)
    qtbot.addWidget(several)
    assert several.only_selected.isVisibleTo(several) and several.every_incident.isVisibleTo(several)
    none_of_several = PublishDialog([], "", 2)  # several, none selected: no empty "The selected incident: “”"
    qtbot.addWidget(none_of_several)
    assert not none_of_several.only_selected.isVisibleTo(none_of_several)
    assert none_of_several.every_incident.isVisibleTo(none_of_several) and none_of_several.every_incident.isChecked()


def test_the_delete_confirmation_names_the_incident_by_its_number(main_window, monkeypatch):
    """A copy and its original may read alike: the confirmation says which one goes by the number the list shows."""
    import ui.main_window as window_module

    asked: list[str] = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(window_module.QMessageBox, "question", question)
    main_window._on_delete_incident()
    title = IncidentService(main_window.session.workspace).get(main_window.incident_id).title
    assert asked and f"#{main_window.incident_id} “{title}”" in asked[0]


def test_bringing_back_a_meeting_file_the_team_deleted_meanwhile_says_so(qtbot, settings, team_demo_url, tmp_path):
    from postmortem_desktop.services.incidents import DeleteIncident
    from postmortem_desktop.services.publish import save_incident_as_file
    from ui.main_window import MainWindow

    team = open_workspace(team_demo_url)
    try:
        incident_id = IncidentService(team).list_incidents()[0].id
        save_incident_as_file(team, tmp_path / "meeting3.pmw", incident_id)
        DeleteIncident(incident_id).do(team)
    finally:
        team.close()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(tmp_path / "meeting3.pmw")
    window.publishing.publish_to(team_demo_url, None, bring_back=True)
    said = _message(qtbot, window.publishing, "publish_result_box")
    back = window.publishing.last_result.deleted_there
    assert back and back[0] != incident_id
    assert f"The team's copy had been deleted there since this file was saved from it, so it came back as a new " \
           f"incident (#{back[0]})." in said.text()
    said.close()
    window.close()


def _publish_hints(main_window) -> tuple[str, str]:
    """The Publish dialog's note and the publish password box's words."""
    from PySide6.QtWidgets import QLabel

    from postmortem_desktop.storage.errors import PasswordNeededError
    from ui.publish.publish_controller import ask_password

    dialog = PublishDialog(["postgresql://ana@db.example:5432/incidents"], "Billing outage", 1)
    note = next(label.text() for label in dialog.findChildren(QLabel) if "password" in label.text())
    dialog.deleteLater()
    box = ask_password(main_window, "postgresql://ana@db.example:5432/incidents", PasswordNeededError("x"),
                       lambda _password: None)
    said = box.findChild(QLabel).text()
    box.reject()
    return note, said


def test_without_a_keyring_the_publish_hints_offer_libpqs_password_file(qtbot, main_window, no_keyring, tmp_path,
                                                                         monkeypatch):
    """They said the Open dialog keeps the password in the system keyring, on a machine that has none."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "team.pgpass"))
    note, said = _publish_hints(main_window)
    for hint in (note, said):
        assert "system keyring (" not in hint and "in the system keyring" not in hint, hint
        assert f"libpq's password file ({tmp_path / 'team.pgpass'}" in hint, hint
    assert "no system keyring" in note


def test_with_a_keyring_the_publish_hints_offer_it(qtbot, main_window, memory_keyring):
    note, said = _publish_hints(main_window)
    assert "the system keyring (where File › Open Team Workspace… can keep it)" in note
    assert said.endswith("File › Open Team Workspace… can keep it in the system keyring.")
