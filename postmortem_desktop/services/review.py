"""Review use cases: the five answers with quotes, customer severity, contact list, customer message."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from ..domain import severity, timing
from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import REVIEW_QUESTIONS, SEVERITIES, TagSource
from ..reporting.output_file import CSV, output_file
from ..storage.schema import (
    ActionItem,
    Conversation,
    Customer,
    Incident,
    IncidentContact,
    IncidentHistory,
    Message,
    Quote,
    ReviewAnswer,
    ReviewAnswerQuote,
    Tag,
    TagAssignment,
)
from ..storage.workspace import Workspace
from .commands import Command, Edit, RuleError, UpdateFields
from .incidents import IncidentService

QUESTION_KEYS = tuple(key for key, _ in REVIEW_QUESTIONS)
CLOSEOUT_FIELDS = ("customer_damage", "most_broken_task", "first_workaround", "trust_signals",
                   "trust_signals_none_seen", "contact_list_reviewed", "customer_message")
EVIDENCE_SOURCES = (TagSource.MANUAL.value, TagSource.ACCEPTED.value)
REVIEW_CHANGES = DataChange.REVIEW
CONTACT_TAGS = {"data-fear": "fears for their data", "trust-loss": "lost trust", "churn-risk": "talks of leaving"}
# Phrases in customers' own messages; LIKE in SQLite ignores ASCII case.
MONEY_PHRASES = ("charged twice", "double charge", "paid twice", "charged again", "duplicate charge",
                 "refund", "overcharg", "payroll", "late fee", "charged me")
DEADLINE_PHRASES = ("deadline", "due today", "before my meeting", "missed", "by noon", "end of day")
IGNORED_PHRASES = ("no one", "nobody", "ignored", "still waiting", "no reply", "no response", "no answer")


@dataclass(frozen=True)
class QuoteRef:
    id: int
    text: str
    customer: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ReviewAnswerView:
    key: str
    question: str
    answer: str
    quotes: tuple[QuoteRef, ...]


@dataclass(frozen=True)
class CloseoutFields:
    customer_damage: str
    most_broken_task: str
    first_workaround: str
    trust_signals: str
    trust_signals_none_seen: bool
    contact_list_reviewed: bool
    customer_message: str
    customer_message_decision: str
    customer_message_reason: str


@dataclass(frozen=True)
class SeverityState:
    suggestion: severity.SeveritySuggestion
    confirmed: str
    reason: str


@dataclass(frozen=True)
class ContactRow:
    customer_id: int
    name: str
    organization: str
    email: str
    phone: str
    segment: str
    reason: str
    suggested: bool
    contacted: bool
    contacted_on: date | None


@dataclass(frozen=True)
class ContactSuggestion:
    customer_id: int
    name: str
    organization: str
    reason: str


@dataclass(frozen=True)
class HistoryEntry:
    at: Any
    kind: str
    detail: str


def _related(incident_id: int) -> ColumnElement[bool]:
    """Conversations that count as incident damage: not old confusion, not internal chatter."""
    return and_(Conversation.incident_id == incident_id, Conversation.pre_existing.is_(False),
                Conversation.channel != "internal")


def _phrase_filter(phrases: Iterable[str]) -> ColumnElement[bool]:
    return or_(*[Message.text.like(f"%{p}%") for p in phrases])


def _conversations_with(session: Session, incident_id: int, phrases: Iterable[str]) -> dict[int, int]:
    """{conversation id: customer id} where a customer's own message uses one of the phrases."""
    query = (select(Conversation.id, Conversation.customer_id).join(Message, Message.conversation_id == Conversation.id)
             .where(_related(incident_id), Message.role == "customer", _phrase_filter(phrases)).distinct())
    return {cid: customer for cid, customer in session.execute(query) if customer is not None}


def _tag_counts(session: Session, incident_id: int) -> dict[str, int]:
    """Evidence quotes per tag (suggestions do not count until a person accepts them)."""
    query = (select(Tag.name, func.count(distinct(TagAssignment.quote_id)))
             .join(TagAssignment, TagAssignment.tag_id == Tag.id)
             .join(Quote, Quote.id == TagAssignment.quote_id)
             .join(Conversation, Conversation.id == Quote.conversation_id)
             .where(_related(incident_id), TagAssignment.source.in_(EVIDENCE_SOURCES)).group_by(Tag.name))
    return dict(session.execute(query).all())


