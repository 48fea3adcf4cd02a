"""The timeline's data for one incident by raw SQL on a driver cursor: columns, not ORM rows (100k conversations).

No SQLAlchemy here: TimelineService reads through its session's cursor, the first look
(services/first_look.py) through a read-only sqlite3 connection before the storage layer loads; both
get the same TimelineData from the same code.
"""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..domain import timing
from ..domain.errors import MissingIncident
from ..domain.vocabulary import EVIDENCE_SOURCES, dominant_tag_rank
from ..storage.fast_read import ReadCursor
from ..storage.impact_read import as_utc, customer_event_bounds
from ..timeline.layout import ConversationColumns, SystemEventMark, TagInfo, TimelineData

# Evidence only (domain.vocabulary.EVIDENCE_SOURCES), spelled as SQL literals for the raw queries below.
EVIDENCE_SQL = ", ".join(f"'{source}'" for source in EVIDENCE_SOURCES)

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
    WHERE ta.source IN ({EVIDENCE_SQL})
      AND q.conversation_id IN (SELECT id FROM conversations WHERE incident_id = ?)""",
    f"""SELECT m.conversation_id, ta.tag_id FROM tag_assignments ta JOIN messages m ON m.id = ta.message_id
    WHERE ta.quote_id IS NULL AND ta.message_id IS NOT NULL AND ta.source IN ({EVIDENCE_SQL})
      AND m.conversation_id IN (SELECT id FROM conversations WHERE incident_id = ?)""",
)


def read_timeline_data(cursor: ReadCursor, incident_id: int) -> TimelineData:
    """What the timeline draws for the incident: its windows, its system events, its conversations."""
    inc = cursor.execute(
        "SELECT title, technical_start, technical_end, status_page_resolved, review_start, review_end"
        " FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if inc is None:
        raise MissingIncident(incident_id)
    title, technical_start, technical_end, status_page, review_start, review_end = (
        inc[0], *(as_utc(value) for value in inc[1:]))
    first, last = customer_event_bounds(cursor, [incident_id]).get(incident_id, (None, None))
    customer = timing.customer_impact_window([first, last])
    technical = timing.technical_window(technical_start, technical_end)
    conversations_sql = _CONVERSATIONS_SQL.format(start=cursor.epoch_seconds("c.first_at"),
                                                  end=cursor.epoch_seconds("coalesce(c.last_at, c.first_at)"))
    return TimelineData(
        incident_id=incident_id, title=title,
        technical_start=_epoch(technical_start), technical_end=_epoch(technical_end),
        status_page_resolved=_epoch(status_page), review_start=_epoch(review_start), review_end=_epoch(review_end),
        customer_start=_epoch(customer.start) if customer else None,
        customer_end=_epoch(customer.end) if customer else None,
        headline=timing.headline(technical, customer, status_page),
        events=_event_marks(cursor, incident_id), conversations=_conversation_columns(cursor, conversations_sql,
                                                                                      incident_id),
    )


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def parse_db_time(value: Any) -> datetime | None:
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
