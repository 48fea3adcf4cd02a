"""Timeline use cases: columnar timeline data for an incident (fast raw SQL) and undoable system-event edits."""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain import timing
from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import EVIDENCE_SOURCES, SystemEventKind, dominant_tag_rank
from ..storage.fast_read import ReadCursor, epoch_seconds, read_cursor
from ..storage.impact_query import customer_event_bounds
from ..storage.schema import Incident, SystemEvent
from ..storage.workspace import Workspace
from ..timeline.layout import ConversationColumns, SystemEventMark, TagInfo, TimelineData
from .commands import Edit, RuleError, UpdateFields

# Evidence only (domain.vocabulary.EVIDENCE_SOURCES), spelled as SQL literals for the raw queries below.
_EVIDENCE_SQL = ", ".join(f"'{source}'" for source in EVIDENCE_SOURCES)
KINDS = tuple(k.value for k in SystemEventKind)

# {start} and {end}: seconds since 1970 of first_at and of last_at (or first_at), per engine (fast_read)
_CONVERSATIONS_SQL = """
SELECT c.id, {start}, {end}, c.channel, coalesce(cu.segment, ''), c.customer_task, c.pre_existing
FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id
WHERE c.incident_id = ? AND c.first_at IS NOT NULL
ORDER BY c.first_at, c.id
"""

# Two plain joins counted in Python: faster than one GROUP BY over a UNION (no temporary B-tree).
_TAG_PAIRS_SQL = (
    f"""SELECT q.conversation_id, ta.tag_id FROM tag_assignments ta JOIN quotes q ON q.id = ta.quote_id
    WHERE ta.source IN ({_EVIDENCE_SQL})
      AND q.conversation_id IN (SELECT id FROM conversations WHERE incident_id = ?)""",
    f"""SELECT m.conversation_id, ta.tag_id FROM tag_assignments ta JOIN messages m ON m.id = ta.message_id
    WHERE ta.quote_id IS NULL AND ta.message_id IS NOT NULL AND ta.source IN ({_EVIDENCE_SQL})
      AND m.conversation_id IN (SELECT id FROM conversations WHERE incident_id = ?)""",
)


@dataclass(frozen=True)
class ConversationBrief:
    """What the timeline's tooltip says about one conversation."""

    id: int
    customer: str
    organization: str
    segment: str
    channel: str
    subject: str
    first_message: str
    tags: tuple[str, ...]
    first_at: datetime | None
    last_at: datetime | None
    pre_existing: bool


@dataclass(frozen=True)
class SystemEventDetails:
    id: int
    incident_id: int
    at: datetime
    kind: str
    title: str
    detail: str


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


