"""`column IN (these ids)` for any number of ids, binding one parameter.

A list of ids bound one parameter each fails on a big incident: libpq takes at most 65,535 parameters in
a statement and SQLite builds 32,766 (999 before 3.32). So the ids travel as one value: an array on
PostgreSQL (`= ANY`), a JSON array read by `json_each` on SQLite. Both engines plan it as a set lookup.
SQL written by hand on the driver's cursor says the same with `ReadCursor.among` (storage/fast_read.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from .fast_read import ids_param


class _AmongIds(ColumnElement[bool]):
    """A column's value is one of the ids (compiled per engine below)."""

    type = Boolean()
    inherit_cache = False  # the ids are not part of a cache key: every statement is compiled afresh

    def __init__(self, column: ColumnElement[Any], ids: Iterable[int]):
        self.column = column
        self.ids = list(ids)


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """column IN ids, as one bound parameter whatever the number of ids (none: matches nothing)."""
    return _AmongIds(column, ids)


@compiles(_AmongIds, "postgresql")
def _on_postgresql(element: _AmongIds, compiler: SQLCompiler, **kw: Any) -> str:
    ids = bindparam(None, ids_param(True, element.ids), type_=ARRAY(BigInteger))
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(ids, **kw)})"


@compiles(_AmongIds)
def _on_sqlite(element: _AmongIds, compiler: SQLCompiler, **kw: Any) -> str:
    ids = bindparam(None, ids_param(False, element.ids), type_=String())
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(ids, **kw)}))"


__all__ = ["among"]
