"""The follow-up check a week later: repeat confusion, open actions, workarounds, quiet accounts, outcome."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..analysis.quiet_accounts import ActivityRow, QuietAccount, QuietRule, quiet_accounts
from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.harm_count import count_harm
from ..domain.vocabulary import EVIDENCE_SOURCES, IncidentStatus
from ..reporting.calendar_ics import WorkspaceLink
from ..storage.closeout_query import hold_closeout
from ..storage.decisions import record_decision, withdraw_decision
from ..storage.schema import (
    AccountActivity,
    Conversation,
    Customer,
    FollowUp,
    Incident,
    Quote,
    Tag,
    TagAssignment,
)
from ..storage.workspace import Workspace
from .actions import ActionItemView, ActionService
from .closeout import refuse_unless_complete
from .commands import Edit, RuleError, refuse_redo_if_changed_since, refuse_undo_if_changed_since

WORKAROUND_TAGS = ("risky-workaround", "manual-work")
ACCOUNT_HEADERS = ("account", "account_id", "account id", "account name", "customer", "organization", "company")
DATE_HEADERS = ("date", "day")
COUNT_HEADERS = ("count", "events", "activity", "sessions", "logins", "actions")
MAX_ACTIVITY_BYTES = 50 * 1024 * 1024


def follow_up_link(workspace: Workspace) -> WorkspaceLink:
    """What the follow-up event links to: the workspace file, or a team workspace's address (never a password)."""
    if workspace.files:
        return WorkspaceLink.of_file(workspace.files[0])
    database = workspace.name.rsplit("/", 1)[-1].split("?", 1)[0]
    return WorkspaceLink(workspace.name, database)


class ActivityFileError(ValueError):
    """An activity export that cannot be read; the message says what to do."""


@dataclass(frozen=True)
class RepeatTag:
    tag: str
    at_review: int     # quotes (domain/harm_count) whose conversation was first seen before the review cut-off
    after_review: int  # quotes whose conversation was first seen after it: the repeat


@dataclass(frozen=True)
class WorkaroundInUse:
    quote_id: int
    text: str
    customer: str
    first_seen: datetime | None


@dataclass(frozen=True)
class FollowUpView:
    status: str
    scheduled_at: datetime | None
    review_held_on: date | None
    outcome: str
    done_at: datetime | None
    cutoff: datetime | None
    repeat: tuple[RepeatTag, ...]
    open_actions: tuple[ActionItemView, ...]
    workarounds: tuple[WorkaroundInUse, ...]
    quiet: tuple[QuietAccount, ...]
    rule_text: str
    activity_rows: int


def _cutoff(inc: Incident, follow: FollowUp | None) -> datetime | None:
    """Conversations first seen after the end of the review day count as 'after the review'."""
    if follow is not None and follow.review_held_on is not None:
        return datetime.combine(follow.review_held_on + timedelta(days=1), time(), tzinfo=UTC)
    return inc.review_end


def _tag_counts_by_side(session: Session, incident_id: int, cutoff: datetime | None) -> list[RepeatTag]:
    """Quotes per tag at and after the review, by domain/harm_count's rule: the board's and the report's count,
    split by when the quote's conversation was first seen (old confusion is not counted, as there)."""
    if cutoff is None:
        return []
    rows = session.execute(
        select(Quote.id, Tag.name, Conversation.first_at, Conversation.pre_existing)
        .join(TagAssignment, TagAssignment.quote_id == Quote.id)
        .join(Tag, Tag.id == TagAssignment.tag_id)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .where(Conversation.incident_id == incident_id, TagAssignment.source.in_(EVIDENCE_SOURCES))).all()
    by_quote: dict[int, tuple[list[tuple[str, bool]], bool]] = {}
    for quote_id, name, first_at, pre_existing in rows:
        after = first_at is not None and _aware(first_at) >= _aware(cutoff)
        by_quote.setdefault(quote_id, ([], bool(pre_existing)))[0].append((name, after))
    counts = count_harm(by_quote.values())
    names = sorted({name for name, _ in counts})
    sides = {name: tuple(counts[(name, side)].incident if (name, side) in counts else 0 for side in (False, True))
             for name in names}
    repeat = [RepeatTag(name, at, after) for name, (at, after) in sides.items() if at or after]
    return sorted(repeat, key=lambda r: (-r.after_review, r.tag))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _workarounds(session: Session, incident_id: int, cutoff: datetime | None) -> list[WorkaroundInUse]:
    if cutoff is None:
        return []
    rows = session.execute(
        select(Quote.id, Quote.text, Customer.name, Customer.organization, Conversation.first_at)
        .join(Conversation, Conversation.id == Quote.conversation_id)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .join(TagAssignment, TagAssignment.quote_id == Quote.id).join(Tag, Tag.id == TagAssignment.tag_id)
        .where(Conversation.incident_id == incident_id, Conversation.first_at >= cutoff,
               Tag.name.in_(WORKAROUND_TAGS), TagAssignment.source.in_(EVIDENCE_SOURCES))
        .distinct().order_by(Conversation.first_at)).all()
    return [WorkaroundInUse(qid, text, ", ".join(p for p in (name, org) if p), first)
            for qid, text, name, org, first in rows]


