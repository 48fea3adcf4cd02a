"""SQLAlchemy 2 mapped classes: the workspace's tables, one class per vocabulary noun."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from ..domain.storable_text import storable


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC text (sortable); loads them back aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


class WorkspaceSetting(Base):
    """Key/value settings of one workspace (display time zone, pattern extras, agenda…)."""

    __tablename__ = "workspace_settings"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String, default="")
    service: Mapped[str] = mapped_column(String, default="")
    technical_severity: Mapped[str] = mapped_column(String, default="SEV3")
    customer_severity_suggested: Mapped[str] = mapped_column(String, default="")
    customer_severity: Mapped[str] = mapped_column(String, default="")
    customer_severity_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String, default="draft")
    technical_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    technical_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_page_resolved: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # close-out record (PRODUCT.md §6)
    customer_damage: Mapped[str] = mapped_column(Text, default="")
    most_broken_task: Mapped[str] = mapped_column(Text, default="")
    first_workaround: Mapped[str] = mapped_column(Text, default="")
    trust_signals: Mapped[str] = mapped_column(Text, default="")
    trust_signals_none_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_list_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_message: Mapped[str] = mapped_column(Text, default="")
    customer_message_decision: Mapped[str] = mapped_column(String, default="")  # "", "sent", "not_sending"
    customer_message_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class IncidentUid(Base):
    """An incident's identity across workspaces: kept when it is published or saved to a file elsewhere.

    A second publish of the same incident finds its uid there and is refused rather than duplicated
    (storage/incident_copy.py). A table of its own, one row per incident, so the incidents table of
    older formats stays as it was. Added in format 5 (migrations.py).
    """

    __tablename__ = "incident_uids"
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    uid: Mapped[str] = mapped_column(String, unique=True)


def new_incident_uid() -> str:
    return uuid.uuid4().hex


@event.listens_for(Incident, "after_insert")
def _give_uid(_mapper: Mapper, connection: Connection, incident: Incident) -> None:
    # Every incident the ORM creates (a new incident, the demo's) gets its uid in the same transaction;
    # rows put back or copied in bulk (snapshot.restore, incident_copy) bring their own.
    connection.execute(insert(IncidentUid).values(incident_id=incident.id, uid=new_incident_uid()))


class IncidentHistory(Base):
    """Recorded decisions: closed, reopened, severity confirmed or overridden, followed up."""

    __tablename__ = "incident_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    kind: Mapped[str] = mapped_column(String)
    detail: Mapped[str] = mapped_column(Text, default="")
    #: who decided, on a team workspace (its user, in the decision's own transaction: services/commands.py
    #: `Edit.decided_by`); "" for a file's decisions (one person's) and for those recorded before format 10
    decided_by: Mapped[str] = mapped_column(String, default="")


class EditRecord(Base):
    """Who made an edit of an incident in a team workspace, and when: its history of edits, undos included.

    Written in the edit's own transaction (storage/team_workspace.py), so a refused edit leaves none.
    A file has one person's edits and keeps none, except a meeting file (a team incident saved for a meeting:
    storage/edit_history.py). Added in format 3 (migrations.py).
    """

    __tablename__ = "incident_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    user: Mapped[str] = mapped_column(String)
    what: Mapped[str] = mapped_column(Text)  # the edit's name, as the Edit menu shows it: "Edit Answer: …"
    undone: Mapped[bool] = mapped_column(Boolean, default=False)  # True: this records the edit's undo


class CardEdit(Base):
    """Who changed a card's columns (its quote's tags) on a team workspace: a card edit, its undo, a merge of
    columns. The last one names who a conflict over that card lost to (storage/edit_history.py), exactly:
    every such edit holds the card's row until it commits, so a later change of a card has a later id.

    Written in the edit's own transaction beside its EditRecord; a file keeps none. Added in format 10.
    """

    __tablename__ = "card_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    user: Mapped[str] = mapped_column(String)
    what: Mapped[str] = mapped_column(Text)  # the edit's name, as in EditRecord
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkspaceEdit(Base):
    """Who made an edit of the whole workspace on a team workspace: a tag (a column of every incident's board)
    added, renamed, recoloured, moved or merged, a workspace setting. A tag belongs to no one incident, so its
    edits join no incident's history; tag_id names the column (none for a setting or a reorder of them all).

    Written in the edit's own transaction; a file keeps none. Added in format 10.
    """

    __tablename__ = "workspace_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    user: Mapped[str] = mapped_column(String)
    what: Mapped[str] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class SystemEvent(Base):
    __tablename__ = "system_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String, default="note")
    title: Mapped[str] = mapped_column(String, default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, default="")
    email: Mapped[str] = mapped_column(String, default="", index=True)
    phone: Mapped[str] = mapped_column(String, default="")
    organization: Mapped[str] = mapped_column(String, default="")
    segment: Mapped[str] = mapped_column(String, default="")


class IncidentContact(Base):
    """A customer flagged for direct contact in one incident, with the reason and the outcome."""

    __tablename__ = "incident_contacts"
    __table_args__ = (UniqueConstraint("incident_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    contacted: Mapped[bool] = mapped_column(Boolean, default=False)
    contacted_on: Mapped[date | None] = mapped_column(Date)


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String, default="spreadsheet")  # spreadsheet, transcript, eml
    file_name: Mapped[str] = mapped_column(String, default="")
    file_hash: Mapped[str] = mapped_column(String, default="")
    vendor: Mapped[str] = mapped_column(String, default="")
    mapping_json: Mapped[str] = mapped_column(Text, default="")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    outside_window: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class MappingPreset(Base):
    __tablename__ = "mapping_presets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    vendor: Mapped[str] = mapped_column(String, default="")
    mapping_json: Mapped[str] = mapped_column(Text)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("incident_id", "external_id"),
        Index("ix_conversations_incident_first", "incident_id", "first_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str] = mapped_column(String, default="ticket")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String, default="")
    status: Mapped[str] = mapped_column(String, default="")
    customer_task: Mapped[str] = mapped_column(String, default="")
    symptom: Mapped[str] = mapped_column(String, default="")
    pre_existing: Mapped[bool] = mapped_column(Boolean, default=False)
    vendor_tags: Mapped[str] = mapped_column(String, default="")  # tags as the help desk had them
    # first/last message times, kept with the row so the timeline reads one table
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_position", "conversation_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String, default="")
    role: Mapped[str] = mapped_column(String, default="customer")
    text: Mapped[str] = mapped_column(Text, default="")


class ThreadMessageId(Base):
    """A message id a reply-chain dump gave, and the conversation (the thread) it went into.

    A later dump's reply to such a message joins that conversation rather than starting one
    (services/ticket_plan.py). Added in format 4 (migrations.py); since format 7 no import writes
    it: a message's own id (MessageExternalId) says the same, and this keeps only the ids of
    messages imported between formats 4 and 5, which have none (services/ticket_store.stored_thread_ids).
    """

    __tablename__ = "thread_message_ids"
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    external_id: Mapped[str] = mapped_column(String, primary_key=True)


class MessageExternalId(Base):
    """A message's own id in the file it came from (a message dump's message id, a reply chain's id).

    Kept beside the message rather than in it, so the messages table and its bulk writes stay as
    they are; most messages (a ticket's description, a pasted chat) have none. Added in format 5.
    """

    __tablename__ = "message_external_ids"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    external_id: Mapped[str] = mapped_column(String)


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[int] = mapped_column(Integer, default=0)  # index into resources/palette.json
    position: Mapped[int] = mapped_column(Integer, default=0)
    built_in: Mapped[bool] = mapped_column(Boolean, default=False)


class Quote(Base):
    """A highlighted span of a message, or a whole conversation when message_id is None."""

    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer, default=0)
    end: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class TagAssignment(Base):
    """A tag on a quote or a message, with where it came from and the phrase that suggested it."""

    __tablename__ = "tag_assignments"
    __table_args__ = (
        UniqueConstraint("tag_id", "quote_id", "message_id"),
        Index("ix_tag_assignments_quote", "quote_id"),
        Index("ix_tag_assignments_message", "message_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String, default="manual")
    phrase: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class ActionItem(Base):
    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String, default="engineering")
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String, default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String, default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class ActionItemLink(Base):
    """What motivated an action item: a quote or a whole tag."""

    __tablename__ = "action_item_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"))
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))


class ReviewAnswer(Base):
    """The answer to one of the five review questions."""

    __tablename__ = "review_answers"
    __table_args__ = (UniqueConstraint("incident_id", "question"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String)
    answer: Mapped[str] = mapped_column(Text, default="")


class ReviewAnswerQuote(Base):
    __tablename__ = "review_answer_quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_answer_id: Mapped[int] = mapped_column(ForeignKey("review_answers.id", ondelete="CASCADE"), index=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"))


class FollowUp(Base):
    """The 15-minute check about a week after the review."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_held_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---- follow-up check (issue 6): the account activity export that quiet-account detection reads ----
class AccountActivity(Base):
    """One row of an imported account activity export: how active an account was on one day."""

    __tablename__ = "account_activity"
    __table_args__ = (Index("ix_account_activity_incident_account", "incident_id", "account"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    account: Mapped[str] = mapped_column(String)
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _storable_text(_mapper: Mapper, _connection: Connection, row: Base) -> None:
    # Every text an edit stores (a title, an answer, a note) follows the rule both engines store alike
    # (domain/storable_text.py): a NUL that PostgreSQL would refuse is dropped on a file too. Only
    # values already loaded are looked at: reading others here would query in the middle of a flush.
    for name, value in list(vars(row).items()):
        if isinstance(value, str) and not name.startswith("_"):
            clean = storable(value)
            if clean is not value:
                setattr(row, name, clean)
