"""Review services: answers and linked quotes, severity decisions, the contact list, the customer message."""
import csv
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.contacts import ContactService, EditContact, FlagContacts, UnflagContact
from postmortem_desktop.services.customer_message import CustomerMessageService, DecideCustomerMessage
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import (
    EditCloseoutFields,
    LinkAnswerQuotes,
    ReviewService,
    SetReviewAnswer,
    UnlinkAnswerQuote,
)
from postmortem_desktop.storage.schema import Conversation, Quote
from tests.helpers import billing_id


def quote_ids(ws, incident_id, n=2):
    with ws.reading() as s:
        return list(s.scalars(select(Quote.id).join(Conversation).where(Conversation.incident_id == incident_id)
                              .order_by(Quote.id).limit(n)))


def answer(ws, iid, key):
    return next(a for a in ReviewService(ws).answers(iid) if a.key == key)


def test_demo_has_three_of_five_answers(demo):
    answers = ReviewService(demo).answers(billing_id(demo))
    assert [a.key for a in answers] == ["task", "confusing", "workaround", "wording", "contact"]
    assert sum(1 for a in answers if a.answer.strip()) == 3


def test_answer_edit_and_undo(demo):
    iid = billing_id(demo)
    cmd = SetReviewAnswer(iid, "wording", "Calmed: 'you will not be charged twice'.")
    cmd.do(demo)
    assert answer(demo, iid, "wording").answer.startswith("Calmed")
    cmd.undo(demo)
    assert answer(demo, iid, "wording").answer == ""


def test_linking_quotes_skips_duplicates_and_other_incidents_and_undoes(demo):
    iid = billing_id(demo)
    other = next(s.id for s in IncidentService(demo).list_incidents() if s.id != iid)
    ids = quote_ids(demo, iid)
    foreign = quote_ids(demo, other, 1)
    link = LinkAnswerQuotes(iid, "wording", ids + foreign)
    link.do(demo)
    assert [q.id for q in answer(demo, iid, "wording").quotes] == ids
    LinkAnswerQuotes(iid, "wording", ids[:1]).do(demo)  # already linked: nothing new
    assert len(answer(demo, iid, "wording").quotes) == 2
    unlink = UnlinkAnswerQuote(iid, "wording", ids[0])
    unlink.do(demo)
    assert [q.id for q in answer(demo, iid, "wording").quotes] == ids[1:]
    unlink.undo(demo)
    assert sorted(q.id for q in answer(demo, iid, "wording").quotes) == sorted(ids)
    with pytest.raises(RuleError):
        LinkAnswerQuotes(iid, "wording", foreign).do(demo)


def test_severity_suggestion_for_the_demo_is_raised_with_reasons(demo):
    state = SeverityService(demo).severity(billing_id(demo))
    assert state.suggestion.technical == "SEV3"
    assert state.suggestion.suggested in ("SEV1", "SEV2")
    assert any("money" in r for r in state.suggestion.reasons)


def test_override_needs_a_reason_and_both_decisions_are_recorded(demo):
    iid = billing_id(demo)
    service = ReviewService(demo)
    suggestion = SeverityService(demo).severity(iid).suggestion
    other = "SEV2" if suggestion.suggested != "SEV2" else "SEV3"
    with pytest.raises(RuleError, match="Say why"):
        DecideSeverity(iid, suggestion, other, "")
    DecideSeverity(iid, suggestion, suggestion.suggested).do(demo)
    override = DecideSeverity(iid, suggestion, other, "Refunds went out the same day")
    override.do(demo)
    details = IncidentService(demo).get(iid)
    assert (details.customer_severity, details.customer_severity_reason) == (other, "Refunds went out the same day")
    assert details.customer_severity_suggested == suggestion.suggested
    kinds = [h.kind for h in service.history(iid)]
    assert kinds[-2:] == ["severity_confirmed", "severity_overridden"]
    override.undo(demo)
    assert IncidentService(demo).get(iid).customer_severity == suggestion.suggested
    assert [h.kind for h in service.history(iid)][-1] == "severity_confirmed"


def test_contact_suggestions_come_from_tags_and_money_words(demo):
    suggestions = ContactService(demo).contact_suggestions(billing_id(demo))
    reasons = " ".join(s.reason for s in suggestions)
    assert "lost money" in reasons and "fears for their data" in reasons
    assert len({s.customer_id for s in suggestions}) == len(suggestions)


def test_flag_contact_edit_export_and_unflag(demo, tmp_path):
    iid = billing_id(demo)
    service = ContactService(demo)
    first, second = service.contact_suggestions(iid)[:2]
    FlagContacts(iid, [(first.customer_id, first.reason), (second.customer_id, second.reason)], suggested=True).do(demo)
    assert {c.customer_id for c in service.contacts(iid)} == {first.customer_id, second.customer_id}
    assert first.customer_id not in {s.customer_id for s in service.contact_suggestions(iid)}
    EditContact(iid, first.customer_id, contacted=True, contacted_on=date(2026, 11, 21)).do(demo)
    assert service.export_contacts_csv(iid, tmp_path / "c.csv") == 2
    rows = list(csv.DictReader(open(tmp_path / "c.csv", encoding="utf-8-sig")))
    contacted = next(r for r in rows if r["name"] == first.name)
    assert ((contacted["contacted"], contacted["contacted_on"], contacted["reason"])
            == ("yes", "2026-11-21", first.reason))
    with pytest.raises(RuleError, match="Say why"):
        UnflagContact(iid, second.customer_id, "")
    unflag = UnflagContact(iid, second.customer_id, "Already called by their account manager")
    unflag.do(demo)
    assert [c.customer_id for c in service.contacts(iid)] == [first.customer_id]
    assert ReviewService(demo).history(iid)[-1].kind == "contact_removed"
    unflag.undo(demo)
    assert len(service.contacts(iid)) == 2


