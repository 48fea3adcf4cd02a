"""What the review's parts read alike: which conversations count, customers' own words, accepted tags."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import EVIDENCE_SOURCES
from ..storage.impact_query import incident_related
from ..storage.phrase_match import MessageWords, message_words
from ..storage.schema import Conversation, Incident, Message, Quote, Tag, TagAssignment

REVIEW_CHANGES = DataChange.REVIEW
# Phrases in customers' own words, found as storage.phrase_match says (any case of A-Z, alike on both engines).
MONEY_PHRASES = ("charged twice", "double charge", "paid twice", "charged again", "duplicate charge",
                 "refund", "overcharg", "payroll", "late fee", "charged me")


def related_conversations(incident_id: int) -> ColumnElement[bool]:
    """Conversations that count as incident damage (the one definition: storage.impact_query)."""
    return incident_related(incident_id)


def _words(session: Session) -> MessageWords:
    """Messages' words as phrases are looked for in them on this workspace's engine."""
    return message_words(session.get_bind().dialect.name == "postgresql")


def _customer_conversations(incident_id: int) -> ColumnElement[bool]:
    """The incident's related conversations that have a customer (whose own words count)."""
    return and_(related_conversations(incident_id), Conversation.customer_id.is_not(None))


def customers_using(session: Session, incident_id: int, groups: Mapping[str, Iterable[str]]) -> dict[int, list[str]]:
    """{customer id: the names of the groups (in the order given) whose phrases the customer's own messages use}.

    One pass over the incident's customer messages (no index can find a phrase inside a word: every message is
    read), each phrase tried once a message in its group's flag; grouped by customer, so no row per conversation
    comes back. The customers without a flag are left out around the grouping, not by a HAVING repeating the
    flags (which SQLite, given the phrases as fresh parameters, tried a second time)."""
    names, words = list(groups), _words(session)
    flags = [func.max(case((words.uses_any(groups[name]), 1), else_=0)).label(f"group_{n}")
             for n, name in enumerate(names)]
    grouped = (words.joined(select(Conversation.customer_id.label("customer"), *flags).select_from(Conversation)
                            .join(Message, Message.conversation_id == Conversation.id))
               .where(_customer_conversations(incident_id), Message.role == "customer")
               .group_by(Conversation.customer_id).subquery())
    used = [grouped.c[f"group_{n}"] for n in range(len(names))]
    found = select(grouped.c.customer, *used).where(or_(*(flag > 0 for flag in used)))
    return {customer: [name for name, hit in zip(names, hits, strict=True) if hit]
            for customer, *hits in session.execute(found)}


def count_conversations_with(session: Session, incident_id: int, phrases: Iterable[str]) -> int:
    """How many conversations have a customer's own message using one of the phrases.

    Asked as "conversations where such a message exists", not as distinct conversations over the joined
    messages: so PostgreSQL reads the messages in parallel (120k conversations: 205 ms, not 310 ms)."""
    words = _words(session)
    uses = words.joined(select(Message.id).where(Message.conversation_id == Conversation.id,
                                                 Message.role == "customer", words.uses_any(phrases))).exists()
    return session.scalar(select(func.count()).select_from(Conversation)
                          .where(_customer_conversations(incident_id), uses)) or 0


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
