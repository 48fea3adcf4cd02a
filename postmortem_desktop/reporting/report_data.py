"""Gathers one incident's report content into plain, redactable dataclasses, through storage queries only.

The rows come from storage.report_query; the close-out checklist from the same record query the close-out
panel, the close command and the CLI read (storage.closeout_query), evaluated by the same domain rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..domain import checklist, timing
from ..domain.harm_count import HarmCount, count_harm
from ..domain.vocabulary import REVIEW_QUESTIONS, dominant_tag_rank
from ..storage import report_query
from ..storage.closeout_query import load_closeout_record
from ..storage.decisions import SEVERITY_DECISIONS, who_decided
from ..storage.impact_query import customer_event_bounds
from ..storage.workspace import Workspace
from . import redaction_terms

AREA_ORDER = ("support", "product", "engineering", "operations")


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
    whole_conversation: bool = False  # a card for a whole conversation rather than words a person highlighted


@dataclass(frozen=True)
class TagCount:
    name: str
    color: int
    count: int  # this incident's quotes with the tag (domain/harm_count's rule, the board's column count)
    pre_existing: int = 0  # old confusion's quotes with it, counted apart


@dataclass(frozen=True)
class ActionRow:
    area: str
    description: str
    owner: str
    due_date: date | None
    status: str


@dataclass(frozen=True)
class ReportContact:
    """A customer on the incident's contact list, as the report shows it."""

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
class ReportChecklistItem:
    """One close-out checklist line as printed: evaluated by domain.checklist from the shared close-out record."""

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
    contacts: tuple[ReportContact, ...]
    system_events: tuple[SystemEventRow, ...]
    conversations: tuple[ConversationSpan, ...]
    follow_up_at: datetime | None
    follow_up_done_at: datetime | None
    #: None when the close-out checklist module is not part of this build: the section is left out
    checklist: tuple[ReportChecklistItem, ...] | None
    #: every customer name the workspace knows, this incident's customers first, for redaction aliases
    known_customers: tuple[tuple[str, str], ...] = field(default=())
    #: terms a person chose to mask in the redaction preview (names, ids the detector does not know)
    extra_terms: tuple[str, ...] = field(default=())
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    redacted: bool = False
    #: the review window: the timeline counts a conversation wholly outside it apart, as the screen does
    review_start: datetime | None = None
    review_end: datetime | None = None
    #: who decided the customer severity, from the incident's history ("" on a file, or when it names no one)
    severity_decided_by: str = ""


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
        inc = report_query.incident_row(session, incident_id)
        zone = report_query.setting(session, "display_timezone")
        first, last = _impact_bounds(session, incident_id)
        technical = timing.technical_window(inc.technical_start, inc.technical_end)
        customer = timing.customer_impact_window([first, last])
        tags = {t.id: t for t in report_query.tags(session)}
        quotes, tag_counts = _quotes_and_tags(session, incident_id, tags)
        follow_up_at, follow_up_done_at = report_query.follow_up_times(session, incident_id)
        return ReportData(
            incident_id=inc.id, title=inc.title, service=inc.service, status=inc.status,
            technical_severity=inc.technical_severity, customer_severity=inc.customer_severity,
            customer_severity_suggested=inc.customer_severity_suggested,
            customer_severity_reason=inc.customer_severity_reason,
            severity_decided_by=who_decided(session, incident_id, SEVERITY_DECISIONS) if inc.customer_severity else "",
            technical=technical, customer=customer, status_page_resolved=inc.status_page_resolved,
            headline=timing.headline(technical, customer, inc.status_page_resolved),
            zone_name=zone or "UTC", review_start=_utc(inc.review_start), review_end=_utc(inc.review_end),
            customer_damage=inc.customer_damage, most_broken_task=inc.most_broken_task,
            first_workaround=inc.first_workaround, trust_signals=inc.trust_signals,
            trust_signals_none_seen=inc.trust_signals_none_seen,
            customer_message_decision=inc.customer_message_decision,
            answers=_answers(session, incident_id), tag_counts=tag_counts, quotes=quotes,
            actions=_actions(session, incident_id),
            contacts=tuple(ReportContact(*row) for row in report_query.contact_rows(session, incident_id)),
            system_events=tuple(SystemEventRow(*row) for row in report_query.system_event_rows(session, incident_id)),
            conversations=_conversation_spans(session, incident_id, tags),
            follow_up_at=follow_up_at, follow_up_done_at=follow_up_done_at,
            checklist=closeout_checklist(session, incident_id),
            known_customers=_known_customers(session, incident_id),
            extra_terms=redaction_terms.parse(report_query.setting(session, redaction_terms.SETTING_KEY)),
        )