class TimelineService:
    """Read side of the timeline; every call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def timeline_data(self, incident_id: int) -> TimelineData:
        with self.workspace.reading() as session:
            inc = session.get(Incident, incident_id)
            if inc is None:
                raise MissingIncident(incident_id)
            first, last = customer_event_bounds(session, [incident_id]).get(incident_id, (None, None))
            customer = timing.customer_impact_window([first, last])
            technical = timing.technical_window(inc.technical_start, inc.technical_end)
            conversations_sql = _CONVERSATIONS_SQL.format(start=epoch_seconds(session, "c.first_at"),
                                                          end=epoch_seconds(session, "coalesce(c.last_at, c.first_at)"))
            with read_cursor(session) as cursor:
                events = _event_marks(cursor, incident_id)
                columns = _conversation_columns(cursor, conversations_sql, incident_id)
            return TimelineData(
                incident_id=incident_id, title=inc.title,
                technical_start=_epoch(inc.technical_start), technical_end=_epoch(inc.technical_end),
                status_page_resolved=_epoch(inc.status_page_resolved),
                review_start=_epoch(inc.review_start), review_end=_epoch(inc.review_end),
                customer_start=_epoch(customer.start) if customer else None,
                customer_end=_epoch(customer.end) if customer else None,
                headline=timing.headline(technical, customer, inc.status_page_resolved),
                events=events, conversations=columns,
            )

    def conversation_brief(self, conversation_id: int) -> ConversationBrief | None:
        with self.workspace.reading() as session, read_cursor(session) as cursor:
            row = cursor.execute(
                "SELECT c.id, coalesce(cu.name, ''), coalesce(cu.organization, ''), coalesce(cu.segment, ''),"
                " c.channel, c.subject, c.first_at, c.last_at, c.pre_existing FROM conversations c"
                " LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (conversation_id,)).fetchone()
            if row is None:
                return None
            message = cursor.execute(
                "SELECT text FROM messages WHERE conversation_id = ? ORDER BY (role != 'customer'), position"
                " LIMIT 1", (conversation_id,)).fetchone()
            # position is selected too: PostgreSQL orders a DISTINCT only by what it selects
            tags = [name for (name, _position) in cursor.execute(
                "SELECT DISTINCT t.name, t.position FROM tag_assignments ta JOIN tags t ON t.id = ta.tag_id"
                " LEFT JOIN quotes q ON q.id = ta.quote_id LEFT JOIN messages m ON m.id = ta.message_id"
                f" WHERE (q.conversation_id = ? OR m.conversation_id = ?) AND ta.source IN ({_EVIDENCE_SQL})"
                " ORDER BY t.position", (conversation_id, conversation_id))]
        text = (message[0] if message else "").strip()
        return ConversationBrief(
            id=row[0], customer=row[1], organization=row[2], segment=row[3], channel=row[4], subject=row[5],
            first_message=text if len(text) <= 240 else text[:239].rstrip() + "…", tags=tuple(tags),
            first_at=_parse_db_time(row[6]), last_at=_parse_db_time(row[7]), pre_existing=bool(row[8]))

    def system_event(self, event_id: int) -> SystemEventDetails:
        with self.workspace.reading() as session:
            ev = session.get(SystemEvent, event_id)
            if ev is None:
                raise RuleError(f"System event {event_id} no longer exists.")
            return SystemEventDetails(ev.id, ev.incident_id, ev.at, ev.kind, ev.title, ev.detail)


def _parse_db_time(value: Any) -> datetime | None:
    if value is None:
        return None
    return _db_datetime(value)


def _db_datetime(value: Any) -> datetime:
    """A NOT NULL time column's stored text as an aware UTC datetime."""
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _event_marks(cursor: ReadCursor, incident_id: int) -> list[SystemEventMark]:
    """Four columns by raw SQL, times parsed by fromisoformat: an imported history of 5,000 events took
    ~170 ms as ORM rows (their details read too, each time parsed by a regular expression)."""
    rows = cursor.execute("SELECT id, at, kind, title FROM system_events WHERE incident_id = ? ORDER BY at, id",
                          (incident_id,)).fetchall()
    return [SystemEventMark(eid, _db_datetime(at).timestamp(), kind, title) for eid, at, kind, title in rows]


def _conversation_columns(cursor: ReadCursor, sql: str, incident_id: int) -> ConversationColumns:
    rows = cursor.execute(sql, (incident_id,)).fetchall()
    cols = ConversationColumns()
    if not rows:
        return cols
    # Column-wise: 100,000 rows are transposed once rather than appended field by field.
    ids, starts, ends, channels, segments, tasks, pre = zip(*rows, strict=False)
    cols.ids = array("q", ids)
    cols.starts = array("d", starts)
    cols.ends = array("d", (e if e is not None and e >= s else s for s, e in zip(starts, ends, strict=True)))
    cols.channel, cols.channel_names = _codes(c or "ticket" for c in channels)
    cols.segment, cols.segment_names = _codes((g or "").strip() for g in segments)
    cols.task, cols.task_names = _codes((t or "").strip() for t in tasks)
    cols.pre_existing = array("b", (1 if p else 0 for p in pre))
    cols.tag = array("i", [-1]) * len(cols.ids)
    _fill_dominant_tags(cursor, incident_id, cols, {cid: k for k, cid in enumerate(ids)})
    return cols


def _codes(values: Iterable[str]) -> tuple[array, list[str]]:
    """Small integer codes for a text column, and the texts in code order."""
    table: dict[str, int] = {}
    codes = array("i", [table.setdefault(v, len(table)) for v in values])
    return codes, list(table)


def _fill_dominant_tags(cursor: ReadCursor, incident_id: int, cols: ConversationColumns,
                        position_of: dict[int, int]) -> None:
    tags = {tid: (name, color, position) for tid, name, color, position in
            cursor.execute("SELECT id, name, color, position FROM tags")}
    counts: Counter = Counter()
    for sql in _TAG_PAIRS_SQL:
        counts.update(cursor.execute(sql, (incident_id,)).fetchall())
    best: dict[int, tuple[tuple, int]] = {}
    for (conv_id, tag_id), count in counts.items():
        name, _color, position = tags[tag_id]
        rank = dominant_tag_rank(name, count, position)
        if conv_id not in best or rank < best[conv_id][0]:
            best[conv_id] = (rank, tag_id)
    tag_code: dict[int, int] = {}
    for tid in sorted({t for _r, t in best.values()}, key=lambda t: tags[t][2]):
        tag_code[tid] = len(cols.tags)
        cols.tags.append(TagInfo(tags[tid][0], tags[tid][1]))
    for conv_id, (_rank, tag_id) in best.items():
        position = position_of.get(conv_id)
        if position is not None:
            cols.tag[position] = tag_code[tag_id]


