"""One record, typed once: the review answers that are close-out facts are the close-out fields."""
import json
import sqlite3

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.domain.vocabulary import RECORD_FIELD_OF_ANSWER, REVIEW_QUESTIONS
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.closeout import CloseoutService
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession

ANSWERS = {
    "task": "Sending an invoice before a noon client meeting",
    "confusing": "The error page after Pay, although the card was charged",
    "workaround": "Paid again from a colleague's card; an hour of reconciliation",
    "wording": "Calmed: saying plainly it was our fault",
    "contact": "The two accounts charged twice",
}


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    command = CreateIncident(title="Pay button charged twice")
    assert hub.run(command)
    hub.set_incident(command.incident_id)
    yield hub
    session.close()


@pytest.fixture
def review(qtbot, hub):
    from ui.review.review_screen import ReviewScreen

    screen = ReviewScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def missing_keys(hub):
    return {item.key for item in CloseoutService(hub.workspace).checklist(hub.incident_id).missing}


def answer_all_five(qtbot, hub, review):
    for key, text in ANSWERS.items():
        field = review.answers.blocks[key].answer
        field.setPlainText(text)
        with qtbot.waitSignal(hub.workspace_changed):
            field.commit()


def test_answering_the_five_questions_counts_for_the_close_out_record(qtbot, hub, review):
    before = missing_keys(hub)
    assert {"most_broken_task", "first_workaround"} <= before
    answer_all_five(qtbot, hub, review)
    after = missing_keys(hub)
    assert before - after == {"most_broken_task", "first_workaround"}
    review.refresh()
    assert review.record.fields["most_broken_task"].toPlainText() == ANSWERS["task"]
    assert review.record.fields["first_workaround"].toPlainText() == ANSWERS["workaround"]


def test_the_close_out_field_shows_as_the_answer_and_undo_takes_it_back_in_both(qtbot, hub, review):
    field = review.record.fields["most_broken_task"]
    field.setPlainText("Collecting client payments on the day invoices were due")
    with qtbot.waitSignal(hub.workspace_changed):
        field.commit()
    review.refresh()
    assert review.answers.blocks["task"].answer.toPlainText() == field.toPlainText()
    assert "most_broken_task" not in missing_keys(hub)
    hub.session.undo_stack.undo()
    review.refresh()
    assert review.answers.blocks["task"].answer.toPlainText() == "" == field.toPlainText()
    assert "most_broken_task" in missing_keys(hub)


def test_the_report_and_the_command_line_read_the_same_one_record(qtbot, hub, review, demo_copy, capsys):
    answer_all_five(qtbot, hub, review)
    data = gather(hub.workspace, hub.incident_id)
    answers = {row.key: row.answer for row in data.answers}
    assert answers == ANSWERS
    assert data.most_broken_task == ANSWERS["task"] and data.first_workaround == ANSWERS["workaround"]
    iid = hub.incident_id
    hub.session.close()
    hub.session = None
    main(["checklist", str(demo_copy), "--incident", str(iid), "--json"])
    items = {i["key"]: i["ok"] for i in json.loads(capsys.readouterr().out)["items"]}
    assert items["most_broken_task"] and items["first_workaround"]


def test_a_version_1_workspace_moves_its_typed_answers_into_the_record_without_losing_any(tmp_path):
    path = tmp_path / "old.pmw"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    conn.commit()
    conn.close()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade_to(engine.connect, 0, 1)
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from postmortem_desktop.storage.schema import Incident, ReviewAnswer

    with Session(engine) as session, session.begin():
        for iid, task_field in ((1, ""), (2, "Paying rent")):
            # rows as version 1 held them: Core inserts, not the ORM's (which gives a new incident its
            # version 5 uid, a table a version 1 file does not have)
            session.execute(insert(Incident).values(id=iid, title="t", most_broken_task=task_field,
                                                    first_workaround="Retried"))
            session.add(ReviewAnswer(incident_id=iid, question="task", answer="Sending invoices"))
            session.add(ReviewAnswer(incident_id=iid, question="workaround", answer="Retried"))
    engine.dispose()
    ws = open_workspace(path)
    try:
        with ws.reading() as session:
            from postmortem_desktop.storage.report_query import review_answers

            one, two = review_answers(session, 1), review_answers(session, 2)
    finally:
        ws.close()
    assert one["task"] == "Sending invoices" and one["workaround"] == "Retried"
    assert two["task"] == "Paying rent\n\nSending invoices"  # both typed: neither is lost
    assert two["workaround"] == "Retried"  # the same text is not repeated
    assert (tmp_path / "old.pmw.v1.bak").exists()


def test_every_question_that_is_a_close_out_fact_says_so_in_the_review(qtbot, review):
    for key, _question in REVIEW_QUESTIONS:
        note = review.answers.blocks[key].record_note
        assert note.isVisibleTo(review) == (key in RECORD_FIELD_OF_ANSWER or key == "contact")


def test_the_contact_question_shows_the_contact_list_the_checklist_counts_and_leads_there(qtbot, hub, review):
    from postmortem_desktop.services.contacts import ContactService, FlagContacts
    from postmortem_desktop.services.review_answers import EditCloseoutFields

    note = review.answers.blocks["contact"].record_note
    assert "nobody on it yet" in note.text() and "not reviewed yet" in note.text()
    customer = ContactService(hub.workspace).contact_suggestions(1)[0].customer_id  # a demo customer
    with qtbot.waitSignal(hub.workspace_changed):
        hub.run(FlagContacts(hub.incident_id, [(customer, "was charged twice")]))
    with qtbot.waitSignal(hub.workspace_changed):
        hub.run(EditCloseoutFields(hub.incident_id, contact_list_reviewed=True))
    review.refresh()
    assert "1 customer on it, 0 contacted" in note.text() and "; reviewed" in note.text()
    asked = []
    hub.navigation_requested.connect(lambda screen, field: asked.append((screen, field)))
    note.linkActivated.emit("contacts")
    assert asked == [("review", "contacts")]
