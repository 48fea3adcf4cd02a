"""Importing a mapped ticket dump into an incident: all or nothing, idempotent by external id.

The work is a generator: each yield is a progress step (rows done, rows total), and closing the
generator before it finishes (Cancel) rolls the whole import back.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Generator, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..importers.open_quotes import OpenQuote
from ..importers.records import SkippedRow, TicketRow
from ..importers.text_decoding import decoding_notice
from ..storage import team_bulk
from ..storage.bulk import BulkCursor, db_time
from ..storage.handle import EditMade
from ..storage.team_workspace import record_bulk_edit
from ..storage.undo_reach import Footprint, Reach, footprint
from ..storage.workspace import Workspace
from ..storage.workspace_kind import WorkspaceKind
from . import ticket_store
from .ticket_plan import (
    DuplicateTicket,
    channel_of,  # noqa: F401  (re-exported: callers name channels here)
)

IMPORT_CACHE_KIB = -98304  # negative: KiB, i.e. 96 MB


@dataclass
class ImportOptions:
    include_outside_window: bool = False
    dry_run: bool = False


@dataclass
class ImportUndoData:
    """What an import changed, so that undo can put the incident back as it was."""

    created_conversation_ids: list[int] = field(default_factory=list)
    created_customer_ids: list[int] = field(default_factory=list)
    first_message_id: int = 0
    old_conversations: list[dict] = field(default_factory=list)
    old_messages: list[tuple] = field(default_factory=list)
    # tags on those messages (suggestions, dismissals): deleting a message cascades to them
    old_message_tags: list[tuple] = field(default_factory=list)
    # (message id, its own id in its file) of those conversations' messages
    old_message_ids: list[tuple] = field(default_factory=list)
    # what rested on what the import added, as it left it: its undo is refused when that changed since
    footprint: Footprint | None = None

    def reach(self) -> Reach:
        """What the undo deletes or puts back (storage/undo_reach.py)."""
        rewritten = tuple(row["id"] for row in self.old_conversations)
        return Reach(conversations=tuple(self.created_conversation_ids), rewritten=rewritten,
                     messages_of=rewritten, first_message=self.first_message_id,
                     customers=tuple(self.created_customer_ids))


@dataclass
class ImportSummary:
    file_name: str
    vendor: str
    encoding: str | None
    delimiter: str | None
    mapping: dict
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0  # tickets already here exactly as the file has them: left alone
    conversations: int = 0  # the file's conversations as stored: new, updated and unchanged ones
    messages: int = 0  # the messages those conversations hold
    lines_not_utf8: int = 0  # lines of a UTF-8 file holding bytes from another code page ...
    lines_not_utf8_read_as: str | None = None  # ... read in this one (importers/text_decoding.py)
    lines_not_utf8_where: tuple[tuple[int, int], ...] = ()  # ... and where: (line, bytes) of the first few
    outside_window: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    duplicates: list[DuplicateTicket] = field(default_factory=list)  # rows that repeated a ticket id: merged
    # quotes that ran over rows, or to the end of the file: imported as read, worth a look (open_quotes.py)
    open_quotes: list[OpenQuote] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False
    file_hash: str | None = field(default=None, repr=False)  # set by whoever already read the file
    undo: ImportUndoData = field(default_factory=ImportUndoData, repr=False)

    @property
    def decoding_notice(self) -> str:
        """What the person should know about how the file's text was read ("" when nothing)."""
        return decoding_notice(self.lines_not_utf8, self.lines_not_utf8_read_as, self.lines_not_utf8_where)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("undo")
        data.pop("file_hash")
        data["lines_not_utf8_where"] = [{"line": line, "bytes": count} for line, count in self.lines_not_utf8_where]
        data["decoding_notice"] = self.decoding_notice
        data["skipped"] = [{"row": s.row, "reason": s.reason} for s in self.skipped]
        data["duplicates"] = [{"row": d.row, "first_row": d.first_row, "ticket_id": d.ticket_id,
                               "new_messages": d.new_messages, "reason": d.reason} for d in self.duplicates]
        data["open_quotes"] = [{"row": q.row, "swallowed": list(q.swallowed), "at_end": q.at_end,
                                "warning": q.message()} for q in self.open_quotes]
        return data


def run_ticket_import(workspace: Workspace, incident_id: int, rows: Iterable[TicketRow | SkippedRow], *,
                      source: Path, vendor: str, mapping: dict, encoding: str | None = None,
                      delimiter: str | None = None, total_rows: int | None = None,
                      options: ImportOptions | None = None, file_hash: str = "", lines_not_utf8: int = 0,
                      lines_not_utf8_read_as: str | None = None,
                      lines_not_utf8_where: tuple[tuple[int, int], ...] = (),
                      ) -> Generator[tuple[int, int | None], None, ImportSummary]:
    """Stores mapped rows in one transaction; yields (rows done, total) as it goes.

    ``file_hash`` is the hash of the bytes the rows were read from, taken when they were read
    (file_stamp.GuardedRead): hashing the file now could hash a version edited since.
    """
    options = options or ImportOptions()
    summary = ImportSummary(file_name=source.name, vendor=vendor, encoding=encoding, delimiter=delimiter,
                            mapping=mapping, dry_run=options.dry_run, file_hash=file_hash,
                            lines_not_utf8=lines_not_utf8, lines_not_utf8_read_as=lines_not_utf8_read_as,
                            lines_not_utf8_where=lines_not_utf8_where)

    def store(cur, state: ticket_store.PlanState):  # noqa: ANN001, ANN202
        yield from ticket_store.store_rows(cur, state, rows, summary, total_rows)

    return (yield from run_in_import_transaction(workspace, incident_id, source, summary, options, store))


