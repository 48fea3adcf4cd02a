"""What the review's parts read alike: which conversations count, customers' own words, accepted tags."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import EVIDENCE_SOURCES
from ..storage.impact_query import incident_related
from ..storage.schema import Conversation, Incident, Message, Quote, Tag, TagAssignment

REVIEW_CHANGES = DataChange.REVIEW
# Phrases in customers' own messages; LIKE in SQLite ignores ASCII case.
MONEY_PHRASES = ("charged twice", "double charge", "paid twice", "charged again", "duplicate charge",
                 "refund", "overcharg", "payroll", "late fee", "charged me")


def related_conversations(incident_id: int) -> ColumnElement[bool]:
    """Conversations that count as incident damage (the one definition: storage.impact_query)."""
    return incident_related(incident_id)


def _phrase_filter(phrases: Iterable[str]) -> ColumnElement[bool]:
    return or_(*[Message.text.like(f"%{p}%") for p in phrases])


def conversations_with(session: Session, incident_id: int, phrases: Iterable[str]) -> dict[int, int]:
    """{conversation id: customer id} where a customer's own message uses one of the phrases."""
    query = (select(Conversation.id, Conversation.customer_id).join(Message, Message.conversation_id == Conversation.id)
             .where(related_conversations(incident_id), Message.role == "customer", _phrase_filter(phrases)).distinct())
    return {cid: customer for cid, customer in session.execute(query) if customer is not None}


def tag_counts(session: Session, incident_id: int) -> dict[str, int]:
    """Evidence quotes per tag (suggestions do not count until a person accepts them)."""
    query = (select(Tag.name, func.count(distinct(TagAssignment.quote_id)))
             .join(TagAssignment, TagAssignment.tag_id == Tag.id)
             .join(Quote, Quote.id == TagAssignment.quote_id)
             .join(Conversation, Conversation.id == Quote.conversation_id)
             .where(related_conversations(incident_id), TagAssignment.source.in_(EVIDENCE_SOURCES)).group_by(Tag.name))
    return dict(session.execute(query).all())


def tagged_customers(session: Session, incident_id: int, tag_names: Iterable[str]) -> list[tuple[int, str]]:
    query = (select(Conversation.customer_id, Tag.name)
             .join(Quote, Quote.conversation_id == Conversation.id)
             .join(TagAssignment, TagAssignment.quote_id == Quote.id)
             .join(Tag, Tag.id == TagAssignment.tag_id)
             .where(related_conversations(incident_id), Conversation.customer_id.is_not(None),
                    Tag.name.in_(list(tag_names)), TagAssignment.source.in_(EVIDENCE_SOURCES)).distinct())
    return [(customer, tag) for customer, tag in session.execute(query) if customer is not None]


def incident_row(session: Session, incident_id: int) -> Incident:
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise MissingIncident(incident_id)
    return inc
