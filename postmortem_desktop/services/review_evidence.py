"""What the review's parts read alike: which conversations count, customers' own words, accepted tags."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select, true
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


def _customers_own_words(incident_id: int, phrases: ColumnElement[bool]) -> ColumnElement[bool]:
    """A customer's own message in one of the incident's related conversations that uses one of the phrases."""
    return and_(related_conversations(incident_id), Conversation.customer_id.is_not(None), Message.role == "customer",
                phrases)


def customers_using(session: Session, incident_id: int, groups: Mapping[str, Iterable[str]]) -> dict[int, list[str]]:
    """{customer id: the names of the groups (in the order given) whose phrases the customer's own messages use}.

    One pass over the incident's messages for every group (LIKE cannot use an index: each pass reads them all,
    a second or more at 100k conversations), grouped by customer so no row per conversation comes back. Each
    phrase is tried once a message, in its group's flag; a filter on any phrase as well would try them twice."""
    filters = {name: _phrase_filter(phrases) for name, phrases in groups.items()}
    used = [func.max(case((matches, 1), else_=0)) for matches in filters.values()]
    query = (select(Conversation.customer_id, *used).join(Message, Message.conversation_id == Conversation.id)
             .where(_customers_own_words(incident_id, true())).group_by(Conversation.customer_id)
             .having(or_(*(flag > 0 for flag in used))))
    return {customer: [name for name, hit in zip(filters, hits, strict=True) if hit]
            for customer, *hits in session.execute(query)}


def count_conversations_with(session: Session, incident_id: int, phrases: Iterable[str]) -> int:
    """How many conversations have a customer's own message using one of the phrases."""
    query = (select(func.count(distinct(Conversation.id))).join(Message, Message.conversation_id == Conversation.id)
             .where(_customers_own_words(incident_id, _phrase_filter(phrases))))
    return session.scalar(query) or 0


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