# ---- commands -----------------------------------------------------------------------------------

def _check_event(values: dict[str, Any]) -> None:
    at = values.get("at")
    if "at" in values and (not isinstance(at, datetime) or at.tzinfo is None):
        raise RuleError("A system event needs a time with a zone.")
    if "kind" in values and values["kind"] not in KINDS:
        raise RuleError(f"A system event's kind must be one of {', '.join(KINDS)}.")
    if "title" in values and not str(values["title"]).strip():
        raise RuleError("A system event needs a title.")
    unknown = set(values) - {"at", "kind", "title", "detail"}
    if unknown:
        raise RuleError(f"These system-event fields cannot be edited: {', '.join(sorted(unknown))}.")


class AddSystemEvents(Edit):
    """Adds many system events (pasted log lines, an alerts CSV) as one undo step."""
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.SYSTEM_EVENT

    def __init__(self, incident_id: int, events: Iterable[dict[str, Any]], name: str | None = None):
        self.incident_id = incident_id
        self.events = [dict(e, detail=e.get("detail", "")) for e in events]
        for values in self.events:
            _check_event(values)
        if not self.events:
            raise RuleError("There are no system events to add.")
        self.name = name or f"Add {len(self.events)} System Events"
        self.event_ids: list[int] = []

    def apply(self, session: Session) -> None:
        if session.get(Incident, self.incident_id) is None:
            raise MissingIncident(self.incident_id)
        if not self.event_ids:
            rows = [SystemEvent(incident_id=self.incident_id, **values) for values in self.events]
            session.add_all(rows)
            session.flush()
            self.event_ids = [row.id for row in rows]
        else:  # redo keeps the ids so later commands (move, edit) still find their event
            session.execute(insert(SystemEvent), [dict(values, id=eid, incident_id=self.incident_id)
                                                  for eid, values in zip(self.event_ids, self.events, strict=True)])

    def revert(self, session: Session) -> None:
        for row in session.scalars(select(SystemEvent).where(SystemEvent.id.in_(self.event_ids))):
            session.delete(row)


class AddSystemEvent(AddSystemEvents):
    incident_id: int  # always given here (the base allows None)
    def __init__(self, incident_id: int, at: datetime, kind: str, title: str, detail: str = ""):
        super().__init__(incident_id, [dict(at=at, kind=kind, title=title, detail=detail)],
                         name=f"Add System Event “{title}”")

    @property
    def event_id(self) -> int | None:
        return self.event_ids[0] if self.event_ids else None


class EditSystemEvent(UpdateFields):
    incident_id: int  # always given here (the base allows None)
    def __init__(self, event_id: int, incident_id: int, name: str = "Edit System Event", **changes: Any):
        _check_event(changes)
        super().__init__(SystemEvent, event_id, changes, name=name, kind=DataChange.SYSTEM_EVENT,
                         incident_id=incident_id)


class MoveSystemEvent(EditSystemEvent):
    incident_id: int  # always given here (the base allows None)
    def __init__(self, event_id: int, incident_id: int, at: datetime):
        super().__init__(event_id, incident_id, name="Move System Event", at=at)


class DeleteSystemEvent(Edit):
    changes = DataChange.SYSTEM_EVENT

    def __init__(self, event_id: int, incident_id: int, title: str = ""):
        self.event_id = event_id
        self.incident_id = incident_id
        self.name = f"Delete System Event “{title}”" if title else "Delete System Event"
        self._row: dict[str, Any] | None = None

    def apply(self, session: Session) -> None:
        row = session.get(SystemEvent, self.event_id)
        if row is None:
            raise RuleError(f"System event {self.event_id} no longer exists.")
        self._row = {c: getattr(row, c) for c in ("id", "incident_id", "at", "kind", "title", "detail")}
        session.delete(row)

    def revert(self, session: Session) -> None:
        assert self._row is not None, "undo before do"
        session.add(SystemEvent(**self._row))