def test_flagging_needs_a_reason():
    with pytest.raises(RuleError, match="reason"):
        FlagContacts(1, [(3, "  ")])


def test_customer_message_draft_covers_what_happened_meaning_and_actions(demo):
    text = CustomerMessageService(demo).draft_message(billing_id(demo))
    assert "What happened" in text and "What it means for you" in text and "What we are doing" in text
    assert "planned changes" in text


def test_customer_message_draft_never_copies_internal_action_items(demo):
    from postmortem_desktop.services.actions import ActionService

    iid = billing_id(demo)
    text = CustomerMessageService(demo).draft_message(iid)
    items = ActionService(demo).list_items(iid)
    assert items
    for item in items:
        assert item.description not in text
        assert item.owner not in text


def test_customer_message_draft_never_quotes_the_reviews_internal_answers(demo):
    """The five answers are the team's words about named customers ('one customer needed to send an invoice
    before a noon client meeting'): the draft advises from them but never pastes them."""
    from postmortem_desktop.reporting.report_data import gather

    iid = billing_id(demo)
    text = CustomerMessageService(demo).draft_message(iid)
    answers = [a.answer for a in gather(demo, iid).answers if a.answer.strip()]
    assert len(answers) >= 3
    flat = " ".join(text.split()).lower()
    for answer in answers:
        words = answer.split()
        runs = {" ".join(words[k:k + 4]).lower().rstrip(".,;:") for k in range(max(len(words) - 3, 0))}
        assert not [run for run in runs if run in flat], answer  # not even four words of it in a row
    assert "check for anything done twice" in text  # the demo's recorded workaround, said as advice
    assert "until about 09:30 on Thursday 19 November" in text  # customers asked into the next day


def test_customer_message_draft_reads_as_sentences_with_or_without_a_workaround():
    from datetime import UTC, datetime

    from postmortem_desktop.domain import timing
    from postmortem_desktop.services.customer_message import draft_customer_message

    window = timing.Window(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 9, 40, tzinfo=UTC))
    later = timing.Window(window.start, datetime(2026, 3, 2, 13, 15, tzinfo=UTC))
    for worked_around in (False, True):
        text = draft_customer_message("Checkout payments failed", window, later, worked_around, {"product"})
        assert "if you were" not in text.lower()
        assert text.count("(") == text.count(")")
        assert ".." not in text and ";." not in text and " ." not in text
        assert "until about 13:15," in text  # the same day: no date repeated
        assert ("done twice" in text) is worked_around


def test_not_sending_needs_a_reason_and_the_decision_is_recorded(demo):
    iid = billing_id(demo)
    with pytest.raises(RuleError, match="why"):
        DecideCustomerMessage(iid, "not_sending", "")
    cmd = DecideCustomerMessage(iid, "not_sending", "Every affected account was called instead")
    cmd.do(demo)
    fields = ReviewService(demo).closeout_fields(iid)
    assert (fields.customer_message_decision, fields.customer_message_reason) == (
        "not_sending", "Every affected account was called instead")
    assert ReviewService(demo).history(iid)[-1].kind == "message_not_sending"
    cmd.undo(demo)
    assert ReviewService(demo).closeout_fields(iid).customer_message_decision == ""


def test_close_out_fields_only_accept_close_out_columns(demo):
    with pytest.raises(RuleError):
        EditCloseoutFields(billing_id(demo), status="closed")


def test_accounts_counted_for_severity_are_those_the_review_window_shows(demo):
    from datetime import timedelta

    from sqlalchemy import func

    from postmortem_desktop.storage.schema import Incident

    iid = billing_id(demo)
    service = SeverityService(demo)
    before = service.severity_evidence(iid).accounts_affected
    with demo.transaction() as session:
        review_end = session.get(Incident, iid).review_end
        # an account with one incident-related conversation: moved wholly after the review window
        single = (select(Conversation.customer_id).where(Conversation.incident_id == iid)
                  .group_by(Conversation.customer_id).having(func.count() == 1))
        conv = session.scalars(select(Conversation).where(
            Conversation.incident_id == iid, Conversation.pre_existing.is_(False), Conversation.channel != "internal",
            Conversation.customer_id.in_(single)).order_by(Conversation.id)).first()
        conv.first_at = conv.last_at = review_end + timedelta(days=3)
    assert service.severity_evidence(iid).accounts_affected == before - 1


def test_each_contact_reason_comes_from_the_customers_own_words_in_one_pass(demo):
    """The three kinds of words (money, deadlines, being ignored) are read in one pass over the messages: each
    customer gets the reasons of their own words only, in that order; an agent's words give a customer none."""
    from postmortem_desktop.importers.records import ParsedMessage
    from postmortem_desktop.services.conversations import AddConversation, NewConversation

    iid = billing_id(demo)
    at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    chats = {
        "Dana Deadline": [ParsedMessage("Dana Deadline", "still waiting, and I missed the deadline", at, "customer")],
        "Rex Refundless": [ParsedMessage("Rex Refundless", "Where is my invoice?", at, "customer"),
                           ParsedMessage("Support", "We issued a refund, and nobody was charged twice", at, "agent")],
    }
    for name, messages in chats.items():
        AddConversation(iid, NewConversation("chat", messages, customer_name=name,
                                             customer_email=f"{name.split()[0].lower()}@example.com")).do(demo)
    reasons = {s.name: s.reason for s in ContactService(demo).contact_suggestions(iid)}
    assert reasons["Dana Deadline"] == "missed a deadline; thinks we ignored them"
    assert "Rex Refundless" not in reasons
    assert any("lost money" in reason for reason in reasons.values())  # the demo's own customers