def _activity_table_exists(session: Session) -> bool:
    # Workspaces written before the activity table existed simply have no activity yet.
    return inspect(session.connection()).has_table(AccountActivity.__tablename__)


def _activity(session: Session, incident_id: int) -> list[ActivityRow]:
    if not _activity_table_exists(session):
        return []
    return [ActivityRow(a, d, c) for a, d, c in session.execute(
        select(AccountActivity.account, AccountActivity.day, AccountActivity.count)
        .where(AccountActivity.incident_id == incident_id))]


_DEFAULT_RULE = QuietRule()


class FollowUpService:
    def __init__(self, workspace: Workspace, rule: QuietRule = _DEFAULT_RULE):
        self.workspace = workspace
        self.rule = rule

    def view(self, incident_id: int, today: date | None = None) -> FollowUpView:
        open_actions = tuple(i for i in ActionService(self.workspace).list_items(incident_id, today)
                             if i.status != "done")
        with self.workspace.reading() as session:
            inc = session.get(Incident, incident_id)
            if inc is None:
                raise MissingIncident(incident_id)
            follow = session.scalar(select(FollowUp).where(FollowUp.incident_id == incident_id))
            cutoff = _cutoff(inc, follow)
            activity = _activity(session, incident_id)
            incident_day = inc.technical_start.date() if inc.technical_start else None
            quiet = quiet_accounts(activity, incident_day, self.rule) if incident_day else []
            return FollowUpView(
                status=inc.status, scheduled_at=follow.scheduled_at if follow else None,
                review_held_on=follow.review_held_on if follow else None,
                outcome=follow.outcome if follow else "", done_at=follow.done_at if follow else None,
                cutoff=cutoff, repeat=tuple(_tag_counts_by_side(session, incident_id, cutoff)),
                open_actions=open_actions, workarounds=tuple(_workarounds(session, incident_id, cutoff)),
                quiet=tuple(quiet), rule_text=self.rule.describe(), activity_rows=len(activity))


def _pick(header: list[str], names: tuple[str, ...]) -> int:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return -1


