"""The review's answers and record: the five answers with their quotes, the close-out fields, the history."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, overload

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.vocabulary import RECORD_FIELD_OF_ANSWER, REVIEW_QUESTIONS
from ..storage import report_query
from ..storage.decisions import record_decision, withdraw_decision
from ..storage.id_sets import among
from ..storage.schema import (
    Conversation,
    Customer,
    EditRecord,
    Incident,
    IncidentHistory,
    Quote,
    ReviewAnswer,
    ReviewAnswerQuote,
    Tag,
    TagAssignment,
)
from ..storage.workspace import Workspace
from .commands import (
    Command,
    Edit,
    EditConflict,
    RuleError,
    UpdateFields,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)
from .review_evidence import EVIDENCE_SOURCES, REVIEW_CHANGES, incident_row

QUESTION_KEYS = tuple(key for key, _ in REVIEW_QUESTIONS)
CLOSEOUT_FIELDS = ("customer_damage", "most_broken_task", "first_workaround", "trust_signals",
                   "trust_signals_none_seen", "contact_list_reviewed", "customer_message")


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
class HistoryEntry:
    """One recorded decision of the incident: when, what, and who decided ("" on a file, or from before format 10)."""

    at: Any
    kind: str
    detail: str
    by: str = ""


@dataclass(frozen=True)
class EditEntry:
    """One edit of the incident in a team workspace: when, by whom, what (and whether it was its undo)."""

    at: Any
    user: str
    what: str
    undone: bool


def _quote_refs(session: Session, quote_ids: list[int]) -> dict[int, QuoteRef]:
    if not quote_ids:
        return {}
    rows = session.execute(
        select(Quote.id, Quote.text, Customer.name, Customer.organization)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id).where(among(Quote.id, quote_ids))).all()
    tags: dict[int, list[str]] = {}
    for qid, name in session.execute(
            select(TagAssignment.quote_id, Tag.name).join(Tag, Tag.id == TagAssignment.tag_id)
            .where(among(TagAssignment.quote_id, quote_ids), TagAssignment.source.in_(EVIDENCE_SOURCES))):
        if qid is not None:  # always, by the filter
            tags.setdefault(qid, []).append(name)
    return {qid: QuoteRef(qid, text, ", ".join(p for p in (name, org) if p), tuple(sorted(tags.get(qid, []))))
            for qid, text, name, org in rows}


class ReviewService:
    """Queries for the review's answers and record; each call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def answers(self, incident_id: int) -> list[ReviewAnswerView]:
        with self.workspace.reading() as session:
            texts = report_query.review_answers(session, incident_id)
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
                result.append(ReviewAnswerView(key, question, texts.get(key, ""), quotes))
            return result

    def closeout_fields(self, incident_id: int) -> CloseoutFields:
        with self.workspace.reading() as session:
            inc = incident_row(session, incident_id)
            return CloseoutFields(**{name: getattr(inc, name) for name in CloseoutFields.__dataclass_fields__})

    def incident_quotes(self, incident_id: int) -> list[QuoteRef]:
        """Every quote of the incident, in the order they were made: what an answer can be backed with."""
        with self.workspace.reading() as session:
            ids = list(session.scalars(select(Quote.id).join(Conversation, Conversation.id == Quote.conversation_id)
                                       .where(Conversation.incident_id == incident_id).order_by(Quote.id)))
            refs = _quote_refs(session, ids)
            return [refs[q] for q in ids if q in refs]

    def quotes(self, quote_ids: list[int]) -> list[QuoteRef]:
        with self.workspace.reading() as session:
            refs = _quote_refs(session, list(quote_ids))
            return [refs[q] for q in quote_ids if q in refs]

    def edits(self, incident_id: int) -> list[EditEntry]:
        """Who edited the incident, oldest first (a team workspace's record; a file keeps none, except a meeting
        file's: storage/edit_history.py)."""
        with self.workspace.reading() as session:
            return [EditEntry(e.at, e.user, e.what, e.undone) for e in session.scalars(
                select(EditRecord).where(EditRecord.incident_id == incident_id).order_by(EditRecord.id))]

    def history(self, incident_id: int) -> list[HistoryEntry]:
        with self.workspace.reading() as session:
            return [HistoryEntry(h.at, h.kind, h.detail, h.decided_by) for h in session.scalars(
                select(IncidentHistory).where(IncidentHistory.incident_id == incident_id)
                .order_by(IncidentHistory.at, IncidentHistory.id))]