def closeout_checklist(session: Session, incident_id: int) -> tuple[ReportChecklistItem, ...]:
    """The close-out checklist as the panel, the close command and the CLI see it: the same record, the same rules."""
    return tuple(ReportChecklistItem(item.label, item.ok, item.missing)
                 for item in checklist.evaluate(load_closeout_record(session, incident_id)))


def _answers(session: Session, incident_id: int) -> tuple[AnswerRow, ...]:
    stored = report_query.review_answers(session, incident_id)
    return tuple(AnswerRow(key, question, stored.get(key, "")) for key, question in REVIEW_QUESTIONS)


def _quotes_and_tags(session: Session, incident_id: int, tags: dict[int, Any]
                     ) -> tuple[tuple[QuoteRow, ...], tuple[TagCount, ...]]:
    quote_tags = report_query.evidence_quote_tag_ids(session, incident_id)
    cited = report_query.cited_quote_ids(session, incident_id)
    quotes = []
    evidence: list[tuple[list[int], bool]] = []
    for (qid, text, author, at, role, channel, external_id, conv_first, pre, name, org, segment, message_id) in (
            report_query.quote_rows(session, incident_id)):
        tag_ids = list(dict.fromkeys(quote_tags.get(qid, [])))
        evidence.append((tag_ids, bool(pre)))
        quotes.append(QuoteRow(
            id=qid, text=text, tags=tuple(tags[t].name for t in tag_ids if t in tags),
            customer=name or "", organization=org or "", segment=segment or "", author=author or "",
            channel=channel, external_id=external_id or "", at=_utc(at or conv_first), pre_existing=bool(pre),
            score=_strength(text, len(tag_ids), qid in cited, role), whole_conversation=message_id is None,
        ))
    counts = count_harm(evidence)
    tag_counts = tuple(TagCount(t.name, t.color, counts.get(t.id, HarmCount()).incident,
                                counts.get(t.id, HarmCount()).pre_existing) for t in tags.values())
    return tuple(quotes), tag_counts


def _strength(text: str, tag_count: int, cited: bool, role: str | None) -> float:
    """A rough ranking: cited by a person, customer's own words, several harms, a readable length."""
    length = len(text)
    readable = 1.0 if 40 <= length <= 280 else 0.5 if length < 40 else 0.7
    return (3.0 if cited else 0.0) + (1.0 if role in (None, "customer") else 0.0) + 0.5 * tag_count + readable


def _actions(session: Session, incident_id: int) -> tuple[ActionRow, ...]:
    rows = [ActionRow(*row) for row in report_query.action_rows(session, incident_id)]
    order = {area: i for i, area in enumerate(AREA_ORDER)}
    return tuple(sorted(rows, key=lambda r: order.get(r.area, len(order))))


def _conversation_spans(session: Session, incident_id: int, tags: dict[int, Any]) -> tuple[ConversationSpan, ...]:
    counts = report_query.conversation_tag_counts(session, incident_id)

    def dominant(conv_id: int) -> str:
        ranked = sorted(counts.get(conv_id, {}).items(),
                        key=lambda kv: dominant_tag_rank(tags[kv[0]].name, kv[1], tags[kv[0]].position))
        return tags[ranked[0][0]].name if ranked else ""

    return tuple(ConversationSpan(ch, first, last or first, bool(pre), cid, segment or "", task or "", dominant(cid))
                 for cid, ch, first, last, pre, segment, task in report_query.conversation_rows(session, incident_id)
                 if first is not None)  # always, by the query; said for the type checker


def _known_customers(session: Session, incident_id: int) -> tuple[tuple[str, str], ...]:
    """(name, organization) of every customer, this incident's in order of first contact, then the rest."""
    first_seen = report_query.customer_first_contacts(session, incident_id)
    contacts = report_query.contact_customer_ids(session, incident_id)
    far = datetime.max

    def order(row: Any) -> tuple[int, datetime, int]:
        seen = first_seen.get(row.id)
        rank = 0 if seen is not None else 1 if row.id in contacts else 2
        return rank, _utc(seen).replace(tzinfo=None) if seen is not None else far, row.id

    customers: Sequence[Any] = report_query.customers(session)
    return tuple((row.name or "", row.organization or "") for row in sorted(customers, key=order))
