"""Gathers one incident's report content from the workspace tables into plain, redactable dataclasses."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import timing
from ..domain.errors import MissingIncident
from ..domain.vocabulary import REVIEW_QUESTIONS
from ..storage.impact_query import customer_event_bounds
from ..storage.schema import (
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
from ..storage.workspace import Workspace
from . import redaction_terms

EVIDENCE_SOURCES = ("manual", "accepted")  # a suggestion is not evidence until a person accepts it
AREA_ORDER = ("support", "product", "engineering", "operations")
WORDING_TAGS = frozenset({"calming-wording", "worsening-wording"})


class ReportDataError(Exception):
    """The incident to report on does not exist."""


@dataclass(frozen=True)
class QuoteRow:
    id: int
    text: str
    tags: tuple[str, ...]
    customer: str
    organization: str
    segment: str
    author: str
    channel: str
    external_id: str
    at: datetime | None
    pre_existing: bool  # old product confusion, kept apart from this incident's damage
    score: float  # how strongly it speaks for its tags; the PDF picks the highest


@dataclass(frozen=True)
class TagCount:
    name: str
    color: int
    count: int


@dataclass(frozen=True)
class ActionRow:
    area: str
    description: str
    owner: str
    due_date: date | None
    status: str


@dataclass(frozen=True)
class ContactRow:
    customer: str
    organization: str
    email: str
    phone: str
    segment: str
    reason: str
    contacted: bool
    contacted_on: date | None


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str


@dataclass(frozen=True)
class SystemEventRow:
    at: datetime
    kind: str
    title: str


@dataclass(frozen=True)
class ConversationSpan:
    """One conversation on the customer lane: its channel and first/last message times."""

    channel: str
    first_at: datetime
    last_at: datetime
    pre_existing: bool
    id: int = 0
    segment: str = ""
    task: str = ""
    dominant_tag: str = ""  # the harm tag it shows most (agent-wording tags only when nothing else)


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    missing: str = ""


@dataclass(frozen=True)
class ReportData:
    incident_id: int
    title: str
    service: str
    status: str
    technical_severity: str
    customer_severity: str
    customer_severity_suggested: str
    customer_severity_reason: str
    technical: timing.Window | None
    customer: timing.Window | None
    status_page_resolved: datetime | None
    headline: str
    zone_name: str
    customer_damage: str
    most_broken_task: str
    first_workaround: str
    trust_signals: str
    trust_signals_none_seen: bool
    customer_message_decision: str
    answers: tuple[AnswerRow, ...]
    tag_counts: tuple[TagCount, ...]
    quotes: tuple[QuoteRow, ...]
    actions: tuple[ActionRow, ...]
    contacts: tuple[ContactRow, ...]
    system_events: tuple[SystemEventRow, ...]
    conversations: tuple[ConversationSpan, ...]
    follow_up_at: datetime | None
    follow_up_done_at: datetime | None
    #: None when the close-out checklist module is not part of this build: the section is left out
    checklist: tuple[ChecklistItem, ...] | None
    #: every customer name the workspace knows, this incident's customers first, for redaction aliases
    known_customers: tuple[tuple[str, str], ...] = field(default=())
    #: terms a person chose to mask in the redaction preview (names, ids the detector does not know)
    extra_terms: tuple[str, ...] = field(default=())
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    redacted: bool = False


def _utc(value):  # noqa: ANN001, ANN202
    # Aggregates bypass the column type, so SQLite hands back text.
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return timing.as_utc(value)


def _impact_bounds(session: Session, incident_id: int) -> tuple[datetime | None, datetime | None]:
    """First and last incident-related customer event: the rule the incident list and timeline use."""
    return customer_event_bounds(session, [incident_id]).get(incident_id, (None, None))


def gather(workspace: Workspace, incident_id: int) -> ReportData:
    """Everything the PDF and XLSX show for one incident, read in one transaction."""
    with workspace.reading() as session:
        inc = session.get(Incident, incident_id)
        if inc is None:
            raise MissingIncident(incident_id)
        zone = session.get(WorkspaceSetting, "display_timezone")
        first, last = _impact_bounds(session, incident_id)
        technical = timing.technical_window(inc.technical_start, inc.technical_end)
        customer = timing.customer_impact_window([first, last])
        answers = _answers(session, incident_id)
        quotes, tag_counts = _quotes_and_tags(session, incident_id)
        follow = session.scalar(select(FollowUp).where(FollowUp.incident_id == incident_id))
        actions = _actions(session, incident_id)
        return ReportData(
            incident_id=inc.id, title=inc.title, service=inc.service, status=inc.status,
            technical_severity=inc.technical_severity, customer_severity=inc.customer_severity,
            customer_severity_suggested=inc.customer_severity_suggested,
            customer_severity_reason=inc.customer_severity_reason,
            technical=technical, customer=customer, status_page_resolved=inc.status_page_resolved,
            headline=timing.headline(technical, customer, inc.status_page_resolved),
            zone_name=zone.value if zone is not None and zone.value else "UTC",
            customer_damage=inc.customer_damage, most_broken_task=inc.most_broken_task,
            first_workaround=inc.first_workaround, trust_signals=inc.trust_signals,
            trust_signals_none_seen=inc.trust_signals_none_seen,
            customer_message_decision=inc.customer_message_decision,
            answers=answers, tag_counts=tag_counts, quotes=quotes,
            actions=actions, contacts=_contacts(session, incident_id),
            system_events=tuple(SystemEventRow(e.at, e.kind, e.title) for e in session.scalars(
                select(SystemEvent).where(SystemEvent.incident_id == incident_id).order_by(SystemEvent.at))),
            conversations=_conversation_spans(session, incident_id),
            follow_up_at=follow.scheduled_at if follow else None,
            follow_up_done_at=follow.done_at if follow else None,
            checklist=_checklist(session, inc, follow, first is not None, actions),
            known_customers=_known_customers(session, incident_id),
            extra_terms=_extra_terms(session),
        )


def _answers(session: Session, incident_id: int) -> tuple[AnswerRow, ...]:
    stored = {a.question: a.answer for a in session.scalars(
        select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id))}
    return tuple(AnswerRow(key, question, stored.get(key, "")) for key, question in REVIEW_QUESTIONS)


def _quotes_and_tags(session: Session, incident_id: int) -> tuple[tuple[QuoteRow, ...], tuple[TagCount, ...]]:
    tags = {t.id: t for t in session.scalars(select(Tag).order_by(Tag.position, Tag.id))}
    quote_tags: dict[int, list[int]] = defaultdict(list)
    message_tags: dict[int, list[int]] = defaultdict(list)
    # Two plain joins rather than one OR-join: SQLite can use the indexes on each.
    for tag_id, quote_id in session.execute(
            select(TagAssignment.tag_id, TagAssignment.quote_id)
            .join(Quote, Quote.id == TagAssignment.quote_id)
            .join(Conversation, Conversation.id == Quote.conversation_id)
            .where(Conversation.incident_id == incident_id, TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if quote_id is not None:  # always, by the join; said for the type checker
            quote_tags[quote_id].append(tag_id)
    for tag_id, message_id in session.execute(
            select(TagAssignment.tag_id, TagAssignment.message_id)
            .join(Message, Message.id == TagAssignment.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.incident_id == incident_id, TagAssignment.quote_id.is_(None),
                   TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if message_id is not None:  # always, by the join
            message_tags[message_id].append(tag_id)
    # Quotes that a review answer or an action item points at were judged important by a person.
    cited = set(session.scalars(select(ReviewAnswerQuote.quote_id).join(
        ReviewAnswer, ReviewAnswer.id == ReviewAnswerQuote.review_answer_id)
        .where(ReviewAnswer.incident_id == incident_id)))
    cited |= set(session.scalars(select(ActionItemLink.quote_id).join(
        ActionItem, ActionItem.id == ActionItemLink.action_item_id)
        .where(ActionItem.incident_id == incident_id, ActionItemLink.quote_id.is_not(None))))
    rows = session.execute(
        select(Quote.id, Quote.text, Message.author, Message.at, Message.role, Conversation.channel,
               Conversation.external_id, Conversation.first_at, Conversation.pre_existing, Customer.name,
               Customer.organization, Customer.segment)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .outerjoin(Message, Message.id == Quote.message_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.incident_id == incident_id)
        .order_by(func.coalesce(Message.at, Conversation.first_at), Quote.id))
    quotes = []
    counts: dict[int, int] = defaultdict(int)
    for (qid, text, author, at, role, channel, external_id, conv_first, pre, name, org, segment) in rows:
        tag_ids = list(dict.fromkeys(quote_tags.get(qid, [])))
        for tag_id in tag_ids:
            counts[tag_id] += 1
        quotes.append(QuoteRow(
            id=qid, text=text, tags=tuple(tags[t].name for t in tag_ids if t in tags),
            customer=name or "", organization=org or "", segment=segment or "", author=author or "",
            channel=channel, external_id=external_id or "", at=_utc(at or conv_first), pre_existing=bool(pre),
            score=_strength(text, len(tag_ids), qid in cited, role),
        ))
    for tag_ids in message_tags.values():
        for tag_id in set(tag_ids):
            counts[tag_id] += 1
    tag_counts = tuple(TagCount(t.name, t.color, counts.get(t.id, 0)) for t in tags.values())
    return tuple(quotes), tag_counts


def _strength(text: str, tag_count: int, cited: bool, role: str | None) -> float:
    """A rough ranking: cited by a person, customer's own words, several harms, a readable length."""
    length = len(text)
    readable = 1.0 if 40 <= length <= 280 else 0.5 if length < 40 else 0.7
    return (3.0 if cited else 0.0) + (1.0 if role in (None, "customer") else 0.0) + 0.5 * tag_count + readable