# ---- commands ------------------------------------------------------------------------------------
class EditCloseoutFields(UpdateFields):
    """Edits the close-out record's own fields (damage, task, workaround, trust signals…)."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, **changes: Any):
        _check_closeout_fields(changes)
        label = ", ".join(k.replace("_", " ") for k in changes)
        super().__init__(Incident, incident_id, changes, name=f"Edit {label}", kind=REVIEW_CHANGES,
                         incident_id=incident_id)

    @classmethod
    def checked_against(cls, read: dict[str, Any], incident_id: int, **changes: Any) -> EditCloseoutFields:
        """The edit, refused (EditConflict) if the fields are no longer what its editor read."""
        _check_closeout_fields(read)
        edit = cls(incident_id, **changes)
        edit.based_on = dict(read)
        return edit


def _check_closeout_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CLOSEOUT_FIELDS)
    if unknown:
        raise RuleError(f"These fields are not part of the close-out record: {', '.join(sorted(unknown))}.")


@overload
def _answer_row(session: Session, incident_id: int, key: str, create: Literal[True]) -> tuple[ReviewAnswer, bool]: ...
@overload
def _answer_row(session: Session, incident_id: int, key: str, create: bool) -> tuple[ReviewAnswer | None, bool]: ...
def _answer_row(session: Session, incident_id: int, key: str, create: bool) -> tuple[ReviewAnswer | None, bool]:
    if key not in QUESTION_KEYS:
        raise RuleError(f"There is no review question “{key}”.")
    incident_row(session, incident_id)
    query = select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id, ReviewAnswer.question == key)
    if create:  # a write: the row stays locked until commit on a team workspace (SQLite has one writer)
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None and create:
        row = ReviewAnswer(incident_id=incident_id, question=key, answer="")
        try:
            with session.begin_nested():  # another client may be creating the same answer right now
                session.add(row)
        except IntegrityError:  # it did, and committed first: edit that one
            return session.scalars(query).one(), False
        return row, True
    return row, False


ANSWER_LABELS = {"task": "task being finished", "confusing": "most confusing page or message",
                 "workaround": "workaround and its cost", "wording": "support wording",
                 "contact": "who needs direct contact"}


class SetReviewAnswer(Edit):
    refused_when_closed = True

    changes = REVIEW_CHANGES

    def __init__(self, incident_id: int, key: str, text: str, *, based_on: str | None = None):
        self.incident_id, self.key, self.text = incident_id, key, text
        self.name = f"Edit Answer: {ANSWER_LABELS.get(key, key)}"
        # the answer as its editor read it ("" for none): refused with EditConflict when the stored answer
        # differs by then, so a teammate's text is never overwritten silently; None: no check
        self.based_on = based_on
        self._old: str | None = None
        self._done = False
        self.merge_key = ("answer", incident_id, key)

    def absorb(self, later: Command) -> bool:
        if not isinstance(later, SetReviewAnswer) or later.merge_key != self.merge_key:
            return False
        if (later._old or "") != self.text:  # someone changed the answer in between: see Command.absorb
            return False
        self.text = later.text
        return True

    def apply(self, session: Session) -> None:
        field = RECORD_FIELD_OF_ANSWER.get(self.key)
        if field is not None:  # the answer is a close-out fact, stored once on the incident
            # locked until commit on a team workspace, so two clients cannot both pass the check
            inc = session.get(Incident, self.incident_id, with_for_update=True) or incident_row(
                session, self.incident_id)
            stored = getattr(inc, field) or ""
            if not self._done and self.based_on is not None and stored != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=self.text, theirs=stored)
            if not self._done:
                self._old = getattr(inc, field)
                self._done = True
            else:  # a redo: over what its undo left
                refuse_redo_if_changed_since(self.name, self._old or "", stored)
            setattr(inc, field, self.text)
            return
        row, created = _answer_row(session, self.incident_id, self.key, create=True)
        if not self._done and self.based_on is not None and row.answer != self.based_on:
            raise EditConflict(self.name, based_on=self.based_on, yours=self.text, theirs=row.answer)
        if self._done:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old or "", row.answer)
        if not self._done:  # a redo keeps the value from before the first edit
            self._old = None if created else row.answer
            self._done = True
        row.answer = self.text

    def revert(self, session: Session) -> None:
        field = RECORD_FIELD_OF_ANSWER.get(self.key)
        if field is not None:
            inc = session.get(Incident, self.incident_id, with_for_update=True) or incident_row(
                session, self.incident_id)
            refuse_undo_if_changed_since(self.name, self.text, getattr(inc, field) or "")
            setattr(inc, field, self._old or "")
            return
        row, _ = _answer_row(session, self.incident_id, self.key, create=True)
        refuse_undo_if_changed_since(self.name, self.text, row.answer)
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
        valid = set(session.scalars(
            select(Quote.id).join(Conversation, Conversation.id == Quote.conversation_id)
            .where(among(Quote.id, self.quote_ids), Conversation.incident_id == self.incident_id)))
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
        # the answer held as a link edit holds it (_answer_row), so a teammate's link of the quote runs before or after
        session.get(ReviewAnswer, self._answer_id, with_for_update=True)
        link = {"review_answer_id": self._answer_id, "quote_id": self.quote_id}
        refuse_if_parents_gone(session, self.name, ReviewAnswerQuote.__table__, [link])  # the card deleted since
        if session.scalar(select(ReviewAnswerQuote.id).where(ReviewAnswerQuote.review_answer_id == self._answer_id,
                                                             ReviewAnswerQuote.quote_id == self.quote_id)) is None:
            session.add(ReviewAnswerQuote(**link))  # else a teammate linked it again since: one link, as before


class RecordedDecision(Edit):
    """Sets incident fields and records the decision in the history; undo reverses both (severity, message)."""
    incident_id: int  # always given here (the base allows None)

    changes = REVIEW_CHANGES | DataChange.INCIDENT  # severity shows in the incident list

    def __init__(self, incident_id: int, changes: dict[str, Any], kind: str, detail: str,
                 based_on: dict[str, Any] | None = None):
        """based_on: the decision the person saw; refused (EditConflict) when a teammate decided otherwise since."""
        self.incident_id, self.values, self.kind, self.detail = incident_id, changes, kind, detail
        self.based_on = based_on
        self._old: dict[str, Any] = {}
        self._history_id: int | None = None

    def apply(self, session: Session) -> None:
        inc = incident_row(session, self.incident_id)
        stored = {key: getattr(inc, key) for key in self.values}
        if self._history_id is None:
            if self.based_on is not None and {key: getattr(inc, key) for key in self.based_on} != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=dict(self.values),
                                   theirs={key: getattr(inc, key) for key in self.based_on})
        else:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, stored)
        self._old = stored
        for key, value in self.values.items():
            setattr(inc, key, value)
        self._history_id = record_decision(session, self.incident_id, self.kind, self.detail)

    def revert(self, session: Session) -> None:
        inc = incident_row(session, self.incident_id)
        refuse_undo_if_changed_since(self.name, self.values, {key: getattr(inc, key) for key in self.values})
        for key, value in self._old.items():
            setattr(inc, key, value)
        withdraw_decision(session, self._history_id)
