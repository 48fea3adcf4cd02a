"""A read-only workspace (a team role granted SELECT only, a file opened read-only) reads well and offers nothing that
can only be refused: its text stays readable and copyable, what cannot work is off and says why, and the board's
keys change nothing without a refusal box per key press."""
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMessageBox

from postmortem_desktop.domain.contrast import AA_TEXT, contrast_ratio
from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.core.test_team_workspace import _reader
from tests.ui.test_board import select_card, unsorted_card_id, view_for
from tests.ui.test_closed_record import assert_choice_held
from ui.followup.followup_screen import NOT_RECORDED, NOT_SCHEDULED
from ui.incidents.properties_form import NOT_KNOWN
from ui.theme import DARK, LIGHT, PROJECTOR, theme_manager
from ui.time_display import from_qdatetime
from ui.undo import WorkspaceSession


@pytest.fixture
def boxes(monkeypatch):
    """Every refusal or warning box the screens would show."""
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **_kw: shown.append(args[1:3]))
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **_kw: shown.append(args[1:3]))
    return shown


def open_read_only(window, target) -> None:
    """What File › Open does, for a workspace that opens read-only."""
    window.set_session(WorkspaceSession(open_workspace(target, read_only=True), window))
    assert window.hub.workspace.read_only


def reopen_writable(window, target) -> None:
    """What File › Open does next, in the same window, for the file now that nothing holds it read-only."""
    window.hub.close_session()  # its lock goes with it, so the file opens for writing
    window.set_session(WorkspaceSession(open_workspace(target), window))
    assert not window.hub.workspace.read_only


@pytest.fixture
def read_only_window(main_window, demo_copy):
    open_read_only(main_window, demo_copy)
    return main_window


def _readable(widget) -> bool:
    """Drawn with the active colours, which every theme keeps at AA contrast; a disabled widget is greyed."""
    palette = widget.palette()
    group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
    return contrast_ratio(palette.color(group, QPalette.ColorRole.Text).name(),
                          palette.color(group, QPalette.ColorRole.Base).name()) >= AA_TEXT


@pytest.mark.parametrize("theme", [LIGHT, DARK, PROJECTOR])
def test_properties_and_review_stay_readable_and_take_no_edits(read_only_window, qtbot, theme):
    before = theme_manager().snapshot()
    theme_manager().apply(theme)
    try:
        properties = read_only_window.show_screen("properties")
        form = properties.form
        assert form.headline.isEnabled() and form.headline.text()
        assert form.title.text() and form.title.isReadOnly() and _readable(form.title)
        assert_choice_held(qtbot, form.severity)
        assert _readable(form.severity)
        known = [editor.edit for editor in form.times.values() if editor.value() is not None]
        assert known and all(edit.isReadOnly() and _readable(edit) for edit in known)
        review = read_only_window.show_screen("review")
        assert review.tabs.isEnabled()  # its tabs can be gone through
        answers = [block.answer for block in review.answers.blocks.values()]
        assert any(answer.toPlainText() for answer in answers)
        assert all(answer.isReadOnly() and _readable(answer) for answer in answers)
        record = list(review.record.fields.values())
        assert all(field.isReadOnly() and _readable(field) for field in record)
        assert not review.severity.confirm_button.isEnabled() and not review.record.none_seen.isEnabled()
    finally:
        theme_manager().restore(before)


def test_follow_up_turns_off_what_cannot_work_saying_why_and_gives_it_back_when_writable(read_only_window, qtbot,
                                                                                          demo_copy):
    followup = read_only_window.show_screen("followup")
    off = [followup.schedule_button, followup.import_button, followup.tickets_button]  # its dates: below
    assert not any(widget.isEnabled() for widget in off)
    assert all(widget.toolTip().startswith("Read-only: demo.pmw is open for reading only") for widget in off)
    assert followup.outcome.isReadOnly() and followup.outcome.isEnabled()
    reopen_writable(read_only_window, demo_copy)
    followup.refresh()
    assert all(widget.isEnabled() for widget in off)
    assert followup.outcome.isReadOnly()  # still: an incident in review takes its outcome once it is closed
    closed = next(s.id for s in IncidentService(read_only_window.hub.workspace).list_incidents()
                  if s.title.startswith("Two-factor"))
    read_only_window.select_incident(closed)
    followup.refresh()
    assert not followup.outcome.isReadOnly()
    assert followup.tickets_button.toolTip().startswith("The following week's ticket dump")  # its own again
    assert followup.schedule_button.toolTip() == ""


