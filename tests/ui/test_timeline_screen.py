"""The Timeline screen on the demo: what it shows, zoom and pan, click to read, drag and add with undo."""
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.timeline import TimelineService
from postmortem_desktop.timeline.layout import track_height, visible_bars
from ui.timeline.event_dialogs import EventPreviewModel


@pytest.fixture
def screen(main_window, qtbot):
    main_window.resize(1280, 720)
    widget = main_window.show_screen("timeline")
    qtbot.waitUntil(lambda: widget.layout_ is not None and widget.view.viewport().width() > 300)
    return widget


def billing_id(window):
    return next(i.id for i in IncidentService(window.session.workspace).list_incidents() if "Billing" in i.title)


def event_times(window):
    data = TimelineService(window.session.workspace).timeline_data(window.hub.incident_id)
    return {e.id: e.at for e in data.events}


def point(screen, t, y):
    return QPoint(int(round(screen.layout_.scale(screen.view.geometry_()).x(t))), int(y))


def test_timeline_is_the_first_screen_and_leads_with_the_headline(main_window, screen):
    assert main_window.screens.widget(0) is screen
    main_window.select_incident(billing_id(main_window))
    assert screen.layout_.data.headline == IncidentService(main_window.session.workspace).impact(
        billing_id(main_window)).headline
    assert "Status page said resolved" in screen.layout_.data.headline


def test_rendered_image_shows_the_technical_and_customer_windows(screen):
    image = screen.render_image(1280, 720)
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixelColor(x, y).name() for x in range(0, 1280, 3) for y in range(44, 140, 3)}
    assert QColor("#0072B2").name() in colours and QColor("#D55E00").name() in colours


def test_ctrl_wheel_zooms_about_the_pointer_and_plain_wheel_pans(screen):
    view, layout = screen.view, screen.layout_
    x = (view.geometry_().plot_x0 + view.geometry_().plot_x1) / 2
    t_under = layout.scale(view.geometry_()).t(x)
    span = layout.t1 - layout.t0

    def wheel(modifiers):
        event = QWheelEvent(QPointF(x, 300), QPointF(x, 300), QPoint(0, 0), QPoint(0, 120),
                            Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)

    wheel(Qt.KeyboardModifier.ControlModifier)
    assert layout.t1 - layout.t0 < span
    assert abs(layout.scale(view.geometry_()).t(x) - t_under) < 1.0
    t0 = layout.t0
    wheel(Qt.KeyboardModifier.NoModifier)
    assert layout.t0 < t0


def test_plus_and_minus_keys_zoom(screen, qtbot):
    layout = screen.layout_
    span = layout.t1 - layout.t0
    qtbot.keyClick(screen.view, Qt.Key.Key_Plus)
    assert layout.t1 - layout.t0 < span
    qtbot.keyClick(screen.view, Qt.Key.Key_Minus)
    qtbot.keyClick(screen.view, Qt.Key.Key_Minus)
    assert layout.t1 - layout.t0 > span


def test_fit_buttons_show_the_incident_and_the_review_window(screen, qtbot):
    d = screen.layout_.data
    screen.fit_review_action.trigger()
    assert screen.layout_.t0 <= d.review_start and screen.layout_.t1 >= d.review_end
    screen.fit_incident_action.trigger()
    assert screen.layout_.t0 <= d.technical_start and screen.layout_.t1 >= d.customer_end
    assert screen.layout_.t1 - screen.layout_.t0 < d.review_end - d.review_start


def test_clicking_a_conversation_bar_asks_the_hub_to_show_it(screen, qtbot):
    layout, geo = screen.layout_, screen.view.geometry_()
    row, band = layout.subrows[0], geo.subrows[0]
    i = max(visible_bars(row, layout.t0, layout.t1), key=lambda k: row.ends[k] - row.starts[k])
    y = band.y + 2 + row.tracks[i] * track_height(band, row) + 3
    pos = point(screen, (row.starts[i] + row.ends[i]) / 2, y)
    expected = layout.data.conversations.ids[row.index[i]]
    with qtbot.waitSignal(screen.hub.conversation_requested) as signal:
        qtbot.mouseClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert signal.args == [expected, -1]
    assert "Click to read" in screen.describe_hit(layout.hit(pos.x(), pos.y(), geo))


def drag(qtbot, viewport, start, end):
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * k / 5)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def test_dragging_a_system_event_moves_it_and_undo_puts_it_back(main_window, screen, qtbot):
    layout, geo = screen.layout_, screen.view.geometry_()
    event = max(layout.data.events, key=lambda e: e.at if layout.t0 < e.at < layout.t1 else 0)
    before = event_times(main_window)
    start = point(screen, event.at, geo.system.y + 13)
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        drag(qtbot, screen.view.viewport(), start, start + QPoint(-60, 0))
    moved = event_times(main_window)[event.id]
    assert moved < event.at and moved % 60 == 0
    main_window.undo_action.trigger()
    assert event_times(main_window) == before