def _tagged_customers(session: Session, incident_id: int, tag_names: Iterable[str]) -> list[tuple[int, str]]:
    query = (select(Conversation.customer_id, Tag.name)
             .join(Quote, Quote.conversation_id == Conversation.id)
             .join(TagAssignment, TagAssignment.quote_id == Quote.id)
             .join(Tag, Tag.id == TagAssignment.tag_id)
             .where(_related(incident_id), Conversation.customer_id.is_not(None), Tag.name.in_(list(tag_names)),
                    TagAssignment.source.in_(EVIDENCE_SOURCES)).distinct())
    return [(customer, tag) for customer, tag in session.execute(query) if customer is not None]


def _quote_refs(session: Session, quote_ids: list[int]) -> dict[int, QuoteRef]:
    if not quote_ids:
        return {}
    rows = session.execute(
        select(Quote.id, Quote.text, Customer.name, Customer.organization)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id).where(Quote.id.in_(quote_ids))).all()
    tags: dict[int, list[str]] = {}
    for qid, name in session.execute(
            select(TagAssignment.quote_id, Tag.name).join(Tag, Tag.id == TagAssignment.tag_id)
            .where(TagAssignment.quote_id.in_(quote_ids), TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if qid is not None:  # always, by the filter
            tags.setdefault(qid, []).append(name)
    return {qid: QuoteRef(qid, text, ", ".join(p for p in (name, org) if p), tuple(sorted(tags.get(qid, []))))
            for qid, text, name, org in rows}


class ReviewService:
    """Queries for the review screen; each call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def answers(self, incident_id: int) -> list[ReviewAnswerView]:
        with self.workspace.reading() as session:
            rows = {a.question: a for a in session.scalars(
                select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id))}
            links: dict[int, list[int]] = {}
            for answer_id, quote_id in session.execute(
                    select(ReviewAnswerQuote.review_answer_id, ReviewAnswerQuote.quote_id)
                    .where(ReviewAnswerQuote.review_answer_id.in_([a.id for a in rows.values()]))
                    .order_by(ReviewAnswerQuote.id)):
                links.setdefault(answer_id, []).append(quote_id)
            refs = _quote_refs(session, [q for ids in links.values() for q in ids])
            result = []
            for key, question in REVIEW_QUESTIONS:
                row = rows.get(key)
                quotes = tuple(refs[q] for q in links.get(row.id, []) if q in refs) if row else ()
                result.append(ReviewAnswerView(key, question, row.answer if row else "", quotes))
            return result

    def closeout_fields(self, incident_id: int) -> CloseoutFields:
        with self.workspace.reading() as session:
            inc = _incident(session, incident_id)
            return CloseoutFields(**{name: getattr(inc, name) for name in CloseoutFields.__dataclass_fields__})

    def quotes(self, quote_ids: list[int]) -> list[QuoteRef]:
        with self.workspace.reading() as session:
            refs = _quote_refs(session, list(quote_ids))
            return [refs[q] for q in quote_ids if q in refs]

    def severity_evidence(self, incident_id: int) -> severity.SeverityEvidence:
        impact = IncidentService(self.workspace).impact(incident_id)
        with self.workspace.reading() as session:
            inc = _incident(session, incident_id)
            related = _related(incident_id)
            accounts = session.scalar(select(func.count(distinct(Conversation.customer_id))).where(related)) or 0
            anonymous = session.scalar(select(func.count(Conversation.id))
                                       .where(related, Conversation.customer_id.is_(None))) or 0
            counts = _tag_counts(session, incident_id)
            money = len(_conversations_with(session, incident_id, MONEY_PHRASES))
            technical = inc.technical_severity
        return severity.SeverityEvidence(
            technical_severity=technical,
            technical_minutes=timing.minutes(impact.technical.duration) if impact.technical else None,
            customer_minutes=timing.minutes(impact.customer.duration) if impact.customer else None,
            accounts_affected=accounts + anonymous, money_mentions=money,
            risky_workarounds=counts.get("risky-workaround", 0), trust_loss=counts.get("trust-loss", 0),
            data_fear=counts.get("data-fear", 0), work_stopped=counts.get("work-stopped", 0),
            churn_risk=counts.get("churn-risk", 0))

    def severity(self, incident_id: int) -> SeverityState:
        suggestion = severity.suggest(self.severity_evidence(incident_id))
        details = IncidentService(self.workspace).get(incident_id)
        return SeverityState(suggestion, details.customer_severity, details.customer_severity_reason)

    def contacts(self, incident_id: int) -> list[ContactRow]:
        with self.workspace.reading() as session:
            rows = session.execute(
                select(IncidentContact, Customer).join(Customer, Customer.id == IncidentContact.customer_id)
                .where(IncidentContact.incident_id == incident_id).order_by(Customer.organization, Customer.name))
            return [ContactRow(c.id, c.name, c.organization, c.email, c.phone, c.segment, ic.reason,
                               ic.suggested, ic.contacted, ic.contacted_on) for ic, c in rows]

    def contact_suggestions(self, incident_id: int) -> list[ContactSuggestion]:
        """Customers to contact, from their tags and their own words; those already listed are left out."""
        with self.workspace.reading() as session:
            reasons: dict[int, list[str]] = {}

            def add(customer_id: int | None, reason: str) -> None:
                if customer_id is not None and reason not in reasons.setdefault(customer_id, []):
                    reasons[customer_id].append(reason)

            for customer_id in _conversations_with(session, incident_id, MONEY_PHRASES).values():
                add(customer_id, "lost money")
            for customer_id in _conversations_with(session, incident_id, DEADLINE_PHRASES).values():
                add(customer_id, "missed a deadline")
            for customer_id in _conversations_with(session, incident_id, IGNORED_PHRASES).values():
                add(customer_id, "thinks we ignored them")
            for customer_id, tag in _tagged_customers(session, incident_id, CONTACT_TAGS):
                add(customer_id, CONTACT_TAGS[tag])
            listed = set(session.scalars(select(IncidentContact.customer_id)
                                         .where(IncidentContact.incident_id == incident_id)))
            customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(list(reasons))))}
            result = [ContactSuggestion(cid, customers[cid].name, customers[cid].organization, "; ".join(why))
                      for cid, why in reasons.items() if cid not in listed and cid in customers]
        return sorted(result, key=lambda s: (-s.reason.count(";"), s.organization, s.name))

    def export_contacts_csv(self, incident_id: int, path: Path) -> int:
        """Writes the contact list through the one output mechanism (never over the workspace)."""
        rows = self.contacts(incident_id)
        with (output_file(path, CSV, inputs=(self.workspace.path,)) as temp,
              temp.open("w", encoding="utf-8-sig", newline="") as fh):
            writer = csv.writer(fh)
            writer.writerow(["name", "organization", "email", "phone", "segment", "reason", "suggested",
                             "contacted", "contacted_on"])
            for r in rows:
                writer.writerow([r.name, r.organization, r.email, r.phone, r.segment, r.reason,
                                 "yes" if r.suggested else "no", "yes" if r.contacted else "no",
                                 r.contacted_on.isoformat() if r.contacted_on else ""])
        return len(rows)

    def draft_message(self, incident_id: int, zone_name: str = "UTC") -> str:
        details = IncidentService(self.workspace).get(incident_id)
        impact = IncidentService(self.workspace).impact(incident_id)
        with self.workspace.reading() as session:
            inc = _incident(session, incident_id)
            fixes = [d for (d,) in session.execute(
                select(ActionItem.description).where(ActionItem.incident_id == incident_id,
                                                     ActionItem.area.in_(("product", "engineering", "support")))
                .order_by(ActionItem.area.desc(), ActionItem.due_date))][:3]
            task, workaround = inc.most_broken_task, inc.first_workaround
        return draft_customer_message(details.title, impact.technical, impact.customer, task, workaround,
                                      fixes, zone_name)

    def history(self, incident_id: int) -> list[HistoryEntry]:
        with self.workspace.reading() as session:
            return [HistoryEntry(h.at, h.kind, h.detail) for h in session.scalars(
                select(IncidentHistory).where(IncidentHistory.incident_id == incident_id)
                .order_by(IncidentHistory.at, IncidentHistory.id))]


def _when(window: timing.Window | None, zone_name: str) -> str:
    if window is None:
        return "recently"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone falls back to UTC rather than failing a draft
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    return f"on {start:%A %d %B}, from {start:%H:%M} to {end:%H:%M} ({zone_name})"


def draft_customer_message(title: str, technical: timing.Window | None, customer: timing.Window | None,
                           task: str, workaround: str, fixes: list[str], zone_name: str = "UTC") -> str:
    """A first draft of the note to affected customers: what happened, what it means, what we do."""
    parts = [f"Subject: {title} — what happened and what we are doing", "",
             f"What happened: {_when(technical, zone_name)}, {title[:1].lower() + title[1:]}. "
             "The fault was on our side, not yours."]
    meaning = "What it means for you: "
    if task.strip():
        doing = task.strip()[:1].lower() + task.strip()[1:].rstrip(".")
        meaning += f"if you were {doing}, it may not have gone through. "
    if workaround.strip():
        meaning += ("If you worked around it (for example: "
                    f"{workaround.strip()[:1].lower() + workaround.strip()[1:].rstrip('.')}), "
                    "please check for duplicates; we will put right anything that went wrong. ")
    if customer and technical and customer.end > technical.end:
        meaning += "Some effects lasted after the service recovered, so please tell us if anything still looks wrong."
    parts += ["", meaning.strip()]
    if fixes:
        parts += ["", "What we are doing:"] + [f"- {fix}" for fix in fixes]
    parts += ["", "We are sorry for the disruption. Reply to this message and a person will answer."]
    return "\n".join(parts)


def _incident(session: Session, incident_id: int) -> Incident:
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise MissingIncident(incident_id)
    return inc


# ---- commands ------------------------------------------------------------------------------------
class EditCloseoutFields(UpdateFields):
    """Edits the close-out record's own fields (damage, task, workaround, trust signals…)."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, **changes: Any):
        unknown = set(changes) - set(CLOSEOUT_FIELDS)
        if unknown:
            raise RuleError(f"These fields are not part of the close-out record: {', '.join(sorted(unknown))}.")
        label = ", ".join(k.replace("_", " ") for k in changes)
        super().__init__(Incident, incident_id, changes, name=f"Edit {label}", kind=REVIEW_CHANGES,
                         incident_id=incident_id)


@overload
def _answer_row(session: Session, incident_id: int, key: str, create: Literal[True]) -> tuple[ReviewAnswer, bool]: ...
@overload
def _answer_row(session: Session, incident_id: int, key: str, create: bool) -> tuple[ReviewAnswer | None, bool]: ...
def _answer_row(session: Session, incident_id: int, key: str, create: bool) -> tuple[ReviewAnswer | None, bool]:
    if key not in QUESTION_KEYS:
        raise RuleError(f"There is no review question “{key}”.")
    _incident(session, incident_id)
    row = session.scalar(select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id,
                                                    ReviewAnswer.question == key))
    if row is None and create:
        row = ReviewAnswer(incident_id=incident_id, question=key, answer="")
        session.add(row)
        session.flush()
        return row, True
    return row, False


ANSWER_LABELS = {"task": "task being finished", "confusing": "most confusing page or message",
                 "workaround": "workaround and its cost", "wording": "support wording",
                 "contact": "who needs direct contact"}


class SetReviewAnswer(Edit):
    refused_when_closed = True

    changes = REVIEW_CHANGES

    def __init__(self, incident_id: int, key: str, text: str):
        self.incident_id, self.key, self.text = incident_id, key, text
        self.name = f"Edit Answer: {ANSWER_LABELS.get(key, key)}"
        self._old: str | None = None
        self._done = False
        self.merge_key = ("answer", incident_id, key)

    def absorb(self, later: Command) -> bool:
        if not isinstance(later, SetReviewAnswer) or later.merge_key != self.merge_key:
            return False
        self.text = later.text
        return True

    def apply(self, session: Session) -> None:
        row, created = _answer_row(session, self.incident_id, self.key, create=True)
        if not self._done:  # a redo keeps the value from before the first edit
            self._old = None if created else row.answer
            self._done = True
        row.answer = self.text

    def revert(self, session: Session) -> None:
        row, _ = _answer_row(session, self.incident_id, self.key, create=False)
        if row is not None:
            row.answer = self._old or ""


class LinkAnswerQuotes(Edit):
    """Links quotes (e.g. the board's selected cards) to one answer; already linked ones are skipped."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    changes = REVIEW_CHANGES

    def __init__(self, incident_id: int, key: str, quote_ids: Iterable[int]):
        self.incident_id, self.key, self.quote_ids = incident_id, key, list(dict.fromkeys(quote_ids))
        self.name = f"Link Quotes to “{key}”"
        self._added: list[int] = []

    def apply(self, session: Session) -> None:
        if not self.quote_ids:
            raise RuleError("Select one or more quotes on the board first.")
        row, _ = _answer_row(session, self.incident_id, self.key, create=True)
        valid = set(session.scalars(select(Quote.id).join(Conversation, Conversation.id == Quote.conversation_id)
                                    .where(Quote.id.in_(self.quote_ids), Conversation.incident_id == self.incident_id)))
        if not valid:
            raise RuleError("None of the selected quotes belongs to this incident.")
        linked = set(session.scalars(select(ReviewAnswerQuote.quote_id)
                                     .where(ReviewAnswerQuote.review_answer_id == row.id)))
        links = [ReviewAnswerQuote(review_answer_id=row.id, quote_id=q)
                 for q in self.quote_ids if q in valid and q not in linked]
        session.add_all(links)
        session.flush()
        self._added = [link.id for link in links]

    def revert(self, session: Session) -> None:
        for link_id in self._added:
            link = session.get(ReviewAnswerQuote, link_id)
            if link is not None:
                session.delete(link)


class UnlinkAnswerQuote(Edit):
    refused_when_closed = True

    changes = REVIEW_CHANGES
    name = "Unlink Quote"

    def __init__(self, incident_id: int, key: str, quote_id: int):
        self.incident_id, self.key, self.quote_id = incident_id, key, quote_id
        self._answer_id: int | None = None

    def apply(self, session: Session) -> None:
        row, _ = _answer_row(session, self.incident_id, self.key, create=False)
        link = None if row is None else session.scalar(select(ReviewAnswerQuote).where(
            ReviewAnswerQuote.review_answer_id == row.id, ReviewAnswerQuote.quote_id == self.quote_id))
        if row is None or link is None:
            raise RuleError("That quote is not linked to this answer.")
        self._answer_id = row.id
        session.delete(link)

    def revert(self, session: Session) -> None:
        session.add(ReviewAnswerQuote(review_answer_id=self._answer_id, quote_id=self.quote_id))


class _Decision(Edit):
    """Sets incident fields and records the decision in the history; undo reverses both."""
    incident_id: int  # always given here (the base allows None)

    changes = REVIEW_CHANGES | DataChange.INCIDENT  # severity shows in the incident list

    def __init__(self, incident_id: int, changes: dict[str, Any], kind: str, detail: str):
        self.incident_id, self.values, self.kind, self.detail = incident_id, changes, kind, detail
        self._old: dict[str, Any] = {}
        self._history_id: int | None = None

    def apply(self, session: Session) -> None:
        inc = _incident(session, self.incident_id)
        self._old = {key: getattr(inc, key) for key in self.values}
        for key, value in self.values.items():
            setattr(inc, key, value)
        entry = IncidentHistory(incident_id=self.incident_id, kind=self.kind, detail=self.detail)
        session.add(entry)
        session.flush()
        self._history_id = entry.id

    def revert(self, session: Session) -> None:
        inc = _incident(session, self.incident_id)
        for key, value in self._old.items():
            setattr(inc, key, value)
        entry = session.get(IncidentHistory, self._history_id)
        if entry is not None:
            session.delete(entry)


class DecideSeverity(_Decision):
    """The facilitator confirms the suggested customer severity, or overrides it with a reason."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, suggestion: severity.SeveritySuggestion, level: str, reason: str = ""):
        if level not in SEVERITIES:
            raise RuleError(f"Customer severity must be one of {', '.join(SEVERITIES)}.")
        reason = reason.strip()
        overridden = level != suggestion.suggested
        if overridden and not reason:
            raise RuleError(f"Say why the customer severity is {level} rather than the suggested "
                            f"{suggestion.suggested}.")
        kind = "severity_overridden" if overridden else "severity_confirmed"
        detail = (f"customer {level} (suggested {suggestion.suggested}): {reason}" if overridden
                  else suggestion.sentence() + (f". Note: {reason}" if reason else ""))
        super().__init__(incident_id, {"customer_severity_suggested": suggestion.suggested,
                                       "customer_severity": level,
                                       "customer_severity_reason": reason or suggestion.sentence()},
                         kind, detail)
        self.name = "Override Customer Severity" if overridden else "Confirm Customer Severity"


class DecideCustomerMessage(_Decision):
    """Marks the customer message sent, or not sending with the reason ('' decision: undecided)."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, decision: str, reason: str = ""):
        reason = reason.strip()
        if decision not in ("", "sent", "not_sending"):
            raise RuleError("The customer message is either sent or not being sent.")
        if decision == "not_sending" and not reason:
            raise RuleError("Say why the customer message is not being sent.")
        detail = {"sent": "Customer message sent.", "not_sending": f"Customer message not sent: {reason}",
                  "": "Customer message decision withdrawn."}[decision]
        super().__init__(incident_id, {"customer_message_decision": decision,
                                       "customer_message_reason": reason if decision == "not_sending" else ""},
                         f"message_{decision or 'undecided'}", detail)
        self.name = "Decide Customer Message"


class FlagContacts(Edit):
    """Puts customers on the contact list, each with the reason to contact them."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    changes = REVIEW_CHANGES

    def __init__(self, incident_id: int, entries: Iterable[tuple[int, str]], suggested: bool = False):
        self.incident_id = incident_id
        self.entries = [(cid, reason.strip()) for cid, reason in entries]
        self.suggested = suggested
        if not self.entries:
            raise RuleError("Choose at least one customer to contact.")
        if any(not reason for _, reason in self.entries):
            raise RuleError("Give the reason to contact each customer (lost money, missed a deadline…).")
        self.name = "Flag Customer for Contact" if len(self.entries) == 1 else f"Flag {len(self.entries)} Customers"
        self._added: list[int] = []

    def apply(self, session: Session) -> None:
        _incident(session, self.incident_id)
        listed = set(session.scalars(select(IncidentContact.customer_id)
                                     .where(IncidentContact.incident_id == self.incident_id)))
        rows = [IncidentContact(incident_id=self.incident_id, customer_id=cid, reason=reason,
                                suggested=self.suggested) for cid, reason in self.entries if cid not in listed]
        if not rows:
            raise RuleError("Those customers are already on the contact list.")
        session.add_all(rows)
        session.flush()
        self._added = [r.id for r in rows]

    def revert(self, session: Session) -> None:
        for row_id in self._added:
            row = session.get(IncidentContact, row_id)
            if row is not None:
                session.delete(row)


def _contact(session: Session, incident_id: int, customer_id: int) -> IncidentContact:
    row = session.scalar(select(IncidentContact).where(IncidentContact.incident_id == incident_id,
                                                       IncidentContact.customer_id == customer_id))
    if row is None:
        raise RuleError("That customer is not on the contact list.")
    return row


class UnflagContact(Edit):
    """Takes a customer off the contact list; the reason is kept in the incident's history."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    changes = REVIEW_CHANGES
    name = "Remove Customer from Contact List"

    def __init__(self, incident_id: int, customer_id: int, reason: str):
        if not reason.strip():
            raise RuleError("Say why this customer does not need contact.")
        self.incident_id, self.customer_id, self.reason = incident_id, customer_id, reason.strip()
        self._row: dict[str, Any] = {}
        self._history_id: int | None = None

    def apply(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        self._row = {c.name: getattr(row, c.name) for c in IncidentContact.__table__.columns}
        customer = session.get(Customer, self.customer_id)
        session.delete(row)
        entry = IncidentHistory(incident_id=self.incident_id, kind="contact_removed",
                                detail=f"{customer.name if customer else self.customer_id}: {self.reason}")
        session.add(entry)
        session.flush()
        self._history_id = entry.id

    def revert(self, session: Session) -> None:
        session.add(IncidentContact(**self._row))
        entry = session.get(IncidentHistory, self._history_id)
        if entry is not None:
            session.delete(entry)


class EditContact(Edit):
    """Changes a listed customer's reason, or records whether (and when) they were contacted."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    changes = REVIEW_CHANGES
    FIELDS = ("reason", "contacted", "contacted_on")

    def __init__(self, incident_id: int, customer_id: int, **changes: Any):
        if set(changes) - set(self.FIELDS) or not changes:
            raise RuleError("Only the reason and the contact outcome can be edited.")
        if "reason" in changes and not str(changes["reason"]).strip():
            raise RuleError("Give the reason to contact this customer.")
        if changes.get("contacted") and "contacted_on" not in changes:
            changes["contacted_on"] = date.today()
        if changes.get("contacted") is False:
            changes["contacted_on"] = None
        self.incident_id, self.customer_id, self.values = incident_id, customer_id, changes
        self.name = "Record Contact" if "contacted" in changes else "Edit Contact Reason"
        self._old: dict[str, Any] = {}

    def apply(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        self._old = {k: getattr(row, k) for k in self.values}
        for key, value in self.values.items():
            setattr(row, key, value)

    def revert(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        for key, value in self._old.items():
            setattr(row, key, value)