def test_the_board_says_it_is_read_only_and_its_keys_and_drops_change_nothing_without_a_box(read_only_window, qtbot,
                                                                                             boxes):
    board = read_only_window.show_screen("board")
    if board.model.rowCount() == 0:
        board.reload()
    assert "Read-only" in board.status.text() and "Drag to tag" not in board.status.text()
    assert not board.filter_bar.suggest_button.isEnabled() and not board.filter_bar.add_column_button.isEnabled()
    workspace, incident = read_only_window.hub.workspace, read_only_window.incident_id
    before = {card.quote_id: card.tag_ids for card in board_cards(workspace, incident)}
    quote_id = unsorted_card_id(board)
    view = view_for(board, None)
    for key in (Qt.Key.Key_1, Qt.Key.Key_Delete, Qt.Key.Key_Return, Qt.Key.Key_Backspace):
        select_card(view, quote_id)
        qtbot.keyClick(view, key)
    assert not view_for(board, board.tags[0].id).viewport().acceptDrops()  # no drop is even offered
    qtbot.wait(50)
    assert boxes == []
    assert {card.quote_id: card.tag_ids for card in board_cards(workspace, incident)} == before


def test_a_select_only_team_role_gets_the_same_screens(main_window, qtbot, team_server, team_database, boxes):
    create_workspace(team_database).close()
    writer = open_workspace(team_database)
    CreateIncident(title="Checkout errors").do(writer)
    writer.close()
    assert main_window.try_open(_reader(team_server, team_database)) is None  # as File › Open Team Workspace does
    assert main_window.hub.workspace.read_only
    main_window.select_incident(main_window.incident_model.summary(0).id)
    followup = main_window.show_screen("followup")
    assert not followup.schedule_button.isEnabled()
    assert "may read it but not change it" in followup.schedule_button.toolTip()
    assert "Read-only" in main_window.show_screen("board").status.text()
    form = main_window.show_screen("properties").form
    assert form.title.text() == "Checkout errors" and form.title.isReadOnly() and form.title.isEnabled()
    first_failure = form.times["technical_start"].edit  # nobody knows it yet
    assert first_failure.text() == NOT_KNOWN and first_failure.isEnabled() and first_failure.isReadOnly()
    blocks = main_window.show_screen("review").answers.blocks.values()
    assert all("may read it but not change it" in block.quote_hint.toolTip() and "Read-only" in block.quote_hint.text()
               and "Pick quotes" not in block.quote_hint.text() for block in blocks)
    assert boxes == []


def test_the_review_says_quotes_cannot_be_linked_on_a_read_only_workspace_and_why(read_only_window, demo_copy):
    review = read_only_window.show_screen("review")
    empty = [block for block in review.answers.blocks.values() if block.quotes.rowCount() == 0]
    assert empty  # the demo leaves some answers without quotes
    for block in empty:
        hint = block.quote_hint.text()
        # why, once per screen (the status bar) and on each hint's tooltip, not five times over in the page
        assert "Read-only" in hint and "demo.pmw is open for reading only." in block.quote_hint.toolTip()
        assert "demo.pmw" not in hint
        assert "Pick quotes" not in hint and "Board" not in hint  # no way offered that cannot work here
    reopen_writable(read_only_window, demo_copy)
    review.refresh()
    assert all("Pick quotes" in block.quote_hint.text() and "Read-only" not in block.quote_hint.text()
               and not block.quote_hint.toolTip() for block in empty)