def _actions(session: Session, incident_id: int) -> tuple[ActionRow, ...]:
    items = session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)
                            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id))
    rows = [ActionRow(a.area, a.description, a.owner, a.due_date, a.status) for a in items]
    order = {area: i for i, area in enumerate(AREA_ORDER)}
    return tuple(sorted(rows, key=lambda r: order.get(r.area, len(order))))


def _contacts(session: Session, incident_id: int) -> tuple[ContactRow, ...]:
    rows = session.execute(
        select(IncidentContact, Customer).join(Customer, Customer.id == IncidentContact.customer_id)
        .where(IncidentContact.incident_id == incident_id).order_by(IncidentContact.contacted, Customer.name))
    return tuple(ContactRow(c.name, c.organization, c.email, c.phone, c.segment, ic.reason, ic.contacted,
                            ic.contacted_on) for ic, c in rows)


def _conversation_spans(session: Session, incident_id: int) -> tuple[ConversationSpan, ...]:
    tags = {t.id: t for t in session.scalars(select(Tag))}
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

    def dominant(conv_id: int) -> str:
        ranked = sorted(counts.get(conv_id, {}).items(), key=lambda kv: (
            tags[kv[0]].name in WORDING_TAGS, -kv[1], tags[kv[0]].position))
        return tags[ranked[0][0]].name if ranked else ""

    rows = session.execute(
        select(Conversation.id, Conversation.channel, Conversation.first_at, Conversation.last_at,
               Conversation.pre_existing, Customer.segment, Conversation.customer_task)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.incident_id == incident_id, Conversation.first_at.is_not(None))
        .order_by(Conversation.first_at))
    return tuple(ConversationSpan(ch, first, last or first, bool(pre), cid, segment or "", task or "", dominant(cid))
                 for cid, ch, first, last, pre, segment, task in rows
                 if first is not None)  # always, by the query; said for the type checker


