"""The report's reads of one incident as plain rows: reporting builds its dataclasses from these, never from
mapped classes. Evidence and related-conversation rules are the shared ones (domain vocabulary, impact query)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import MissingIncident
from ..domain.vocabulary import EVIDENCE_SOURCES, RECORD_FIELD_OF_ANSWER
from .schema import (
    ActionItem,
    ActionItemLink,
    Conversation,
    Customer,
    FollowUp,
    Incident,
    IncidentContact,
    Message,
    Quote,
    ReviewAnswer,
    ReviewAnswerQuote,
    SystemEvent,
    Tag,
    TagAssignment,
    WorkspaceSetting,
)

# Rows come back as plain result rows (list[Any]): read by name or unpacked, never mapped objects.


def incident_row(session: Session, incident_id: int) -> Any:
    """The incident's own fields the report shows, as a row read by name; MissingIncident when there is none."""
    row = session.execute(
        select(Incident.id, Incident.title, Incident.service, Incident.status, Incident.technical_severity,
               Incident.customer_severity, Incident.customer_severity_suggested, Incident.customer_severity_reason,
               Incident.technical_start, Incident.technical_end, Incident.status_page_resolved,
               Incident.customer_damage, Incident.most_broken_task, Incident.first_workaround, Incident.trust_signals,
               Incident.trust_signals_none_seen, Incident.customer_message_decision, Incident.review_start,
               Incident.review_end)
        .where(Incident.id == incident_id)).one_or_none()
    if row is None:
        raise MissingIncident(incident_id)
    return row


def setting(session: Session, key: str) -> str | None:
    row = session.get(WorkspaceSetting, key)
    return row.value if row is not None else None


def follow_up_times(session: Session, incident_id: int) -> tuple[datetime | None, datetime | None]:
    """(scheduled, done) of the incident's follow-up check."""
    follow = session.scalar(select(FollowUp).where(FollowUp.incident_id == incident_id))
    return (follow.scheduled_at, follow.done_at) if follow is not None else (None, None)


def review_answers(session: Session, incident_id: int) -> dict[str, str]:
    """{question key: answer} of the review questions answered so far: the one read of the answers' text.

    An answer that is also a close-out fact (RECORD_FIELD_OF_ANSWER) is read from that field, where it is stored.
    """
    answers = {a.question: a.answer for a in session.scalars(
        select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id))}
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise MissingIncident(incident_id)
    for question, field in RECORD_FIELD_OF_ANSWER.items():
        answers[question] = getattr(incident, field) or ""
    return answers


def tags(session: Session) -> list[Any]:
    """(id, name, color, position) of every tag, in board order."""
    return list(session.execute(select(Tag.id, Tag.name, Tag.color, Tag.position).order_by(Tag.position, Tag.id)))


