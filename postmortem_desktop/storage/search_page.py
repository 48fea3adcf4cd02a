"""One page of conversation ids from several full-text queries, for both engines' search."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, text


def first_ids(conn: Connection, statements: Iterable[str], params: Mapping[str, Any], wanted: int,
              execution_options: Mapping[str, Any] | None = None) -> list[int]:
    """Up to `wanted` distinct ids, from each statement in turn, in the order its rows come.

    The rows stream from the index, so reading stops (and the rest of the statements never run) as soon
    as the page is full: a common word over 100k conversations costs one page, not every match.
    """
    found: dict[int, None] = {}
    for sql in statements:
        result = conn.execute(text(sql), dict(params), execution_options=dict(execution_options or {}))
        try:
            for (cid,) in result:
                found.setdefault(cid)
                if len(found) >= wanted:
                    break
        finally:
            result.close()
        if len(found) >= wanted:
            break
    return list(found)
