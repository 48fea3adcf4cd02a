"""What a database role needs to read or change a team workspace, said as the GRANT statements its owner runs.

One place for these words: the read-only reason of a role that may read but not write (every missing grant
named at once, so following the message once is enough), the refusal of a role that may not even read, and
the README's team section (tests/core/test_team_grants.py holds the README's statements to write_grants and
runs them). A new row's id comes from its table's sequence (nextval: USAGE), so an edit needs that as well as
the tables' INSERT, UPDATE and DELETE; an import or a publish also moves a sequence past the ids it wrote
(setval: UPDATE), so a role with USAGE alone edits normally and is refused those up front.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .errors import AccessRefusedError

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")
_TAKE_IDS = "USAGE"  # nextval: every new row
_MOVE_IDS = "UPDATE"  # setval: an import's or a publish's block of ids


def sql_name(name: str) -> str:
    """A role or schema as SQL must spell it: double-quoted unless a plain lower-case name."""
    return name if _PLAIN_NAME.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def schema_grant(role: str, schema: str = "public") -> str:
    return f"GRANT USAGE ON SCHEMA {sql_name(schema)} TO {sql_name(role)};"


def read_grant(role: str, schema: str = "public") -> str:
    return f"GRANT SELECT ON ALL TABLES IN SCHEMA {sql_name(schema)} TO {sql_name(role)};"


def table_write_grant(role: str, schema: str = "public") -> str:
    return f"GRANT {', '.join(_WRITES)} ON ALL TABLES IN SCHEMA {sql_name(schema)} TO {sql_name(role)};"


def sequence_grant(role: str, schema: str = "public") -> str:
    # USAGE to take the next id; UPDATE because an import or a publish moves a sequence past the ids it wrote
    # (setval), after taking a block of them while it holds the bulk tables (storage/team_bulk.py)
    return f"GRANT {_TAKE_IDS}, {_MOVE_IDS} ON ALL SEQUENCES IN SCHEMA {sql_name(schema)} TO {sql_name(role)};"


def later_tables_grant(role: str, schema: str = "public") -> str:
    # the tables an upgrade adds (the owner's first open with a newer version) are the role's too
    return (f"ALTER DEFAULT PRIVILEGES IN SCHEMA {sql_name(schema)} GRANT {', '.join(_WRITES)} ON TABLES "
            f"TO {sql_name(role)};")


def later_sequences_grant(role: str, schema: str = "public") -> str:
    return (f"ALTER DEFAULT PRIVILEGES IN SCHEMA {sql_name(schema)} GRANT {_TAKE_IDS}, {_MOVE_IDS} ON SEQUENCES "
            f"TO {sql_name(role)};")


def write_grants(role: str, schema: str = "public") -> tuple[str, ...]:
    """Everything a role needs to change the workspace (reading included), now and after an upgrade adds
    tables: the statements the README's team section lists, in its order."""
    return table_write_grant(role, schema), sequence_grant(role, schema), later_tables_grant(role, schema), \
        later_sequences_grant(role, schema)


def _role_and_schema(conn: Connection) -> tuple[str, str]:
    row = conn.execute(text("SELECT current_user, current_schema()")).one()
    return str(row[0]), str(row[1] or "public")


def _has_schema_usage(conn: Connection) -> bool:
    # current_schema() is NULL when the role may use no schema of its search path (to_regclass then finds nothing)
    return bool(conn.scalar(text("SELECT coalesce(has_schema_privilege(current_schema(), 'USAGE'), false)")))


def _has_on_tables(conn: Connection, tables: list[str], privileges: tuple[str, ...]) -> bool:
    # only the tables there are: an older format lacks the ones its upgrade adds
    return bool(conn.scalar(text(
        "SELECT coalesce(bool_and(has_table_privilege(t, p)), true) FROM unnest(CAST(:tables AS text[])) AS t, "
        "unnest(CAST(:privileges AS text[])) AS p WHERE to_regclass(t) IS NOT NULL"),
        {"tables": tables, "privileges": list(privileges)}))


def _has_on_sequences(conn: Connection, privilege: str) -> bool:
    # the workspace's database is its own: every sequence of its schema is one of its tables'
    return bool(conn.scalar(text(
        "SELECT coalesce(bool_and(has_sequence_privilege(c.oid, :privilege)), true) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"),
        {"privilege": privilege}))