def evidence_quote_tag_ids(session: Session, incident_id: int) -> dict[int, list[int]]:
    """{quote id: tag ids a person gave it} of the incident: the evidence domain/harm_count counts."""
    quote_tags: dict[int, list[int]] = defaultdict(list)
    for tag_id, quote_id in session.execute(
            select(TagAssignment.tag_id, TagAssignment.quote_id)
            .join(Quote, Quote.id == TagAssignment.quote_id)
            .join(Conversation, Conversation.id == Quote.conversation_id)
            .where(Conversation.incident_id == incident_id, TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if quote_id is not None:  # always, by the join; said for the type checker
            quote_tags[quote_id].append(tag_id)
    return quote_tags


def cited_quote_ids(session: Session, incident_id: int) -> set[int]:
    """Quotes a review answer or an action item points at: judged important by a person."""
    cited = set(session.scalars(select(ReviewAnswerQuote.quote_id).join(
        ReviewAnswer, ReviewAnswer.id == ReviewAnswerQuote.review_answer_id)
        .where(ReviewAnswer.incident_id == incident_id)))
    cited |= {q for q in session.scalars(select(ActionItemLink.quote_id).join(
        ActionItem, ActionItem.id == ActionItemLink.action_item_id)
        .where(ActionItem.incident_id == incident_id, ActionItemLink.quote_id.is_not(None))) if q is not None}
    return cited


def quote_rows(session: Session, incident_id: int) -> list[Any]:
    """(id, text, author, at, role, channel, external_id, conversation first_at, pre_existing, customer name,
    organization, segment, message id: None for a whole-conversation card) of every quote of the incident,
    in time order."""
    return list(session.execute(
        select(Quote.id, Quote.text, Message.author, Message.at, Message.role, Conversation.channel,
               Conversation.external_id, Conversation.first_at, Conversation.pre_existing, Customer.name,
               Customer.organization, Customer.segment, Quote.message_id)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .outerjoin(Message, Message.id == Quote.message_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.incident_id == incident_id)
        .order_by(func.coalesce(Message.at, Conversation.first_at), Quote.id)))


def action_rows(session: Session, incident_id: int) -> list[Any]:
    """(area, description, owner, due_date, status) by due date, undated last."""
    return list(session.execute(
        select(ActionItem.area, ActionItem.description, ActionItem.owner, ActionItem.due_date, ActionItem.status)
        .where(ActionItem.incident_id == incident_id)
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)))


def contact_rows(session: Session, incident_id: int) -> list[Any]:
    """(name, organization, email, phone, segment, reason, contacted, contacted_on), not yet contacted first."""
    return list(session.execute(
        select(Customer.name, Customer.organization, Customer.email, Customer.phone, Customer.segment,
               IncidentContact.reason, IncidentContact.contacted, IncidentContact.contacted_on)
        .join(Customer, Customer.id == IncidentContact.customer_id)
        .where(IncidentContact.incident_id == incident_id).order_by(IncidentContact.contacted, Customer.name)))


def system_event_rows(session: Session, incident_id: int) -> list[Any]:
    """(at, kind, title) of the incident's system events in time order."""
    return list(session.execute(select(SystemEvent.at, SystemEvent.kind, SystemEvent.title)
                                .where(SystemEvent.incident_id == incident_id).order_by(SystemEvent.at)))


def conversation_tag_counts(session: Session, incident_id: int) -> dict[int, dict[int, int]]:
    """{conversation id: {tag id: evidence count}} over quote and message tags."""
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for link in (Quote, Message):
        tagged = session.execute(
            select(link.conversation_id, TagAssignment.tag_id, func.count())
            .join(link, (link.id == (TagAssignment.quote_id if link is Quote else TagAssignment.message_id)))
            .join(Conversation, Conversation.id == link.conversation_id)
            .where(Conversation.incident_id == incident_id, TagAssignment.source.in_(EVIDENCE_SOURCES))
            .group_by(link.conversation_id, TagAssignment.tag_id))
        for conv_id, tag_id, count in tagged:
            counts[conv_id][tag_id] += count
    return counts


def conversation_rows(session: Session, incident_id: int) -> list[Any]:
    """(id, channel, first_at, last_at, pre_existing, segment, customer_task) of dated conversations, in order."""
    return list(session.execute(
        select(Conversation.id, Conversation.channel, Conversation.first_at, Conversation.last_at,
               Conversation.pre_existing, Customer.segment, Conversation.customer_task)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.incident_id == incident_id, Conversation.first_at.is_not(None))
        .order_by(Conversation.first_at)))


def customer_first_contacts(session: Session, incident_id: int) -> dict[int, Any]:
    """{customer id: first conversation time (may be text: an aggregate)} of this incident's customers."""
    rows = session.execute(
        select(Conversation.customer_id, func.min(Conversation.first_at))
        .where(Conversation.incident_id == incident_id, Conversation.customer_id.is_not(None))
        .group_by(Conversation.customer_id))
    return {customer_id: first for customer_id, first in rows if customer_id is not None}


def contact_customer_ids(session: Session, incident_id: int) -> set[int]:
    return set(session.scalars(select(IncidentContact.customer_id).where(IncidentContact.incident_id == incident_id)))


def customers(session: Session) -> list[Any]:
    """(id, name, organization) of every customer of the workspace."""
    return list(session.execute(select(Customer.id, Customer.name, Customer.organization)))