def _extra_terms(session: Session) -> tuple[str, ...]:
    row = session.get(WorkspaceSetting, redaction_terms.SETTING_KEY)
    return redaction_terms.parse(row.value if row is not None else None)


def _known_customers(session: Session, incident_id: int) -> tuple[tuple[str, str], ...]:
    """(name, organization) of every customer, this incident's in order of first contact, then the rest."""
    first_seen = dict(session.execute(
        select(Conversation.customer_id, func.min(Conversation.first_at))
        .where(Conversation.incident_id == incident_id, Conversation.customer_id.is_not(None))
        .group_by(Conversation.customer_id)).all())
    contacts = set(session.scalars(select(IncidentContact.customer_id)
                                   .where(IncidentContact.incident_id == incident_id)))
    customers = session.execute(select(Customer.id, Customer.name, Customer.organization)).all()
    far = datetime.max

    def order(row):  # noqa: ANN001, ANN202
        seen = first_seen.get(row.id)
        rank = 0 if seen is not None else 1 if row.id in contacts else 2
        return rank, _utc(seen).replace(tzinfo=None) if seen is not None else far, row.id

    return tuple((row.name or "", row.organization or "") for row in sorted(customers, key=order))


def _checklist(session: Session, inc: Incident, follow: FollowUp | None, has_impact: bool,
               actions: tuple[ActionRow, ...]) -> tuple[ChecklistItem, ...] | None:
    """The close-out checklist state, when the module that defines the rules is part of this build."""
    try:
        from ..domain import checklist
    except ImportError:  # the close-out rules have not landed: the section is left out
        return None
    record = checklist.CloseoutRecord(
        customer_damage=inc.customer_damage, service=inc.service, most_broken_task=inc.most_broken_task,
        first_workaround=inc.first_workaround, trust_signals=inc.trust_signals,
        trust_signals_none_seen=bool(inc.trust_signals_none_seen),
        action_items=tuple(checklist.ActionItemFacts(a.area, a.owner, a.due_date) for a in actions),
        has_customer_impact_window=has_impact, contact_list_reviewed=bool(inc.contact_list_reviewed),
        customer_message_decision=inc.customer_message_decision or "",
        customer_message_reason=inc.customer_message_reason or "",
        # Without a recorded review date the review is taken to be today, as the close-out panel does.
        review_date=follow.review_held_on if follow and follow.review_held_on else datetime.now(UTC).date(),
        follow_up_on=follow.scheduled_at.date() if follow and follow.scheduled_at else None,
    )
    return tuple(ChecklistItem(item.label, item.ok, item.missing) for item in checklist.evaluate(record))
