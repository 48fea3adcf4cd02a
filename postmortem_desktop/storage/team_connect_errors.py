"""Why libpq could not connect to a team workspace's server, in words that say what to do.

libpq gives no SQLSTATE for a failed connection (psycopg's error carries none), only its message, so
the kinds are told apart by the phrases libpq and the server write (PostgreSQL's `fe-connect.c`,
`fe-secure-openssl.c` and `auth.c`). What matches none of them is left to the caller's general
"server not reachable" message, but for a host name that could not be looked up (psycopg's own words), which
host_not_found says apart: a typo or a VPN to connect, not a server to start.
"""
from __future__ import annotations

from pathlib import Path

from .errors import (
    AccessRefusedError,
    NoSuchDatabaseError,
    PasswordNeededError,
    PasswordRejectedError,
    ServerUnavailableError,
    TlsRefusedError,
)
from .team_connection_state import unresolved_host
from .team_grants import sql_name
from .team_passwords import pgpass_file, pgpass_line_used

# lower-cased phrases, per kind, in the order they are tried
_PASSWORD_NEEDED = ("no password supplied", "password is required")
_PASSWORD_REJECTED = ("password authentication failed",)
#: libpq's line after a refused password it took from the password file (fe-connect.c, pgpassfileWarning)
_FROM_PASSWORD_FILE = 'password retrieved from file "'
_NO_DATABASE = ("does not exist",)  # FATAL: database "x" does not exist
_NO_CONNECT = ("permission denied for database",)  # FATAL: ... "x" (DETAIL: User does not have CONNECT privilege.)
# "server does not support SSL", "certificate verify failed", "root certificate file ... does not exist",
# a pg_hba.conf that only lets TLS in ("... no encryption")
_TLS = ("ssl", "certificate", "tls", "no encryption")


def connection_refusal(detail: str, name: str, *, more: str = "") -> ServerUnavailableError | AccessRefusedError | None:
    """The error that explains libpq's first line (detail) for the workspace at name; None when unknown.

    more: libpq's whole message, whose later lines say whether a refused password came from its password file."""
    # only what follows 'connection to server at "HOST", port N failed:', so a host's name never matches
    said = detail.rsplit(" failed: ", 1)[-1].lower()
    if said.startswith("failed to resolve host"):
        return None
    if any(phrase in said for phrase in _PASSWORD_NEEDED):
        return PasswordNeededError(
            f"{name} asks for a password and none was given. Type it where the app asks for it, or keep it in "
            f"libpq's password file ({pgpass_file()}), a service file or PGPASSWORD.")  # the one in use
    if any(phrase in said for phrase in _PASSWORD_REJECTED):
        if _FROM_PASSWORD_FILE in more:
            return _password_file_rejected(detail, name, more.split(_FROM_PASSWORD_FILE, 1)[1].rsplit('"', 1)[0])
        return PasswordRejectedError(
            f"{name} refused the user name or password ({detail}). Check both and try again; nothing was changed.")
    if "database \"" in said and any(phrase in said for phrase in _NO_DATABASE):
        return NoSuchDatabaseError(
            f"The server answered, but has no such database ({detail}). Check the database name, or ask the "
            "server's owner to create it (CREATE DATABASE).")
    if any(phrase in said for phrase in _NO_CONNECT):
        phrase = _NO_CONNECT[0]
        database = sql_name(detail[detail.lower().rindex(phrase) + len(phrase):].strip().strip('"'))
        return AccessRefusedError(
            f"{name}: the server answered, but your database role may not connect to this database ({detail}). "
            f"Nothing was changed. Ask the database's owner to let the role you log in as connect (GRANT CONNECT "
            f"ON DATABASE {database} TO that role), then try again.")
    if any(phrase in said for phrase in _TLS):
        return TlsRefusedError(
            f"{name}: the secure connection (TLS) the address asks for could not be set up ({detail}). Check the "
            "TLS mode and the CA file, or ask the server's owner which TLS the server offers.")
    return None


def _password_file_rejected(detail: str, name: str, file: str) -> PasswordRejectedError:
    """The server refused the password libpq read from its password file: which file, and which line to fix."""
    used = pgpass_line_used(name, Path(file))
    line = f"line {used[0]} ({used[1]})" if used is not None else "the first line that matches this login"
    return PasswordRejectedError(
        f"{name} refused the password libpq took from its password file {file}, {line} ({detail}). That line's "
        f"password is out of date, or for another server: correct it or remove that line, or type the password "
        f"where the app asks for it; nothing was changed.")


def host_not_found(detail: str, name: str, *, changing: bool) -> ServerUnavailableError | None:
    """The error for a host name in the address that could not be found (detail: psycopg's first line); None for any
    other failure. changing: it ended a change, whose loss is then said, rather than an open, test or read."""
    host = unresolved_host(detail)
    if host is None:
        return None
    lost, then = (("Nothing of the last change was saved.", "once the server answers again, make the change again")
                  if changing else ("Nothing was changed.", "then try again"))
    return ServerUnavailableError(
        f"Could not reach {name}: no computer named {host} could be found ({detail}). {lost} Check the host name "
        f"for a typing mistake, and that this computer is on the network (and the VPN, if the server needs one); "
        f"{then}.")