def test_the_board_headers_offer_no_number_keys_on_a_read_only_workspace_and_do_again_when_writable(
        read_only_window, demo_copy):
    board = read_only_window.show_screen("board")
    keyed = board.tags[:9]
    assert keyed
    for tag in keyed:
        header = board.grid.headers[tag.id]
        assert header.title.text() == tag.name and "number key" not in header.toolTip()
    reopen_writable(read_only_window, demo_copy)
    for number, tag in enumerate(keyed, start=1):
        header = board.grid.headers[tag.id]
        assert header.title.text() == f"{number}  {tag.name}" and "number key" in header.toolTip()


def test_no_card_is_dragged_and_no_column_takes_a_drop_on_a_read_only_workspace_until_it_is_writable(
        read_only_window, demo_copy):
    """Before: a drag followed the mouse and lit the column up as a drop target, then did nothing."""
    board = read_only_window.show_screen("board")
    views = [view_for(board, None), view_for(board, board.tags[0].id)]
    assert not any(view.dragEnabled() or view.viewport().acceptDrops() for view in views)
    reopen_writable(read_only_window, demo_copy)
    views = [view_for(board, None), view_for(board, board.tags[0].id)]
    assert all(view.dragEnabled() and view.viewport().acceptDrops() for view in views)


@pytest.fixture
def unknown_times_window(main_window, demo_copy):
    """A read-only window on an incident whose technical window and status-page time nobody knows yet."""
    assert main_window.hub.run(CreateIncident(title="Times not known yet"))
    incident_id = next(summary.id for summary in IncidentService(main_window.hub.workspace).list_incidents()
                       if summary.title == "Times not known yet")
    open_read_only(main_window, demo_copy)
    main_window.select_incident(incident_id)
    assert main_window.incident_id == incident_id
    return main_window


@pytest.mark.parametrize("theme", [LIGHT, DARK, PROJECTOR])
def test_an_unknown_time_reads_as_not_known_like_the_other_read_only_fields(unknown_times_window, demo_copy, theme):
    before = theme_manager().snapshot()
    theme_manager().apply(theme)
    try:
        properties = unknown_times_window.show_screen("properties")
        unknown = [editor for editor in properties.form.times.values() if editor.value() is None]
        assert unknown
        for editor in unknown:
            edit = editor.edit
            assert edit.isEnabled() and edit.isReadOnly() and _readable(edit)
            assert edit.text() == NOT_KNOWN  # no made-up time (2000-01-01, or another incident's) to misread
    finally:
        theme_manager().restore(before)
    reopen_writable(unknown_times_window, demo_copy)
    properties.refresh()
    editor = properties.form.times["technical_start"]
    assert editor.value() is None and not editor.edit.isEnabled() and not editor.edit.isReadOnly()
    editor.known.click()  # ticked: it starts from now, never from the empty field's minimum
    assert editor.edit.isEnabled() and editor.value() is not None and editor.value().year >= 2026
    assert editor.edit.text() != NOT_KNOWN


@pytest.mark.parametrize("theme", [LIGHT, DARK, PROJECTOR])
def test_the_follow_up_dates_stay_readable_on_a_read_only_workspace_and_say_when_there_are_none(read_only_window,
                                                                                                 demo_copy, theme,
                                                                                                 qtbot):
    before = theme_manager().snapshot()
    theme_manager().apply(theme)
    try:
        followup = read_only_window.show_screen("followup")
        unscheduled = read_only_window.incident_id
        assert followup.view_data.scheduled_at is None and followup.view_data.review_held_on is None
        dates = (followup.review_date, followup.check_at)
        assert all(field.isEnabled() and field.isReadOnly() and _readable(field) for field in dates)
        assert all(field.toolTip().startswith("Read-only: demo.pmw is open for reading only") for field in dates)
        # nothing is scheduled: no proposed date that would read as a stored one
        assert followup.review_date.text() == NOT_RECORDED and followup.check_at.text() == NOT_SCHEDULED
        scheduled = next(s.id for s in IncidentService(read_only_window.hub.workspace).list_incidents()
                         if s.status == "closed")  # the demo's closed incident has its check scheduled
        read_only_window.select_incident(scheduled)
        qtbot.waitUntil(lambda: followup.view_data.scheduled_at is not None)
        assert from_qdatetime(followup.check_at.dateTime()) == followup.view_data.scheduled_at
        assert followup.check_at.text() != NOT_SCHEDULED and followup.review_date.text() != NOT_RECORDED
        assert all(field.isReadOnly() and _readable(field) for field in dates)
    finally:
        theme_manager().restore(before)
    reopen_writable(read_only_window, demo_copy)
    read_only_window.select_incident(unscheduled)
    qtbot.waitUntil(lambda: followup.view_data.scheduled_at is None)
    assert all(field.isEnabled() and not field.isReadOnly() for field in dates)
    # writable, the fields propose when to check, to schedule it
    assert followup.check_at.text() != NOT_SCHEDULED and followup.check_at.dateTime().date().year() >= 2026


