"""Undo and redo of a finished spreadsheet import, as one step on the undo stack."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..storage.workspace import Workspace
from .commands import Command, RuleError
from .ticket_import import ImportSummary, ImportUndoData


class UndoableImport(Command):
    """Pushed after an import has run (on a worker); undo restores the incident as it was before.

    Redo runs the same import again through `rerun`, which the caller supplies (it holds the file
    and the mapping), so the conversation ids may differ from the first run.
    """

    affects = frozenset({"incidents", "timeline", "board"})

    def __init__(self, incident_id: int, summary: ImportSummary, rerun: Callable[[], ImportSummary]):
        self.incident_id = incident_id
        self.summary = summary
        self._rerun = rerun
        self.name = f"Import {summary.file_name}"

    def do(self, workspace: Workspace) -> None:
        try:
            self.summary = self._rerun()
        except ValueError as error:  # the file is unreadable now, or changed while it was read again
            # Nothing was imported, so a later undo must take nothing away: its ids are stale.
            self.summary = replace(self.summary, undo=ImportUndoData(), batch_id=None)
            raise RuleError(f"Redo could not import {self.summary.file_name} again: {error}") from error

    def undo(self, workspace: Workspace) -> None:
        undo = self.summary.undo
        raw = workspace.engine.raw_connection()
        cur = raw.driver_connection.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            _delete_ids(cur, "conversations", undo.created_conversation_ids)
            updated = [row["id"] for row in undo.old_conversations]
            for start in range(0, len(updated), 500):
                chunk = updated[start:start + 500]
                cur.execute(f"DELETE FROM messages WHERE id >= ? AND conversation_id IN ({', '.join('?' * len(chunk))})",
                            (undo.first_message_id, *chunk))
            present = {r[0] for r in cur.execute("SELECT id FROM messages WHERE id < ?", (undo.first_message_id,))} \
                if undo.old_messages else set()
            cur.executemany("INSERT INTO messages (id, conversation_id, position, at, author, role, text) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", [m for m in undo.old_messages if m[0] not in present])
            cur.executemany("INSERT OR IGNORE INTO tag_assignments (id, tag_id, quote_id, message_id, source, phrase, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", undo.old_message_tags)
            for row in undo.old_conversations:
                columns = [c for c in row if c != "id"]
                cur.execute(f"UPDATE conversations SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                            (*[row[c] for c in columns], row["id"]))
            _delete_ids(cur, "customers", undo.created_customer_ids)
            if self.summary.batch_id is not None:
                cur.execute("DELETE FROM import_batches WHERE id = ?", (self.summary.batch_id,))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()
            raw.close()


def _delete_ids(cur, table: str, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cur.execute(f"DELETE FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