def test_dragging_the_recovery_edge_changes_the_technical_window_undoably(main_window, screen, qtbot):
    service = IncidentService(main_window.session.workspace)
    incident_id = main_window.hub.incident_id
    before = service.get(incident_id).technical_end
    screen.view.show_range(before.timestamp() - 3600, before.timestamp() + 3600)
    start = point(screen, before.timestamp(), screen.view.geometry_().windows.y + 8)
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        drag(qtbot, screen.view.viewport(), start, start + QPoint(80, 0))
    after = service.get(incident_id).technical_end
    assert after > before + timedelta(minutes=5)
    assert screen.layout_.data.headline != "Logs: 40 min."
    main_window.undo_action.trigger()
    assert service.get(incident_id).technical_end == before


def test_double_click_on_the_empty_system_lane_adds_an_event_there(main_window, screen, qtbot):
    layout, geo = screen.layout_, screen.view.geometry_()
    t = layout.t1 - (layout.t1 - layout.t0) * 0.1
    pos = point(screen, t, geo.system.bottom - 6)
    assert layout.hit(pos.x(), pos.y(), geo).kind == "system_lane"
    before = event_times(main_window)
    qtbot.mouseDClick(screen.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    one_pixel = 1 / layout.scale(geo).px_per_s
    assert abs(dialog.values()["at"].timestamp() - t) <= 60 + one_pixel  # snapped to the minute
    dialog.title_edit.setText("Customer success lead joins the incident channel")
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.accept()
    added = set(event_times(main_window)) - set(before)
    assert len(added) == 1
    main_window.undo_action.trigger()
    assert event_times(main_window) == before


def test_pasted_log_lines_become_events_in_one_undo_step(main_window, screen, qtbot):
    before = event_times(main_window)
    QApplication.clipboard().setText("")
    dialog = screen.paste_log_lines()
    dialog.set_text("2026-11-18 10:22:00 ERROR checkout timeout\nNov 18 10:40:00 web01 deployd[7]: deploy v2\n"
                    "garbage\n2026-11-18 10:55:00 rolled back checkout\n")
    assert dialog.model.rowCount() == 3
    assert [dialog.model.rows[k]["kind"] for k in range(3)] == ["alert", "deploy", "mitigation"]
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.accept()
    assert len(event_times(main_window)) == len(before) + 3
    main_window.undo_action.trigger()
    assert event_times(main_window) == before


def test_event_preview_model_passes_the_model_tester(qtmodeltester, screen):
    model = EventPreviewModel("UTC")
    from postmortem_desktop.importers.system_event_lines import parse_event_lines
    model.set_rows([e.as_values() for e in parse_event_lines("2026-11-18T10:00:00Z alert fired\n").events])
    qtmodeltester.check(model)
    assert model.setData(model.index(0, EventPreviewModel.COL_KIND), "deploy")
    assert not model.setData(model.index(0, EventPreviewModel.COL_KIND), "explosion")


def test_sub_rows_follow_the_grouping_choice(screen):
    channels = {r.label for r in screen.layout_.subrows}
    assert "ticket" in channels
    screen.group_combo.setCurrentIndex(screen.group_combo.findData("tag"))
    tags = {r.label for r in screen.layout_.subrows}
    assert "confusion" in tags and "ticket" not in tags


def test_timeline_screen_leaves_room_for_the_docks_at_1280_by_720(main_window, screen):
    # The incident list and the reader dock share the 1280 px with this screen.
    assert screen.minimumSizeHint().width() <= 560
    assert screen.view.viewport().width() > 300


def test_the_timeline_follows_a_live_theme_change(qtbot):
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from ui.hub import ScreenHub
    from ui.timeline.timeline_screen import TimelineScreen

    screen = TimelineScreen(ScreenHub())
    qtbot.addWidget(screen)
    app = QApplication.instance()
    before_palette, before_font = app.palette(), app.font()
    light_background = screen.view.theme.background
    try:
        dark = QPalette(before_palette)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        dark.setColor(QPalette.ColorRole.Base, QColor("#202124"))
        app.setPalette(dark)
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        app.setFont(font)
        app.sendPostedEvents()
        assert screen.view.theme.background != light_background
        assert screen.view.theme.scale > 1.2
    finally:
        app.setPalette(before_palette)
        app.setFont(before_font)


def test_ctrl_0_fits_the_incident_from_anywhere_in_the_window(qtbot, main_window):
    from PySide6.QtTest import QTest

    screen = main_window.show_screen("timeline")
    layout = screen.layout_
    layout.zoom(8.0)
    screen.view.redraw()
    zoomed = (layout.t0, layout.t1)
    main_window.activateWindow()
    main_window.incident_view.setFocus()  # focus in the incident list, not the timeline
    QTest.keyClick(main_window.incident_view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert (layout.t0, layout.t1) != zoomed
    assert (layout.t0, layout.t1) == pytest.approx(layout.incident_span())


def test_with_no_incident_the_timeline_says_what_to_do_and_its_tools_rest(qtbot, main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.timeline.timeline_view import EMPTY_TEXT

    screen = main_window.show_screen("timeline")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    for _ in range(2):
        main_window.delete_incident_action.trigger()
    assert main_window.incident_model.rowCount() == 0
    assert screen.layout_ is None and not screen.toolbar.isEnabled()
    assert "New Incident" in EMPTY_TEXT
    image = screen.view.grab().toImage()
    assert image.width() > 0


def widest_bar_centre(screen):
    layout, geo = screen.layout_, screen.view.geometry_()
    row, band = layout.subrows[0], geo.subrows[0]
    i = max(visible_bars(row, layout.t0, layout.t1), key=lambda k: row.ends[k] - row.starts[k])
    y = band.y + 2 + row.tracks[i] * track_height(band, row) + 3
    return point(screen, (row.starts[i] + row.ends[i]) / 2, y)


def test_a_tooltip_stays_while_the_pointer_moves_and_rests_inside_the_same_bar(screen, qtbot):
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    viewport = screen.view.viewport()
    pos = widest_bar_centre(screen)
    qtbot.mouseMove(viewport, pos)
    qtbot.waitUntil(QToolTip.isVisible)
    text = QToolTip.text()
    assert "Click to read" in text
    for dx in (4, 8, 12):  # ~10 px further along the same bar, then the pointer rests there
        moved = pos + QPoint(dx, 0)
        assert screen.view.hit_at(QPointF(moved)).id == screen.view.hit_at(QPointF(pos)).id
        qtbot.mouseMove(viewport, moved)
        QApplication.sendEvent(viewport, QHelpEvent(QHelpEvent.Type.ToolTip, moved, viewport.mapToGlobal(moved)))
        assert QToolTip.isVisible() and QToolTip.text() == text
    QToolTip.hideText()  # hidden by anything else (a key, a click): resting on the bar brings it back
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    QApplication.sendEvent(viewport, QHelpEvent(QHelpEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    assert QToolTip.isVisible() and QToolTip.text() == text


def test_the_cursor_time_follows_a_zoom_pan_or_fit(screen, qtbot):
    from postmortem_desktop.timeline.layout import format_time

    view = screen.view
    x = int((view.geometry_().plot_x0 + view.geometry_().plot_x1) * 0.3)
    qtbot.mouseMove(view.viewport(), QPoint(x, 300))
    assert view.cursor_item.isVisible()

    def time_at_cursor():
        return format_time(screen.layout_.scale(view.geometry_()).t(view.cursor_item.x()), screen.layout_.zone_name)
    for step in (screen.zoom_in_action.trigger, screen.zoom_in_action.trigger, lambda: view.pan_pixels(200),
                 screen.fit_review_window):
        before = view.cursor_item.label
        step()
        assert view.cursor_item.label == time_at_cursor()
        assert view.cursor_item.label != before


def test_the_conversation_opened_from_anywhere_is_ringed_on_the_timeline_and_stays_so(screen, qtbot):
    layout = screen.layout_
    row = layout.subrows[0]
    some_id = layout.data.conversations.ids[row.index[0]]
    screen.hub.conversation_requested.emit(some_id, -1)  # e.g. a card opened on the board
    assert screen.layout_.highlighted == some_id
    screen.refresh()  # an edit re-reads the timeline: the ring stays
    assert screen.layout_ is not layout and screen.layout_.highlighted == some_id


def test_a_pasted_events_kind_is_chosen_from_the_list_of_kinds(screen, qtbot):
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

    from postmortem_desktop.timeline.drawing import KIND_LABELS

    QApplication.clipboard().setText("")
    dialog = screen.paste_log_lines()
    dialog.set_text("2026-11-18 10:22:00 ERROR checkout timeout\n")
    index = dialog.model.index(0, dialog.model.COL_KIND)
    assert index.data() == KIND_LABELS["alert"]  # shown by its label
    delegate = dialog.preview.itemDelegateForColumn(dialog.model.COL_KIND)
    editor = delegate.createEditor(dialog.preview.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox)
    assert [editor.itemData(i) for i in range(editor.count())] == list(KIND_LABELS)
    delegate.setEditorData(editor, index)
    assert editor.currentData() == "alert"
    editor.setCurrentIndex(editor.findData("deploy"))
    delegate.setModelData(editor, dialog.model, index)
    assert dialog.events()[0]["kind"] == "deploy"
    dialog.reject()


def test_the_legend_s_tooltip_lists_every_key_it_may_have_had_no_room_for(screen):
    from postmortem_desktop.timeline.drawing import KIND_LABELS

    layout, geo = screen.layout_, screen.view.geometry_()
    hit = layout.hit(geo.width / 2, geo.legend.y + geo.legend.h / 2, geo)
    assert hit.kind == "legend"
    text = screen.describe_hit(hit)
    convs = layout.data.conversations
    for code in set(convs.tag) - {-1}:
        assert convs.tags[code].name in text
    assert all(label in text for label in KIND_LABELS.values())