def test_a_closed_incident_offers_no_reopen_on_a_read_only_workspace_and_says_why(read_only_window, demo_copy,
                                                                                    boxes):
    closed = next(s.id for s in IncidentService(read_only_window.hub.workspace).list_incidents()
                  if s.status == "closed")
    read_only_window.select_incident(closed)
    banners = [read_only_window.show_screen(key).closed_banner for key in ("review", "actions")]
    for banner in banners:
        assert banner.isVisibleTo(banner.parentWidget()) and not banner.reopen_button.isEnabled()
        assert banner.reopen_button.toolTip().startswith("Read-only: demo.pmw is open for reading only")
        assert "Reopen" not in banner.label.text()  # the way it names cannot be taken here
    reopen_writable(read_only_window, demo_copy)
    read_only_window.select_incident(closed)
    for key, banner in zip(("review", "actions"), banners, strict=True):
        read_only_window.show_screen(key).refresh()
        assert banner.reopen_button.isEnabled() and "Reopen" in banner.label.text()
    assert boxes == []


def test_the_close_out_strip_and_checklist_say_why_nothing_closes_or_reopens_on_a_read_only_workspace(
        read_only_window, demo_copy, qtbot, boxes):
    incidents = IncidentService(read_only_window.hub.workspace).list_incidents()
    closed = next(s.id for s in incidents if s.status == "closed")
    still_open = next(s.id for s in incidents if s.status != "closed")
    strip = read_only_window.screen_widgets["closeout"]
    checklist = read_only_window.show_screen("review").checklist
    reason = "Read-only: demo.pmw is open for reading only"
    for incident in (still_open, closed):
        read_only_window.select_incident(incident)
        for button in (strip.close_button, strip.reopen_button):
            assert not button.isEnabled() and button.toolTip().startswith(reason)
    assert "demo.pmw is open for reading only" in checklist.summary.text()
    assert "Reopen" not in checklist.summary.text()  # the way it names cannot be taken here
    reopen_writable(read_only_window, demo_copy)
    read_only_window.select_incident(closed)
    qtbot.waitUntil(lambda: strip.reopen_button.isEnabled(), timeout=5000)  # once the swapped-in button settles
    assert not strip.reopen_button.toolTip().startswith("Read-only")
    assert "Reopen to change it" in checklist.summary.text()
    assert boxes == []


def test_suggestion_badges_offer_no_accept_or_dismiss_on_a_read_only_workspace(main_window, demo_copy):
    from PySide6.QtWidgets import QStyleOptionViewItem

    from postmortem_desktop.services.suggestions import run_suggestions

    run_suggestions(main_window.hub.workspace, main_window.incident_id)  # chips to show, made while writable
    open_read_only(main_window, demo_copy)
    board = main_window.show_screen("board")
    board.reload()
    card = next(c for c in board.model.cards if c.shown_suggestions(board.delegate.hide_low_confidence))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 320, 200)

    def badges() -> list[tuple[str, int]]:
        return [(label, close.width()) for _badge, close, _tag, label in board.delegate._badge_rows(option, card)[1]]

    assert badges() and all(not label.startswith("+") and width == 0 for label, width in badges())
    assert board.delegate.hit_ghost(option, card, QPoint(20, 150)) is None  # a badge to read, not to click
    reopen_writable(main_window, demo_copy)
    board.reload()
    assert all(label.startswith("+ ") and width > 0 for label, width in badges())