def read_activity_csv(path: Path) -> list[ActivityRow]:
    """Rows of an activity export (account, date, count); refuses the whole file on any bad row."""
    path = Path(path)
    if path.stat().st_size > MAX_ACTIVITY_BYTES:
        raise ActivityFileError(f"{path.name} is larger than 50 MB; export fewer days or fewer accounts.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_activity_csv(text, path.name)


def parse_activity_csv(text: str, name: str = "the file") -> list[ActivityRow]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ActivityFileError(f"{name} is empty. Export account, date and count columns.")
    cols = [_pick(header, names) for names in (ACCOUNT_HEADERS, DATE_HEADERS, COUNT_HEADERS)]
    if -1 in cols:
        raise ActivityFileError(f"{name} needs columns named account, date and count (found: {', '.join(header)}).")
    rows, problems = [], []
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        try:
            account, day, count = (values[c].strip() for c in cols)
            if not account:
                raise ValueError("no account")
            rows.append(ActivityRow(account, date.fromisoformat(day[:10]), int(float(count))))
        except (IndexError, ValueError) as exc:
            problems.append(f"line {line_no}: {exc}")
    if problems:
        raise ActivityFileError(f"{name} was not imported; fix these rows (dates as YYYY-MM-DD, counts as numbers): "
                                + "; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))
    if not rows:
        raise ActivityFileError(f"{name} has a header but no rows.")
    return rows


class ImportActivity(Edit):
    """Replaces the incident's account activity with an export's rows, all or nothing."""
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.FOLLOW_UP

    def __init__(self, incident_id: int, rows: list[ActivityRow], file_name: str = ""):
        self.incident_id, self.rows = incident_id, list(rows)
        self.name = f"Import Activity {file_name}".strip()
        self._old: list[ActivityRow] = []
        self._made: list[ActivityRow] | None = None  # the activity as this import left it, read back

    def _replace(self, session: Session, rows: list[ActivityRow]) -> None:
        session.query(AccountActivity).filter(AccountActivity.incident_id == self.incident_id).delete()
        session.add_all([AccountActivity(incident_id=self.incident_id, account=r.account, day=r.day, count=r.count)
                         for r in rows])

    def _stored(self, session: Session) -> list[ActivityRow]:
        """The incident's activity, its incident row locked until commit: the activity is a set of rows, and a
        teammate's import adds new ones no row lock would hold off, so two imports queue on the incident."""
        if session.get(Incident, self.incident_id, with_for_update=True) is None:
            raise MissingIncident(self.incident_id)
        return _in_order(_activity(session, self.incident_id))

    def apply(self, session: Session) -> None:
        stored = self._stored(session)
        if self._made is not None:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, stored)
        self._old = stored
        self._replace(session, self.rows)
        session.flush()
        self._made = _in_order(_activity(session, self.incident_id))

    def revert(self, session: Session) -> None:
        refuse_undo_if_changed_since(self.name, self._made, self._stored(session))
        self._replace(session, self._old)


def _in_order(rows: list[ActivityRow]) -> list[ActivityRow]:
    """Activity rows in one order, so two reads of the same activity compare equal whatever order they came in."""
    return sorted(rows, key=lambda r: (r.account, r.day, r.count))


class RecordFollowUpOutcome(Edit):
    """Records what the follow-up check found; the incident becomes followed_up."""
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.INCIDENT | DataChange.FOLLOW_UP
    name = "Record Follow-up Outcome"

    def __init__(self, incident_id: int, outcome: str, at: datetime | None = None):
        if not outcome.strip():
            raise RuleError("Write what the follow-up check found.")
        self.incident_id, self.outcome = incident_id, outcome.strip()
        self.at = at or datetime.now(UTC)
        self._old: dict[str, Any] = {}
        self._history_id: int | None = None

    def apply(self, session: Session) -> None:
        inc, follow = self._held(session)
        if self._history_id is not None:  # a redo: over what its undo left, not a teammate's reopening since
            refuse_redo_if_changed_since(self.name, self._left(), self._outcome_of(inc, follow))
        if inc.status != IncidentStatus.CLOSED.value:
            raise RuleError("Close the incident before recording the follow-up outcome.")
        if follow is None:
            raise RuleError("Schedule the follow-up check first.")
        if self._history_id is not None:  # followed up is a closed status: only a complete record gets one
            refuse_unless_complete(session, self.incident_id,
                                   lead=f"“{self.name}” cannot be redone: followed up is a closed status.\n")
        self._old = {"status": inc.status, "outcome": follow.outcome, "done_at": follow.done_at}
        inc.status = IncidentStatus.FOLLOWED_UP.value
        follow.outcome, follow.done_at = self.outcome, self.at
        self._history_id = record_decision(session, self.incident_id, "followed_up", self.outcome)

    def revert(self, session: Session) -> None:
        inc, follow = self._held(session)
        made = {"status": IncidentStatus.FOLLOWED_UP.value, "outcome": self.outcome}
        # a teammate who reopened it (or recorded another outcome) since decided last: undo would overwrite that
        refuse_undo_if_changed_since(self.name, made, self._outcome_of(inc, follow))
        if follow is None:
            raise RuleError("The follow-up check no longer exists.")
        # back to closed: a status only a complete record may have
        refuse_unless_complete(session, self.incident_id,
                               lead=f"“{self.name}” cannot be undone: it would put the incident back to closed.\n")
        inc.status = self._old["status"]
        follow.outcome, follow.done_at = self._old["outcome"], self._old["done_at"]
        withdraw_decision(session, self._history_id)

    def _held(self, session: Session) -> tuple[Incident, FollowUp | None]:
        """The incident, its row held as a close holds it (hold_closeout), and its follow-up check."""
        hold_closeout(session, self.incident_id)
        inc = session.get(Incident, self.incident_id)
        if inc is None:
            raise MissingIncident(self.incident_id)
        return inc, session.scalar(select(FollowUp).where(FollowUp.incident_id == self.incident_id))

    @staticmethod
    def _outcome_of(inc: Incident, follow: FollowUp | None) -> dict[str, Any]:
        return {"status": inc.status, "outcome": follow.outcome if follow else None}

    def _left(self) -> dict[str, Any]:
        """What this edit's undo left: the status and outcome from before it."""
        return {"status": self._old["status"], "outcome": self._old["outcome"]}
