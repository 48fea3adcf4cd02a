"""Captures everything that belongs to one incident, and puts it back: the undo of a delete."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, Table, delete, select
from sqlalchemy.orm import Session

from . import incident_settings
from .parent_rows import gone_parents
from .schema import (
    AccountActivity,
    ActionItem,
    ActionItemLink,
    Base,
    CardEdit,
    Conversation,
    EditRecord,
    FollowUp,
    ImportBatch,
    Incident,
    IncidentContact,
    IncidentHistory,
    IncidentUid,
    Message,
    MessageExternalId,
    Quote,
    ReviewAnswer,
    ReviewAnswerQuote,
    SystemEvent,
    TagAssignment,
    ThreadMessageId,
)

# Parents before children, so restoring in this order satisfies the foreign keys.
ORDER: tuple[type[Base], ...] = (
    Incident, IncidentUid, IncidentHistory, EditRecord, SystemEvent, IncidentContact, ImportBatch, Conversation,
    ThreadMessageId, Message, MessageExternalId, Quote, CardEdit, TagAssignment, ActionItem, ActionItemLink,
    ReviewAnswer, ReviewAnswerQuote, FollowUp, AccountActivity,
)


@dataclass
class IncidentSnapshot:
    rows: dict[str, list[dict]] = field(default_factory=dict)
    settings: list[dict] = field(default_factory=list)  # the incident's own settings (incident_settings.py)


def _selects(incident_id: int) -> dict[type[Base], Select[Any]]:
    conv_ids = select(Conversation.id).where(Conversation.incident_id == incident_id)
    msg_ids = select(Message.id).where(Message.conversation_id.in_(conv_ids))
    quote_ids = select(Quote.id).where(Quote.conversation_id.in_(conv_ids))
    action_ids = select(ActionItem.id).where(ActionItem.incident_id == incident_id)
    answer_ids = select(ReviewAnswer.id).where(ReviewAnswer.incident_id == incident_id)
    incident_models: tuple[type[Base], ...] = (IncidentUid, IncidentHistory, EditRecord, SystemEvent, IncidentContact,
                                              ImportBatch, Conversation, ActionItem, ReviewAnswer, FollowUp,
                                              AccountActivity)
    by_incident = {m: m.__table__.select().where(m.__table__.c.incident_id == incident_id)
                   for m in incident_models}
    return {
        Incident: Incident.__table__.select().where(Incident.__table__.c.id == incident_id),
        **by_incident,
        ThreadMessageId: ThreadMessageId.__table__.select().where(ThreadMessageId.conversation_id.in_(conv_ids)),
        Message: Message.__table__.select().where(Message.conversation_id.in_(conv_ids)),
        MessageExternalId: MessageExternalId.__table__.select().where(MessageExternalId.message_id.in_(msg_ids)),
        Quote: Quote.__table__.select().where(Quote.conversation_id.in_(conv_ids)),
        CardEdit: CardEdit.__table__.select().where(CardEdit.quote_id.in_(quote_ids)),
        TagAssignment: TagAssignment.__table__.select().where(
            TagAssignment.quote_id.in_(quote_ids) | TagAssignment.message_id.in_(msg_ids)),
        ActionItemLink: ActionItemLink.__table__.select().where(ActionItemLink.action_item_id.in_(action_ids)),
        ReviewAnswerQuote: ReviewAnswerQuote.__table__.select().where(
            ReviewAnswerQuote.review_answer_id.in_(answer_ids)),
    }


def capture_ids(conn: Connection, incident_id: int) -> dict[str, list[int]]:
    """The keys of the incident's rows, table by table (those with a key): what capture would read, ids only."""
    queries = _selects(incident_id)
    return {model.__tablename__: list(conn.scalars(queries[model].with_only_columns(model.__table__.c.id)))
            for model in ORDER if "id" in model.__table__.c}


def one_moment(session: Session) -> Connection:
    """The session's connection for a capture that an undo will put back (a delete's), called before the session's
    first statement. On a team workspace its transaction sees one moment (REPEATABLE READ): every table is captured
    as of then, and a teammate's edit of the incident committed after that moment, which the capture cannot hold,
    stops the delete when it reaches their row (the server's serialization failure: nothing deleted, the person told
    to look and do it again) instead of being deleted with it and left out of what the undo puts back. A file has one
    writer: its transaction is one moment already."""
    if session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session.connection()


def capture(conn: Connection, incident_id: int) -> IncidentSnapshot:
    snap = IncidentSnapshot()
    queries = _selects(incident_id)
    for model in ORDER:
        snap.rows[model.__tablename__] = [dict(r._mapping) for r in conn.execute(queries[model])]
    snap.settings = incident_settings.capture(conn, incident_id)
    return snap


def restore(conn: Connection, snap: IncidentSnapshot) -> None:
    _as_the_workspace_now_has_it(conn, snap)
    for model in ORDER:
        rows = snap.rows.get(model.__tablename__)
        if rows:
            table: Table = Base.metadata.tables[model.__tablename__]
            conn.execute(table.insert(), rows)
    incident_settings.put_back(conn, snap.settings)
    # search rows come back through the insert triggers


def _as_the_workspace_now_has_it(conn: Connection, snap: IncidentSnapshot) -> None:
    """Applies to the snapshot what its foreign keys' own rules would have done, had its rows been there when a
    teammate deleted a workspace-wide row they name (a column merged away, a customer an import's undo removed):
    a card's tag or a link to that column goes (ON DELETE CASCADE), a conversation keeps no customer (SET NULL).
    Without it, putting the incident back failed on the database's foreign key and the delete could not be undone.
    The rows still there are held (FOR KEY SHARE on a team workspace) until the undo commits."""
    for name, rows in snap.rows.items():
        for key, gone in gone_parents(conn, Base.metadata.tables[name], rows, written_too=frozenset(snap.rows)):
            column = key.parent.name
            if key.ondelete == "SET NULL":
                for row in rows:
                    if row.get(column) in gone:
                        row[column] = None
            else:
                rows[:] = [row for row in rows if row.get(column) not in gone]


def delete_incident_rows(conn: Connection, incident_id: int) -> None:
    # cascades to conversations and messages; their search rows go with them by trigger. Its settings are keyed by
    # its number, which a file gives again to its next incident: they go too
    conn.execute(delete(Incident).where(Incident.id == incident_id))
    incident_settings.forget(conn, incident_id)
