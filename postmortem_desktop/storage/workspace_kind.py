"""Which kind of workspace a name means: a file (SQLite, the default) or a team workspace (a URL).

This is the one place that tells the two apart. A team workspace is named by a `postgresql://` URL
(libpq's form); everything else is a file name. A URL's password is never shown: `shown_address`
is the form every message, title and recent-files entry uses, and libpq's own password sources
(PGPASSWORD, ~/.pgpass, a service file) are the way to give one.
"""
from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import WorkspaceError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# SQLAlchemy is imported inside the functions that parse a URL: the app asks kind_of() before its first
# paint, and the window is drawn before SQLAlchemy (~0.2 s) is loaded (tests/ui/test_startup.py).

TEAM_SCHEMES = ("postgresql", "postgres")
# libpq reads these from a URL's query too; they must never be shown or remembered
_SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})
# what rendered() percent-encodes (and any control character): what would end a URL's part, or be read as another
# character (SQLAlchemy reads "+" as a space, libpq refuses a space); all else, non-ASCII letters too, stays as it is
_ESCAPED = frozenset("%&=#+@:/?[]\\ ")
# ...but a query value (a CA file's path, mostly) keeps these: libpq and SQLAlchemy read them back unchanged
_PLAIN_IN_QUERY = "/:\\"


class WorkspaceKind(str, Enum):
    FILE = "file"  # one SQLite file on one machine: the default
    TEAM = "team"  # a PostgreSQL database several people share


def kind_of(target: Path | str) -> WorkspaceKind:
    if isinstance(target, str) and target.split("://", 1)[0].lower() in TEAM_SCHEMES and "://" in target:
        return WorkspaceKind.TEAM
    return WorkspaceKind.FILE


def team_url(address: str) -> URL:
    """The SQLAlchemy URL for a team workspace's address, on the psycopg 3 driver."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(address)
    except ArgumentError as exc:
        raise WorkspaceError(f"{shown_address(address)} is not a PostgreSQL address. Write it as "
                             "postgresql://USER@HOST:PORT/DATABASE.") from exc
    if not url.database:
        raise WorkspaceError(f"{shown_address(address)} names no database. Write it as "
                             "postgresql://USER@HOST:PORT/DATABASE.")
    return url.set(drivername="postgresql+psycopg")


def shown_address(address: str) -> str:
    """The address without any password (in the user part or the query), fit to print or remember."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(address)
    except ArgumentError:
        # not parseable: show only the scheme and host part, never what might be a password
        scheme, _, rest = address.partition("://")
        return f"{scheme}://{rest.rsplit('@', 1)[-1].split('/', 1)[0]}"
    secrets = [key for key in url.query if key.lower() in _SECRET_QUERY_KEYS]
    shown = url.difference_update_query(secrets)._replace(password=None, drivername=url.drivername.split("+", 1)[0])
    return rendered(shown)


def password_in(address: str) -> str | None:
    """The password an address carries (in its user part or its query), None when it carries none."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(address)
    except ArgumentError:
        return None
    if url.password:
        return str(url.password)
    query = [value for key, value in url.query.items() if key.lower() == "password"]
    return next((v if isinstance(v, str) else v[0] for v in query), None)


def rendered(url: URL) -> str:
    """url written out as SQLAlchemy would, but for its query values: escaped only where they must be, so that a
    CA file's path reads as a path (sslrootcert=/etc/ssl/team-ca.pem, not %2Fetc%2Fssl%2Fteam-ca.pem) and a space
    is %20, which libpq reads as a space (SQLAlchemy's "+" it reads as a plus); and for the user and password, where
    SQLAlchemy leaves a space as it is, which libpq refuses ("unexpected spaces found")."""
    base = url._replace(username=None, password=None).set(query={}).render_as_string(hide_password=False)
    if url.username is not None or url.password is not None:
        login = _escaped(url.username or "") + ("" if url.password is None else f":{_escaped(str(url.password))}")
        scheme, rest = base.split("://", 1)
        base = f"{scheme}://{login}@{rest}"
    pairs = [f"{_escaped(key)}={_escaped(value, keep=_PLAIN_IN_QUERY)}"
             for key in sorted(url.query) for value in _values(url.query[key])]
    return f"{base}?{'&'.join(pairs)}" if pairs else base


def _escaped(value: str, *, keep: str = "") -> str:
    from urllib.parse import quote

    return "".join(quote(char, safe="") if (char in _ESCAPED and char not in keep) or not char.isprintable() else char
                   for char in value)


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def address_key(address: str) -> str:
    """What tells two addresses of team workspaces apart: the TLS mode "prefer" is libpq's default, which the dialog
    spells out and a typed address leaves out, so both name one workspace (the recent list shows it once)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(address)
    except ArgumentError:
        return address
    if url.query.get("sslmode") == "prefer":
        url = url.difference_update_query(["sslmode"])
    return rendered(url)


def team_address(*, host: str, port: int, database: str, user: str, tls_mode: str = "", ca_file: str = "") -> str:
    """The postgresql:// address for a server's details, TLS options in libpq's words (sslmode, sslrootcert)."""
    from sqlalchemy.engine import URL

    query = {key: value for key, value in (("sslmode", tls_mode), ("sslrootcert", ca_file)) if value}
    return rendered(URL.create("postgresql", username=user or None, host=host or None, port=port,
                               database=database or None, query=query))


def remembered_address(url: URL) -> str:
    """What a team workspace's address may be remembered as outside the keyring (a meeting file says where it was
    saved from): host, port, database, user and the TLS options to reach it, rebuilt from those alone, so no
    password (in the user part, the query, or set on the URL from the keyring) can come along."""
    from sqlalchemy.engine import URL

    query = {key: value for key in ("sslmode", "sslrootcert") if isinstance(value := url.query.get(key), str)}
    return rendered(URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                               database=url.database, query=query))


def display_name(target: Path | str) -> str:
    if kind_of(target) is WorkspaceKind.TEAM:
        return shown_address(os.fspath(target))
    return Path(target).name