def refusal_to_read(name: str, role: str, schema: str = "public", detail: str = "", *,
                    schema_usage: bool = True) -> AccessRefusedError:
    """The refusal of a role that may not read the workspace at name, with the grants to ask its owner for
    (USAGE on the schema too when it lacks that: PostgreSQL grants it on `public` to everyone by default).

    role: current_user; "" when it is not known, and then no statement is named (never a made-up role)."""
    why = f" ({detail})" if detail else ""
    if not role:
        return AccessRefusedError(
            f"Your database role may not read the team workspace {name}{why}. Nothing was changed. Ask the "
            "workspace's owner for the grants the README's team section lists, then open it again.")
    grants = ([] if schema_usage else [schema_grant(role, schema)]) + list(write_grants(role, schema))
    return AccessRefusedError(
        f"The database role {role} may not read the team workspace {name}{why}. Nothing was changed. Ask the "
        f"workspace's owner to run:\n{_lines(grants)}\nThen open it again. (To let it only read, "
        f"{read_grant(role, schema)} in place of the tables' and sequences' grants is enough.)")


def refuse_unless_readable(conn: Connection, name: str, tables: list[str]) -> None:
    """Raises the refusal to read (naming the grants) when the connection's role may not read every table."""
    schema_usage = _has_schema_usage(conn)
    if schema_usage and _has_on_tables(conn, tables, ("SELECT",)):
        return
    role, schema = _role_and_schema(conn)
    detail = "" if schema_usage else f"it may not use the schema {sql_name(schema)}, which holds the workspace"
    raise refusal_to_read(name, role, schema, detail, schema_usage=schema_usage)


@dataclass(frozen=True)
class WriteGap:
    """Why a role that may read the workspace may not change it: its name, what it may not do (words that follow
    the role's name), and the grants of write_grants it lacks, in the README's order."""

    role: str
    why: str
    missing: tuple[str, ...]


def write_gap(conn: Connection, tables: list[str]) -> WriteGap | None:
    """What the role lacks to change the workspace, every grant at once; None when it may."""
    may_change = _has_on_tables(conn, tables, _WRITES)
    may_number = _has_on_sequences(conn, _TAKE_IDS)
    if may_change and may_number:
        return None
    role, schema = _role_and_schema(conn)
    missing = tuple(statement for statement, lacking in (
        (table_write_grant(role, schema), not may_change), (sequence_grant(role, schema), not may_number),
        (later_tables_grant(role, schema), not may_change), (later_sequences_grant(role, schema), not may_number),
    ) if lacking)
    why = (f"may change its tables but not number new rows (no {_TAKE_IDS} on their id sequences)" if may_change
           else "may read it but not change it")
    return WriteGap(role, why, missing)


def gap_reason(gap: WriteGap, name: str) -> str:
    """The read-only reason of an open workspace whose role lacks the grants gap names."""
    return (f"{name} is open read-only because the database role {gap.role} {gap.why}. Ask the workspace's owner "
            f"to run:\n{_lines(list(gap.missing))}\nThen open it again, or open it as a role that may.")


def cannot_write_reason(conn: Connection, name: str, tables: list[str]) -> str:
    """Why the role may not change the workspace, naming every grant it lacks at once; "" when it may."""
    gap = write_gap(conn, tables)
    return "" if gap is None else gap_reason(gap, name)


def cannot_move_ids_reason(conn: Connection, name: str) -> str:
    """Why the role, which may edit, may not import or publish into the workspace; "" when it may.

    Both take a block of ids and then move each table's sequence past it (setval), which needs UPDATE on the
    sequences; an edit's nextval needs only USAGE. Asked before anything is read or written."""
    if _has_on_sequences(conn, _MOVE_IDS):
        return ""
    role, schema = _role_and_schema(conn)
    return (f"{name} cannot take this change: the database role {role} may add rows one at a time, but not "
            f"number a block of new rows (no {_MOVE_IDS} on the tables' id sequences), as an import, a publish or "
            f"pasted conversations do. Nothing was changed; other edits work as before. Ask the workspace's owner "
            f"to run:\n{_lines([sequence_grant(role, schema)])}\nThen try again.")


def _lines(statements: list[str]) -> str:
    """One statement a line, indented: easy to tell apart and to copy into psql."""
    return "\n".join(f"    {statement}" for statement in statements)


def refusal_to_write_detail(role: str, schema: str = "public") -> str:
    """What to ask for when the server refused a change for want of rights (a grant taken away while open)."""
    return f"Ask the workspace's owner to run: {' '.join(write_grants(role, schema))}"
