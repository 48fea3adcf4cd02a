"""The rows that rows about to be written name by their foreign keys: which of them are gone.

An undo or redo writes rows again that name others (a card's tag names its column, a conversation its customer);
a teammate may have deleted one of those since. Both callers ask here: an edit's undo refuses in words
(services/commands.refuse_if_parents_gone), a deleted incident's restore applies the key's own rule
(snapshot.restore). Never the database's foreign-key error.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, ForeignKey, FromClause, select
from sqlalchemy.orm import Session

from .id_sets import among


def gone_parents(reader: Session | Connection, table: FromClause, rows: list[dict[str, Any]], *,
                 written_too: frozenset[str] | tuple[str, ...] = ()) -> Iterator[tuple[ForeignKey, set[Any]]]:
    """Each foreign key of table whose rows name a parent no longer there, with the keys gone. The parents still
    there are held FOR KEY SHARE until the transaction ends on a team workspace, so a delete committing at the same
    moment waits rather than slipping in between this check and the write. written_too: the tables written in the
    same step (their rows need no check)."""
    for key in table.foreign_keys:
        column, parent = key.parent.name, key.column
        named = {row[column] for row in rows if row.get(column) is not None}
        if parent.table.name in written_too or not named:
            continue
        there = set(reader.scalars(select(parent).where(among(parent, named))
                                   .with_for_update(read=True, key_share=True)))
        if named - there:
            yield key, named - there
