"""Undo and redo of a finished spreadsheet import, as one step on the undo stack."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from typing import cast

from ..domain.changes import DataChange
from ..storage import team_bulk
from ..storage.bulk import BulkCursor
from ..storage.edit_history import editors_since
from ..storage.handle import EditMade
from ..storage.team_workspace import record_bulk_edit
from ..storage.undo_reach import footprint, lock_reach
from ..storage.workspace import Workspace
from ..storage.workspace_kind import WorkspaceKind
from .commands import ChangedSince, Command, RuleError, refuse_undo_if_reached_since, refuse_undo_while_closed
from .ticket_import import ImportSummary, ImportUndoData


class UndoableImport(Command):
    """Pushed after an import has run (on a worker); undo restores the incident as it was before.

    Redo runs the same import again through `rerun` (progress steps returning the new summary), which
    the caller supplies (it holds the file and the mapping), so the conversation ids may differ from the
    first run. Both are long: the app runs them on a worker with progress and Cancel.
    """
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.CONVERSATION
    long_running = True

    def __init__(self, incident_id: int, summary: ImportSummary,
                 rerun: Callable[[], Generator[tuple[int, int | None], None, ImportSummary]]):
        self.incident_id = incident_id
        self.summary = summary
        self._rerun = rerun
        self.name = f"Import {summary.file_name}"

    def do(self, workspace: Workspace) -> None:
        _run_to_end(self.redo_steps(workspace))

    def undo(self, workspace: Workspace) -> None:
        _run_to_end(self.undo_steps(workspace))

    def redo_steps(self, workspace: Workspace) -> Generator[tuple[int, int | None], None, None]:
        try:
            self.summary = yield from self._rerun()
        except ValueError as error:  # the file is unreadable now, or changed while it was read again
            # Nothing was imported, so a later undo must take nothing away: its ids are stale.
            self.summary = replace(self.summary, undo=ImportUndoData(), batch_id=None)
            raise RuleError(f"Redo could not import {self.summary.file_name} again: {error}") from error

    def undo_steps(self, workspace: Workspace) -> Generator[tuple[int, int | None], None, None]:
        """Deletes what the import added and restores what it changed, in one transaction.

        Yields between statements; closing the generator there (Cancel) rolls back, so the import
        stays whole. Refused, with nothing changed, while the incident is closed or when another edit since rests
        on what it would delete.
        """
        try:
            yield from self._undo_in_transaction(workspace)
        except ChangedSince as refused:  # rolled back: say who edited the incident since the import
            with workspace.reading() as session:
                by = editors_since(session, self.incident_id, workspace.user, self.name, undone=False)
            raise refused.naming(by) from None

    def _undo_in_transaction(self, workspace: Workspace) -> Generator[tuple[int, int | None], None, None]:
        if workspace.kind is WorkspaceKind.TEAM:
            with team_bulk.bulk_transaction(workspace) as transaction:
                total = yield from self._undo_statements(transaction.cursor)
                record_bulk_edit(transaction.cursor, EditMade(self.incident_id, self.changes, self.name, True),
                                 workspace.client_id, workspace.user)
                transaction.commit()
            yield total, total
            return
        raw = workspace.engine.raw_connection()
        dbapi = cast(sqlite3.Connection, raw.driver_connection)  # not a team workspace: a SQLite file
        cur = dbapi.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            total = yield from self._undo_statements(cur)
            cur.execute("COMMIT")
            yield total, total
        except BaseException:  # an error, or Cancel (GeneratorExit at a yield)
            if dbapi.in_transaction:
                cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()
            raw.close()

    def _undo_statements(self, cur: BulkCursor) -> Generator[tuple[int, int | None], None, int]:
        """The undo's statements, on either engine, yielding progress between them; returns the total."""
        undo = self.summary.undo
        updated = [row["id"] for row in undo.old_conversations]
        refuse_undo_while_closed(self.name, cur, self.incident_id)
        self._refuse_if_reached_since(cur)
        total = len(undo.created_conversation_ids) + len(updated) + len(undo.old_messages) + 1
        done = 0
        for chunk in _chunks(undo.created_conversation_ids):
            cur.execute(f"DELETE FROM conversations WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            done += len(chunk)
            yield done, total
        for chunk in _chunks(updated):
            marks = ", ".join("?" * len(chunk))
            cur.execute(f"DELETE FROM messages WHERE id >= ? AND conversation_id IN ({marks})",
                        (undo.first_message_id, *chunk))
            done += len(chunk)
            yield done, total
        present = {r[0] for r in cur.execute("SELECT id FROM messages WHERE id < ?", (undo.first_message_id,))} \
            if undo.old_messages else set()
        cur.executemany("INSERT INTO messages (id, conversation_id, position, at, author, role, text) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [m for m in undo.old_messages if m[0] not in present])
        # messages the import kept (the file had them again) may have moved to make room for new ones
        cur.executemany("UPDATE messages SET position = ? WHERE id = ?",
                        [(m[2], m[0]) for m in undo.old_messages if m[0] in present])
        cur.executemany("INSERT OR IGNORE INTO message_external_ids (message_id, external_id) VALUES (?, ?)",
                        undo.old_message_ids)
        cur.executemany("INSERT OR IGNORE INTO tag_assignments (id, tag_id, quote_id, message_id, source, phrase, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", undo.old_message_tags)
        for row in undo.old_conversations:
            columns = [c for c in row if c != "id"]
            cur.execute(f"UPDATE conversations SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                        (*[row[c] for c in columns], row["id"]))
        done += len(undo.old_messages)
        yield done, total
        for chunk in _chunks(undo.created_customer_ids):
            cur.execute(f"DELETE FROM customers WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        if self.summary.batch_id is not None:
            cur.execute("DELETE FROM import_batches WHERE id = ?", (self.summary.batch_id,))
        return total


    def _refuse_if_reached_since(self, cur: BulkCursor) -> None:
        """Refuses, inside the undo's transaction, when another edit since rests on what the undo would delete
        or put back: a card made from its conversations, a contact flag on a customer it created, an author's
        role corrected, a later import that rewrote the same tickets (the rule: storage/undo_reach.py). Undo takes
        back only the import; such work, by a teammate on a team workspace, is never deleted silently with it."""
        undo = self.summary.undo
        lock_reach(cur)
        refuse_undo_if_reached_since(self.name, undo.footprint, footprint(cur, undo.reach()))


def _run_to_end(steps: Generator) -> None:
    for _step in steps:
        pass


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
