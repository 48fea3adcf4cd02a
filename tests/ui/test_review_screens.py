"""Review, Actions and Follow-up screens over the demo: close refused then allowed, undo, models."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from postmortem_desktop.services.closeout import CloseoutService, ScheduleFollowUp
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    billing = next(s.id for s in IncidentService(session.workspace).list_incidents() if s.title.startswith("Billing"))
    hub.set_incident(billing)
    yield hub
    session.close()


@pytest.fixture
def refusals(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    return shown


@pytest.fixture
def screens(qtbot, hub):
    from ui.actions.actions_screen import ActionsScreen
    from ui.closeout.closeout_strip import CloseoutStrip
    from ui.followup.followup_screen import FollowUpScreen
    from ui.review.review_screen import ReviewScreen

    made = {"review": ReviewScreen(hub), "actions": ActionsScreen(hub), "followup": FollowUpScreen(hub),
            "strip": CloseoutStrip(hub)}
    for widget in made.values():
        qtbot.addWidget(widget)
        widget.show()  # hidden screens postpone refreshes until shown (ui/deferred_refresh.py)
    return made


def status(hub):
    return IncidentService(hub.workspace).get(hub.incident_id).status


def complete_in_the_ui(qtbot, hub, screens, monkeypatch):
    review, actions = screens["review"], screens["actions"]
    # trust signals: "none seen" stated
    with qtbot.waitSignal(hub.workspace_changed):
        review.record.none_seen.click()
    # a support action item through the dialog
    def fake_exec(dialog):
        dialog.area.setCurrentIndex(dialog.area.findData("support"))
        dialog.description.setPlainText("Saved reply for double-charge questions")
        dialog.owner.setText("Priya Raman")
        return QDialog.DialogCode.Accepted
    from ui.actions import action_item_dialog

    monkeypatch.setattr(action_item_dialog.ActionItemDialog, "exec", fake_exec)
    with qtbot.waitSignal(hub.workspace_changed):
        actions.add_button.click()
    # contact list reviewed and message sent
    with qtbot.waitSignal(hub.workspace_changed):
        review.contacts.reviewed.click()
    review.message.sent.setChecked(True)
    with qtbot.waitSignal(hub.workspace_changed):
        review.message.record_button.click()
    # follow-up a week after a review held today
    today = datetime.now(timezone.utc).date()
    at = datetime.combine(today + timedelta(days=7), time(15), tzinfo=timezone.utc)
    with qtbot.waitSignal(hub.workspace_changed):
        hub.run(ScheduleFollowUp(hub.incident_id, at, today))


def test_close_button_refuses_listing_what_is_missing_then_allows(qtbot, hub, screens, refusals, monkeypatch):
    strip = screens["strip"]
    strip.close_button.click()
    assert status(hub) == "in_review"
    assert refusals and "4 of 8" in refusals[0] and "Trust signals" in refusals[0]
    complete_in_the_ui(qtbot, hub, screens, monkeypatch)
    assert CloseoutService(hub.workspace).checklist(hub.incident_id).can_close
    assert "ready to close" in strip.summary.text()
    with qtbot.waitSignal(hub.workspace_changed):
        strip.close_button.click()
    assert status(hub) == "closed"
    assert len(refusals) == 1
    assert strip.reopen_button.isVisibleTo(strip) and not strip.close_button.isVisibleTo(strip)
    hub.session.undo_stack.undo()
    assert status(hub) == "in_review"


def test_review_fields_edit_through_undoable_commands(qtbot, hub, screens):
    review = screens["review"]
    field = review.record.fields["trust_signals"]
    field.setPlainText("Customers asked for proof they were not charged twice")
    with qtbot.waitSignal(hub.workspace_changed):
        field.commit()
    assert "trust_signals" not in {i.key for i in CloseoutService(hub.workspace).checklist(hub.incident_id).missing}
    assert hub.session.undo_stack.undoText().startswith("Edit trust signals")
    hub.session.undo_stack.undo()
    assert field.toPlainText() == ""


def test_linking_the_boards_selected_quotes_to_an_answer(qtbot, hub, screens):
    from sqlalchemy import select

    from postmortem_desktop.storage.schema import Conversation, Quote

    with hub.workspace.reading() as s:
        ids = list(s.scalars(select(Quote.id).join(Conversation)
                             .where(Conversation.incident_id == hub.incident_id).limit(2)))
    block = screens["review"].answers.blocks["wording"]
    assert not block.link_button.isEnabled()
    hub.selected_quote_ids = ids
    hub.quotes_selected.emit(ids)
    assert block.link_button.isEnabled() and "2 selected" in block.link_button.text()
    with qtbot.waitSignal(hub.workspace_changed):
        block.link_button.click()
    assert block.quotes.rowCount() == 2


def test_severity_override_without_reason_is_refused_then_recorded(qtbot, hub, screens, refusals):
    severity = screens["review"].severity
    suggested = severity._state.suggestion.suggested
    other = "SEV3" if suggested != "SEV3" else "SEV4"
    severity.level.setCurrentText(other)
    assert severity.override_button.isEnabled()
    severity.override_button.click()
    assert refusals and "Say why" in refusals[0]
    severity.reason.setText("Refunds were sent within the hour")
    with qtbot.waitSignal(hub.workspace_changed):
        severity.override_button.click()
    assert IncidentService(hub.workspace).get(hub.incident_id).customer_severity == other
    assert "Refunds were sent" in severity.history.text()


def test_checklist_go_fix_navigates_to_the_field(qtbot, hub, screens):
    panel = screens["review"].checklist
    button = panel.rows["trust_signals"][3]
    assert button.isVisibleTo(panel)
    with qtbot.waitSignal(hub.navigation_requested) as blocker:
        button.click()
    assert blocker.args == ["review", "trust_signals"]
    screens["review"].focus_item("trust_signals")
    assert screens["review"].tabs.currentIndex() == screens["review"].TAB_RECORD


def test_actions_table_marks_overdue_in_words_and_filters(qtbot, hub, screens):
    from ui.actions.action_item_table_model import ActionItemTableModel

    actions = screens["actions"]
    assert actions.model.rowCount() == 5
    actions.area_filter.setCurrentIndex(actions.area_filter.findData("engineering"))
    assert actions.proxy.rowCount() == 3
    actions.area_filter.setCurrentIndex(0)
    actions.search.setText("idempotency")
    assert actions.proxy.rowCount() == 1
    actions.search.clear()
    from postmortem_desktop.services.actions import ActionService

    late = ActionService(hub.workspace).list_items(hub.incident_id, today=date(2099, 1, 1))
    actions.model.set_rows(late)
    texts = [actions.model.index(r, ActionItemTableModel.COL_STATUS).data() for r in range(5)]
    assert sum(t.startswith("Overdue") for t in texts) == 4
    assert actions.model.index(0, ActionItemTableModel.COL_STATUS).data(1) is not None  # the warning icon


def test_a_checklist_link_to_actions_shows_every_item_and_adds_in_the_area_it_names(qtbot, hub, screens,
                                                                                    monkeypatch):
    from ui.actions import action_item_dialog

    actions = screens["actions"]
    actions.search.setText("idempotency")  # a filter left over from earlier work
    actions.overdue_only.setChecked(True)
    strip = screens["strip"]
    targets = []
    hub.navigation_requested.connect(lambda screen, field: targets.append((screen, field)))
    strip._on_summary_link_activated("action_items")
    assert targets == [("actions", "support")]
    actions.focus_item(targets[0][1])
    assert actions.proxy.rowCount() == actions.model.rowCount() == 5  # product and engineering stay in view
    assert not actions.filter_banner.isVisibleTo(actions)
    chosen = []

    def fake_exec(dialog):
        chosen.append(dialog.area.currentData())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(action_item_dialog.ActionItemDialog, "exec", fake_exec)
    actions.add_button.click()
    assert chosen == ["support"]


def test_a_filter_that_hides_action_items_says_so_and_clears_in_one_click(qtbot, hub, screens):
    actions = screens["actions"]
    assert not actions.filter_banner.isVisibleTo(actions)
    actions.area_filter.setCurrentIndex(actions.area_filter.findData("support"))
    assert actions.filter_banner.isVisibleTo(actions)
    assert "Support" in actions.filter_banner.label.text() and "0 of 5" in actions.filter_banner.label.text()
    actions.search.setText("rollback")
    assert "rollback" in actions.filter_banner.label.text()
    actions.filter_banner.clear_button.click()
    assert actions.proxy.rowCount() == 5 and not actions.filter_banner.isVisibleTo(actions)
    assert actions.search.text() == "" and actions.area_filter.currentData() == ""


def test_quick_add_from_selected_cards(qtbot, hub, screens, monkeypatch):
    from sqlalchemy import select

    from postmortem_desktop.storage.schema import Conversation, Quote
    from ui.actions import action_item_dialog

    monkeypatch.setattr(action_item_dialog.ActionItemDialog, "exec", lambda d: QDialog.DialogCode.Rejected)
    with hub.workspace.reading() as s:
        ids = list(s.scalars(select(Quote.id).join(Conversation)
                             .where(Conversation.incident_id == hub.incident_id).limit(1)))
    actions = screens["actions"]
    assert not actions.quick_add_button.isEnabled()
    hub.selected_quote_ids = ids
    hub.quotes_selected.emit(ids)
    with qtbot.waitSignal(hub.workspace_changed):
        actions.quick_add_button.click()
    assert actions.model.rowCount() == 6
    assert any(link.target_id == ids[0] for r in range(6) for link in actions.model.item(r).links)


def test_models_pass_the_model_tester(qtmodeltester, hub, screens):
    qtmodeltester.check(screens["actions"].model)
    qtmodeltester.check(screens["actions"].proxy)
    contacts = screens["review"].contacts
    qtmodeltester.check(contacts.suggestions)
    contacts.add_all_button.click()
    qtmodeltester.check(contacts.model)
    assert contacts.model.rowCount() > 0
    qtmodeltester.check(screens["followup"].actions)
    qtmodeltester.check(screens["followup"].repeat)
    qtmodeltester.check(screens["review"].answers.blocks["task"].quotes)


def test_follow_up_screen_schedules_and_records_the_outcome(qtbot, hub, screens, refusals):
    followup = screens["followup"]
    assert "Not scheduled" in followup.schedule_state.text()
    with qtbot.waitSignal(hub.workspace_changed):
        followup.schedule_button.click()
    assert "7 days after the review" in followup.schedule_state.text()
    assert followup.ics_button.isEnabled()
    assert not followup.outcome_button.isEnabled()  # not closed yet
    assert followup.actions.rowCount() == 4  # the demo's open billing fixes


def test_close_out_text_is_saved_after_a_pause_in_typing_and_undone_in_one_step(qtbot, hub, screens):
    review = screens["review"]
    field = review.record.fields["trust_signals"]
    field.setFocus()
    for chunk in ("Customers asked ", "for proof ", "of a single charge"):
        field.insertPlainText(chunk)
        with qtbot.waitSignal(hub.workspace_changed, timeout=3000):  # saved without leaving the field
            pass
    record = CloseoutService(hub.workspace).checklist(hub.incident_id)
    assert "trust_signals" not in {i.key for i in record.missing}
    assert hub.session.undo_stack.count() == 1  # three saves, one undo step
    hub.session.undo_stack.undo()
    assert "trust_signals" in {i.key for i in CloseoutService(hub.workspace).checklist(hub.incident_id).missing}


def test_quotes_are_picked_for_an_answer_from_within_the_review(qtbot, hub, screens, monkeypatch):
    from ui.review import quote_picker_dialog

    block = screens["review"].answers.blocks["confusing"]
    before = block.quotes.rowCount()
    offered = []

    def fake_exec(dialog):
        offered.append(dialog.model.rowCount())
        dialog.search.setText("charged")
        assert 0 < dialog.proxy.rowCount() < dialog.model.rowCount()
        assert "Showing" in dialog.count.text()
        assert not dialog.ok_button.isEnabled()
        dialog.view.selectAll()
        offered.append(dialog.proxy.rowCount())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(quote_picker_dialog.QuotePickerDialog, "exec", fake_exec)
    assert hub.selected_quote_ids == []  # nothing chosen on the Board
    with qtbot.waitSignal(hub.workspace_changed):
        block.pick_button.click()
    assert block.quotes.rowCount() == before + offered[1]
    texts = [block.quotes.index(r).data() for r in range(block.quotes.rowCount())]
    assert sum("charged" in t.lower() for t in texts) >= offered[1]


def test_a_long_linked_quote_wraps_instead_of_being_cut(qtbot, hub, screens):
    from postmortem_desktop.services.review_answers import QuoteRef

    block = screens["review"].answers.blocks["wording"]
    screens["review"].resize(1000, 700)
    long_text = "I paid twice and nobody told me whether the second charge would come back before rent " * 3
    block.quotes.set_rows([QuoteRef(1, long_text, "Dana", ("trust-loss",))])
    view = block.quote_view
    qtbot.waitUntil(lambda: view.viewport().width() > 100)
    qtbot.wait(50)  # the list lays its rows out again after the resize
    rect = view.visualRect(block.quotes.index(0))
    lines_needed = view.fontMetrics().horizontalAdvance(long_text) // view.viewport().width()
    assert lines_needed >= 2
    assert rect.height() >= lines_needed * view.fontMetrics().lineSpacing(), (rect, view.viewport().width())
    assert rect.width() <= view.viewport().width()


def test_contacts_keep_their_names_and_say_how_they_were_added_in_a_column(qtbot, hub, screens):
    from postmortem_desktop.services.contacts import ContactService, FlagContacts
    from ui.review.contact_table_model import ContactTableModel

    suggestion = ContactService(hub.workspace).contact_suggestions(hub.incident_id)[0]
    with qtbot.waitSignal(hub.workspace_changed):
        hub.run(FlagContacts(hub.incident_id, [(suggestion.customer_id, suggestion.reason)], suggested=True))
    screens["review"].refresh()
    model = screens["review"].contacts.model
    row = next(r for r in range(model.rowCount())
               if model.index(r, 0).data(ContactTableModel.ID_ROLE) == suggestion.customer_id)
    assert model.index(row, ContactTableModel.COL_NAME).data() == suggestion.name
    assert model.index(row, ContactTableModel.COL_ADDED).data() == "from a suggestion"


def test_on_a_narrow_screen_each_answer_keeps_a_readable_width(qtbot, hub, screens):
    review = screens["review"]
    review.resize(560, 700)
    block = review.answers.blocks["task"]
    qtbot.waitUntil(lambda: block.width() < 560)
    qtbot.wait(20)
    assert block.answer.width() > 0.8 * block.width()  # the quotes moved below instead of beside it
    review.resize(1400, 800)
    qtbot.waitUntil(lambda: block.width() > 1000)
    qtbot.wait(20)
    assert block.quote_hint.x() > block.answer.x() + block.answer.width() - 1  # side by side again


def test_answers_get_the_width_and_show_whole_beside_empty_quote_lists(qtbot, hub, screens):
    """1920 projector with the reader open leaves the Review ~1000 px: the answers were ~210 px boxes that
    scrolled inside while empty quote lists took two thirds of the row."""
    review = screens["review"]
    font = review.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)  # projector type
    review.setFont(font)
    review.resize(1000, 800)
    blocks = review.answers.blocks.values()
    qtbot.waitUntil(lambda: all(b.width() > 760 for b in blocks))
    qtbot.wait(20)
    answered = [b for b in blocks if b.answer.toPlainText().strip()]
    assert len(answered) >= 3
    for block in blocks:
        assert block.answer.width() >= 0.6 * block.width(), block.key
        if not block.quotes.rowCount():
            assert not block.quote_view.isVisibleTo(block)  # no empty box: the hint says how to link
    for block in answered:
        assert block.answer.verticalScrollBar().maximum() == 0, block.key  # read whole, no inner scrolling


def test_on_a_narrow_screen_action_descriptions_stay_readable(qtbot, hub, screens):
    from ui.actions.action_item_table_model import ActionItemTableModel
    from ui.actions.actions_screen import MIN_DESCRIPTION_PX

    actions = screens["actions"]
    actions.resize(520, 600)
    qtbot.wait(20)
    header = actions.view.horizontalHeader()
    assert header.sectionSize(ActionItemTableModel.COL_DESCRIPTION) >= MIN_DESCRIPTION_PX
