"""The main window over the demo: incident list, properties, new/edit/delete with undo."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from ui.models.incident_table_model import IncidentTableModel


def titles(window):
    model = window.incident_model
    return [model.index(r, IncidentTableModel.COL_TITLE).data() for r in range(model.rowCount())]


def test_incident_list_shows_both_durations_for_the_demo(main_window):
    model = main_window.incident_model
    assert model.rowCount() == 2
    row = next(r for r in range(2) if "Billing" in model.index(r, 0).data())
    assert model.index(row, IncidentTableModel.COL_TECHNICAL).data() == "40 min"
    customers = model.index(row, IncidentTableModel.COL_CUSTOMER).data()
    assert customers.endswith("min") or " h" in customers or " d" in customers
    assert customers != "40 min"


def test_incident_model_passes_the_model_tester(qtmodeltester, main_window):
    qtmodeltester.check(main_window.incident_model)


def test_properties_edit_is_undoable_from_the_edit_menu(qtbot, main_window):
    main_window.show_screen("properties")
    form = main_window.screen_widgets['properties'].form
    old = form.title.text()
    form.title.setText("Payment submit timeouts")
    form.title.editingFinished.emit()
    assert "Payment submit timeouts" in titles(main_window)
    assert main_window.undo_action.text().startswith("&Undo Edit title") or "title" in main_window.undo_action.text()
    main_window.undo_action.trigger()
    assert old in titles(main_window)
    assert form.title.text() == old
    main_window.redo_action.trigger()
    assert "Payment submit timeouts" in titles(main_window)


def test_refused_time_edit_is_explained_in_the_form_and_keeps_what_was_typed(qtbot, main_window, monkeypatch):
    main_window.show_screen("properties")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    form = main_window.screen_widgets['properties'].form
    recovery = form.times["technical_end"]
    typed = form.times["technical_start"].edit.dateTime().addSecs(-3600)
    recovery.edit.setDateTime(typed)
    recovery.edit.editingFinished.emit()
    assert not shown
    assert "Recovery cannot come before" in form.problem.text() and form.problem.isVisibleTo(form)
    assert recovery.edit.dateTime() == typed


def test_new_incident_then_delete_then_undo(qtbot, main_window, monkeypatch):
    from ui.incidents import new_incident_dialog

    def fake_exec(dialog):
        dialog.title.setText("Login errors after deploy")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(new_incident_dialog.NewIncidentDialog, "exec", fake_exec)
    main_window.new_incident_action.trigger()
    assert "Login errors after deploy" in titles(main_window)
    main_window.show_screen("properties")
    assert main_window.screen_widgets['properties'].form.title.text() == "Login errors after deploy"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    main_window.delete_incident_action.trigger()
    assert "Login errors after deploy" not in titles(main_window)
    main_window.undo_action.trigger()
    assert "Login errors after deploy" in titles(main_window)


def test_delete_asks_first_and_cancel_keeps_the_incident(qtbot, main_window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    before = titles(main_window)
    main_window.delete_incident_action.trigger()
    assert titles(main_window) == before


def test_undo_redo_shortcuts_are_the_standard_ones(main_window):
    assert main_window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in main_window.redo_action.shortcuts()]


def test_geometry_and_recent_files_are_remembered(qtbot, main_window, settings, demo_copy):
    main_window.showNormal()
    main_window.setGeometry(0, 50, 800, 700)  # fits the offscreen 800x800 screen, above the smallest window
    main_window.close()
    from ui import recent_files
    from ui.main_window import MainWindow

    assert recent_files.recent_workspaces(settings)[0] == str(demo_copy.resolve())
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.geometry() == main_window.geometry()


def test_a_bad_file_is_refused_with_a_message_and_the_current_workspace_stays(qtbot, main_window, tmp_path,
                                                                            monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    bad = tmp_path / "bad.pmw"
    bad.write_text("hello")
    assert not main_window.open_path(bad)
    assert "not a workspace" in shown[0]
    assert main_window.incident_model.rowCount() == 2


def test_hidden_tabs_are_built_and_refreshed_only_when_shown(qtbot, main_window):
    from ui.screen_set import ScreenSet

    screens = main_window.screen_widgets
    assert isinstance(screens, ScreenSet)
    assert "review" in screens._pending  # not built at start-up
    review = main_window.show_screen("review")
    assert main_window.screens.currentWidget() is review
    assert "review" not in screens._pending
    # built after the incident was chosen, it still shows that incident's record (the demo's answer)
    assert "invoice" in review.answers.blocks["task"].answer.toPlainText()


def test_a_hidden_screen_catches_up_on_edits_when_shown(qtbot, main_window):
    main_window.show_screen("properties")
    form = main_window.screen_widgets["properties"].form
    main_window.show_screen("timeline")
    from postmortem_desktop.services.incidents import UpdateIncident

    main_window.hub.run(UpdateIncident(main_window.incident_id, title="Renamed while hidden"))
    assert form.title.text() != "Renamed while hidden"  # not re-queried while hidden
    main_window.show_screen("properties")
    assert form.title.text() == "Renamed while hidden"


def test_navigation_to_a_board_column_and_the_timeline_focuses_them(qtbot, main_window):
    board = main_window.show_screen("board")
    main_window.hub.navigation_requested.emit("board", "trust-loss")
    tag = next(t for t in board.tags if t.name == "trust-loss")
    focused = main_window.focusWidget()
    assert focused is not None and getattr(focused, "tag_id", None) == tag.id
    main_window.hub.navigation_requested.emit("timeline", "customer_impact_window")
    assert main_window.screens.currentWidget() is main_window.screen_widgets["timeline"]


def test_on_a_narrow_screen_the_reader_waits_until_a_conversation_is_opened(qtbot, main_window):
    # the offscreen screen is 800 px wide: a projector-sized first layout
    reader = main_window.docks["reader"]
    assert not reader.isVisible()
    main_window.hub.conversation_requested.emit(1, -1)
    assert reader.isVisible()
    toggles = [a.text() for a in main_window.view_menu.actions()]
    assert "Incidents" in toggles and "Conversation" in toggles


def test_redo_shortcuts_are_not_listed_twice(main_window):
    keys = [k.toString() for k in main_window.redo_action.shortcuts()]
    assert len(keys) == len(set(keys))  # a repeated key is ambiguous to Qt and does nothing
    assert keys[0] == "Ctrl+Shift+Z" and "Ctrl+Y" in keys


def test_ctrl_shift_z_redoes(qtbot, main_window):
    from PySide6.QtTest import QTest

    main_window.show_screen("properties")
    form = main_window.screen_widgets["properties"].form
    form.title.setText("Typed title")
    form.title.editingFinished.emit()
    main_window.undo_action.trigger()
    assert "Typed title" not in titles(main_window)
    main_window.activateWindow()
    main_window.incident_view.setFocus()
    QTest.keyClick(main_window.incident_view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Typed title" in titles(main_window)


def test_a_first_launch_fills_the_screen_it_opens_on():
    from PySide6.QtCore import QRect

    from ui.screen_size import first_window_geometry

    big = first_window_geometry(QRect(0, 0, 1920, 1040))
    assert (big.width(), big.height()) == (1728, 936)  # 90% of the free area
    assert big.center() == QRect(0, 0, 1920, 1040).center()
    assert first_window_geometry(QRect(0, 0, 1280, 690)) is None  # a projector or laptop: maximised


def test_the_first_window_takes_the_whole_free_area_of_a_small_screen(main_window):
    # the offscreen screen is 800x600: a first launch (no remembered geometry) opens maximised
    free = main_window.screen().availableGeometry()
    assert main_window.windowState() & Qt.WindowState.WindowMaximized
    assert main_window.width() >= free.width() * 0.9
    assert not main_window.docks["reader"].isVisible()


def test_every_tab_and_timeline_tool_fits_1280_by_720_in_projector_type(qtbot, main_window, qapp):
    from PySide6.QtWidgets import QToolButton

    from ui.theme import theme_manager

    manager = theme_manager(qapp)
    before = manager.snapshot()
    try:
        for name in ("light", "projector"):
            manager.apply(name)
            main_window.showNormal()
            main_window.resize(1280, 720)
            timeline = main_window.show_screen("timeline")
            qtbot.waitUntil(lambda: main_window.screens.width() > 600)
            qapp.processEvents()
            bar = main_window.screens.tabBar()
            for i in range(bar.count()):  # no tab scrolled away behind arrows, none shortened
                assert bar.tabRect(i).right() <= bar.width(), (name, bar.tabText(i))
                assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), (name, bar.tabText(i))
            overflow = timeline.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
            assert overflow is None or not overflow.isVisible(), name  # no "››" hiding tools
        # and with a conversation open in the reader beside the timeline
        main_window.hub.conversation_requested.emit(timeline.layout_.data.conversations.ids[0], -1)
        qtbot.waitUntil(lambda: main_window.docks["reader"].isVisible())
        for name in ("projector", "light"):
            manager.apply(name)
            qapp.processEvents()
            overflow = timeline.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
            assert overflow is None or not overflow.isVisible(), name
    finally:
        manager.restore(before)


def test_the_reader_starts_closed_even_when_it_was_open_last_time(qtbot, main_window, settings, demo_copy):
    from ui.main_window import MainWindow

    main_window.hub.conversation_requested.emit(1, -1)
    assert main_window.docks["reader"].isVisible()
    main_window.close()  # remembers the reader as open
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.open_path(demo_copy)
    again.show()
    assert not again.docks["reader"].isVisible()  # an empty reader would only take the timeline's room
    again.hub.conversation_requested.emit(1, -1)
    assert again.docks["reader"].isVisible()
    again.close()


def test_the_reader_is_built_when_first_opened_and_shows_that_first_conversation(main_window):
    assert not main_window.screen_widgets.is_built("reader")  # nothing of it loaded at start-up
    conversation_id = main_window.screen_widgets["timeline"].layout_.data.conversations.ids[0]
    main_window.hub.conversation_requested.emit(conversation_id, -1)
    reader = main_window.screen_widgets["reader"]
    assert main_window.docks["reader"].widget() is reader and reader.isVisible()
    assert reader.conversation is not None and reader.conversation.id == conversation_id


def test_view_incidents_hides_and_shows_the_incident_list(qtbot, main_window):
    toggle = main_window.incidents_dock.toggleViewAction()
    assert toggle in main_window.view_menu.actions() and toggle.isEnabled()
    toggle.trigger()
    assert not main_window.incidents_dock.isVisible()
    toggle.trigger()
    assert main_window.incidents_dock.isVisible()


def test_an_empty_incident_list_offers_a_new_incident(qtbot, settings, tmp_path, monkeypatch):
    from postmortem_desktop.storage.workspace import create_workspace
    from ui.incidents import new_incident_dialog
    from ui.main_window import MainWindow

    path = tmp_path / "empty.pmw"
    create_workspace(path).close()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert not window.empty_incident_list.isVisibleTo(window)  # no workspace open: nothing to offer
    assert window.open_path(path)
    window.show()
    empty = window.empty_incident_list
    assert empty.isVisible() and empty.button.isEnabled()

    def fake_exec(dialog):
        dialog.title.setText("Checkout payments failed")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(new_incident_dialog.NewIncidentDialog, "exec", fake_exec)
    empty.button.click()
    assert titles(window) == ["Checkout payments failed"]
    assert not empty.isVisible()
    window.close()


def test_incidents_sharing_a_title_are_told_apart_by_their_ids(demo_copy):
    """A published copy beside its original has the same title: the list shows both ids, others stay plain."""
    from postmortem_desktop.services.incidents import CreateIncident, IncidentService
    from postmortem_desktop.storage.workspace import open_workspace

    ws = open_workspace(demo_copy)
    try:
        first = IncidentService(ws).list_incidents()[0]
        copy = CreateIncident(title=first.title)
        copy.do(ws)
        second = next(i for i in IncidentService(ws).list_incidents() if i.id == copy.incident_id)
        summaries = IncidentService(ws).list_incidents()
    finally:
        ws.close()
    model = IncidentTableModel()
    model.set_rows(summaries)
    titles = [model.index(r, IncidentTableModel.COL_TITLE).data() for r in range(model.rowCount())]
    assert f"#{first.id} · {first.title}" in titles and f"#{second.id} · {first.title}" in titles
    assert all(not t.startswith("#") for t in titles if not t.endswith(first.title))


def test_one_team_workspace_is_listed_once_in_open_recent_however_its_address_was_written(settings, tmp_path):
    """The dialog writes libpq's default TLS mode out (?sslmode=prefer), the command line leaves it out: one
    workspace, one line. Another mode is another way to connect, and stays a line of its own."""
    from ui import recent_files

    bare = "postgresql://ana@db.example:5432/incidents"
    recent_files.remember_workspace(settings, tmp_path / "meeting.pmw")
    recent_files.remember_workspace(settings, bare + "?sslmode=prefer")
    recent_files.remember_workspace(settings, bare)
    assert recent_files.recent_workspaces(settings) == [bare, str((tmp_path / "meeting.pmw").resolve())]
    recent_files.remember_workspace(settings, bare + "?sslmode=require")
    assert recent_files.recent_workspaces(settings)[:2] == [bare + "?sslmode=require", bare]