def run_in_import_transaction(workspace: Workspace, incident_id: int, source: Path, summary: ImportSummary,
                              options: ImportOptions, store) -> Generator[tuple[int, int | None], None, ImportSummary]:  # noqa: ANN001
    """Runs ``store(cursor, plan state)`` (a generator) as one import: committed whole, or not at all.

    ``store`` fills the summary; an exception or closing this generator (Cancel) rolls back.
    """
    workspace.require_writable(moving_ids=True)  # before the file is read: refused, it reads nothing
    if workspace.kind is WorkspaceKind.TEAM:
        with team_bulk.bulk_transaction(workspace) as transaction:
            yield from _import_steps(transaction.cursor, incident_id, source, summary, options, store)
            if not options.dry_run:
                # the other clients hear of it on commit, as of an edit, and show the new conversations
                record_bulk_edit(transaction.cursor, EditMade(incident_id, DataChange.CONVERSATION,
                                                              f"Import {summary.file_name}", False),
                                 workspace.client_id, workspace.user)
                transaction.commit()
        return summary
    raw = workspace.engine.raw_connection()
    dbapi = cast(sqlite3.Connection, raw.driver_connection)  # not a team workspace: a SQLite file
    cur = dbapi.cursor()
    committed = False
    # A bigger page cache keeps the index b-trees of 100k new rows in memory while they are built:
    # measured 4.2 s -> 1.9 s for the store step. Restored before the connection returns to the pool.
    cur.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    # One import is one transaction of ~100 MB: NORMAL skips the fsync of that much WAL at commit.
    # In WAL mode that keeps it atomic and durable if the app is killed; only a power cut in the
    # second after the commit could undo the whole import (never half of it). Edits stay FULL.
    cur.execute("PRAGMA synchronous = NORMAL")
    # Every reference an import writes is to a row it has just written or read in the same
    # transaction (ids are planned from that snapshot), so checking each one again costs 3% of
    # a large import for nothing. The one cascade an import relies on is done by hand
    # (ticket_store.keep_or_delete_messages), and tests run foreign_key_check after imports.
    cur.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set before BEGIN
    try:
        cur.execute("BEGIN IMMEDIATE")
        yield from _import_steps(cur, incident_id, source, summary, options, store)
        if options.dry_run:
            cur.execute("ROLLBACK")
        else:
            cur.execute("COMMIT")
        committed = True
        return summary
    finally:
        if not committed and dbapi.in_transaction:
            cur.execute("ROLLBACK")  # Cancel (generator closed), an error, or a dry run
        cur.execute("PRAGMA cache_size = -2000")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()
        raw.close()


def _import_steps(cur: BulkCursor, incident_id: int, source: Path, summary: ImportSummary, options: ImportOptions,
                  store) -> Generator[tuple[int, int | None], None, None]:  # noqa: ANN001
    """The import inside its transaction, on either engine: plan from the incident's state, store, record."""
    state = ticket_store.load_plan_state(cur, incident_id, review_window(cur, incident_id),
                                         options.include_outside_window)
    yield from store(cur, state)
    if not options.dry_run:
        summary.batch_id = _record_batch(cur, incident_id, source, summary)
        mark_rewritten(cur, summary.batch_id, [row["id"] for row in summary.undo.old_conversations])
        summary.undo.footprint = footprint(cur, summary.undo.reach())


def review_window(cur: BulkCursor, incident_id: int) -> tuple:
    """The incident's review window as stored text; raises MissingIncident."""
    window = cur.execute("SELECT review_start, review_end FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if window is None:
        raise MissingIncident(incident_id)
    return tuple(window)


def mark_rewritten(cur: BulkCursor, batch_id: int, conversation_ids: list[int]) -> None:
    """Conversations from before this import that it rewrote carry its batch (import_batch_id): the undo of the
    import that added them sees its tickets changed since (storage/undo_reach.py) without reading their fields.
    This import's own undo puts the old value back with the rest of each row."""
    cur.executemany("UPDATE conversations SET import_batch_id = ? WHERE id = ?",
                    [(batch_id, conversation_id) for conversation_id in conversation_ids])


def _record_batch(cur: BulkCursor, incident_id: int, source: Path, summary: ImportSummary) -> int:
    row = cur.execute(
        "INSERT INTO import_batches (incident_id, kind, file_name, file_hash, vendor, mapping_json, rows_read, "
        "imported, updated, skipped, outside_window, imported_at) "
        "VALUES (?, 'spreadsheet', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (incident_id, source.name, summary.file_hash or "", summary.vendor,
         json.dumps(summary.mapping), summary.rows_read, summary.imported, summary.updated, len(summary.skipped),
         summary.outside_window, db_time(datetime.now(UTC)))).fetchone()
    return int(row[0])
