"""What a database role needs to read or change a team workspace, said as the GRANT statements its owner runs.

One place for these words: the read-only reason of a role that may read but not write (every missing grant
named at once, so following the message once is enough), the refusal of a role that may not even read, and
the README's team section (tests/core/test_team_grants.py runs the README's statements and holds them to
these). A new row's id comes from its table's sequence, so writing needs the sequences (USAGE, and UPDATE for
an import's setval) as well as the tables' INSERT, UPDATE and DELETE.
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .errors import AccessRefusedError

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")
_NUMBERS = ("USAGE", "UPDATE")


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
    return f"GRANT {', '.join(_NUMBERS)} ON ALL SEQUENCES IN SCHEMA {sql_name(schema)} TO {sql_name(role)};"


def write_grants(role: str, schema: str = "public") -> tuple[str, ...]:
    """Everything a role needs to change the workspace (reading included)."""
    return table_write_grant(role, schema), sequence_grant(role, schema)


def _role_and_schema(conn: Connection) -> tuple[str, str]:
    row = conn.execute(text("SELECT current_user, current_schema()")).one()
    return str(row[0]), str(row[1] or "public")


def _has_schema_usage(conn: Connection) -> bool:
    return bool(conn.scalar(text("SELECT has_schema_privilege(current_schema(), 'USAGE')")))


def _has_on_tables(conn: Connection, tables: list[str], privileges: tuple[str, ...]) -> bool:
    # only the tables there are: an older format lacks the ones its upgrade adds
    return bool(conn.scalar(text(
        "SELECT coalesce(bool_and(has_table_privilege(t, p)), true) FROM unnest(CAST(:tables AS text[])) AS t, "
        "unnest(CAST(:privileges AS text[])) AS p WHERE to_regclass(t) IS NOT NULL"),
        {"tables": tables, "privileges": list(privileges)}))


def _may_number_rows(conn: Connection) -> bool:
    # the workspace's database is its own: every sequence of its schema is one of its tables'
    return bool(conn.scalar(text(
        "SELECT coalesce(bool_and(has_sequence_privilege(c.oid, p)), true) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(CAST(:privileges AS text[])) AS p "
        "WHERE c.relkind = 'S' AND n.nspname = current_schema()"), {"privileges": list(_NUMBERS)}))


def refusal_to_read(name: str, role: str, schema: str = "public", detail: str = "", *,
                    schema_usage: bool = True) -> AccessRefusedError:
    """The refusal of a role that may not read the workspace at name, with the grants to ask its owner for
    (USAGE on the schema too when it lacks that: PostgreSQL grants it on `public` to everyone by default)."""
    why = f" ({detail})" if detail else ""
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
    raise refusal_to_read(name, role, schema, schema_usage=schema_usage)


def cannot_write_reason(conn: Connection, name: str, tables: list[str]) -> str:
    """Why the role may not change the workspace, naming every grant it lacks at once; "" when it may."""
    may_change = _has_on_tables(conn, tables, _WRITES)
    may_number = _may_number_rows(conn)
    if may_change and may_number:
        return ""
    role, schema = _role_and_schema(conn)
    missing = ([] if may_change else [table_write_grant(role, schema)]) + \
        ([] if may_number else [sequence_grant(role, schema)])
    why = ("may change its tables but not number new rows (no USAGE and UPDATE on their id sequences)" if may_change
           else "may read it but not change it")
    return (f"{name} is open read-only because the database role {role} {why}. Ask the workspace's owner to run:\n"
            f"{_lines(missing)}\nThen open it again, or open it as a role that may.")


def _lines(statements: list[str]) -> str:
    """One statement a line, indented: easy to tell apart and to copy into psql."""
    return "\n".join(f"    {statement}" for statement in statements)


def refusal_to_write_detail(role: str, schema: str = "public") -> str:
    """What to ask for when the server refused a change for want of rights (a grant taken away while open)."""
    return f"Ask the workspace's owner to run: {' '.join(write_grants(role, schema))}"
