"""Where a team workspace's password is kept: the system keyring, or libpq's own password file.

Never in the app's settings or any file of its own: the recent list holds the address without its
password (workspace_kind.shown_address). The keyring (macOS Keychain, Windows Credential Locker, a
Secret Service on Linux) is reached through the `keyring` package, which picks the platform's store;
a headless Linux machine often has none, and then libpq's password file (~/.pgpass) is the offer.
One entry per role, server and database, so TLS options in the address do not matter.
"""
from __future__ import annotations

import getpass
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import WorkspaceError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

#: the keyring's service name for every team workspace's entry
KEYRING_SERVICE = "postmortem-desktop team workspace"
NO_KEYRING = ("No system keyring is available on this computer (on Linux a Secret Service, such as GNOME "
              "Keyring or KWallet, must be running), so the password cannot be remembered there. Keep it in "
              "libpq's password file instead, or enter it each time.")


class KeyringUnavailableError(WorkspaceError):
    """No system keyring could keep the password; nothing was stored."""

    refusal = True


def keyring_missing_reason() -> str:
    """Why no system keyring can keep a password here; "" when one can."""
    import keyring

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend configuration: keyring's own errors are not all KeyringError
        log.info("no keyring backend: %s", exc)
        return NO_KEYRING
    # the fail and null backends (priority 0 and below) are keyring's way of saying there is no store
    return NO_KEYRING if getattr(backend, "priority", 0) <= 0 else ""


def where_kept() -> str:
    """Where File › Open Team Workspace… can keep a password on this computer, for a hint: the system keyring, or
    libpq's password file when there is no keyring."""
    return f"libpq's password file ({pgpass_file()})" if keyring_missing_reason() else "the system keyring"


def keyring_backend_names() -> set[str]:
    """The keyring backends keyring can find: it finds them by entry point, in its own package metadata,
    which a frozen build (PyInstaller) must carry along or no store is ever found (ui/self_check.py)."""
    from importlib.metadata import entry_points

    return {point.name for point in entry_points(group="keyring.backends")}


def entry_name(address: str) -> str:
    """The keyring entry's name for an address: role, server, port and database, nothing secret."""
    url = _parsed(address)
    return f"postgresql://{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def remember_password(address: str, password: str) -> None:
    """Keeps the password in the system keyring; KeyringUnavailableError (nothing stored) when there is none."""
    import keyring
    from keyring.errors import KeyringError

    reason = keyring_missing_reason()
    if reason:
        raise KeyringUnavailableError(reason)
    try:
        keyring.set_password(KEYRING_SERVICE, entry_name(address), password)
    except KeyringError as exc:  # a locked or refused store
        raise KeyringUnavailableError(f"The system keyring did not take the password ({exc}). It was not "
                                      "remembered; keep it in libpq's password file, or enter it each time.") from exc


def stored_password(address: str) -> str | None:
    """The password the keyring keeps for the address; None when it keeps none (or there is no keyring)."""
    import keyring
    from keyring.errors import KeyringError

    if keyring_missing_reason():
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, entry_name(address))
    except KeyringError as exc:  # a locked store the person declined to open: ask instead
        log.info("keyring did not give the password: %s", exc)
        return None


def forget_password(address: str) -> None:
    """Removes the keyring's entry for the address, if there is one (a password the server refused)."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if keyring_missing_reason():
        return
    try:
        keyring.delete_password(KEYRING_SERVICE, entry_name(address))
    except (PasswordDeleteError, KeyringError) as exc:
        log.info("keyring kept no password to forget: %s", exc)


def pgpass_file() -> Path:
    """libpq's password file: PGPASSFILE, else %APPDATA%/postgresql/pgpass.conf on Windows, else ~/.pgpass."""
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def add_to_pgpass(address: str, password: str) -> Path:
    """Writes the password into libpq's password file, readable by its owner only, as libpq requires; the file's
    other lines stay as they were. libpq uses the first line that matches a login, so the new line goes before any
    that would match this role, server, port and database (a wildcard line with an older password, say), and a line
    for exactly these is replaced; with none, it goes at the end."""
    url = _parsed(address)
    fields = [url.host or "localhost", str(url.port or 5432), url.database or "*", url.username or "*"]
    line = ":".join(_pgpass_escaped(f) for f in [*fields, password]) + "\n"
    target = pgpass_file()
    try:
        kept = [old for old in _lines(target) if _login_fields(old) != fields]
        first_match = next((at for at, old in enumerate(kept) if _matches(_login_fields(old), fields)), len(kept))
        _replace(target, "".join([*kept[:first_match], line, *kept[first_match:]]))
    except OSError as exc:
        raise WorkspaceError(f"Cannot write libpq's password file {target}: {exc.strerror}. Nothing was "
                             "changed; enter the password each time instead.") from exc
    return target


def pgpass_line_used(address: str, path: Path) -> tuple[int, str] | None:
    """The line of the password file at path libpq takes the address's password from (the first that matches its
    role, server, port and database): its number (from 1) and its text without the password; None when none does."""
    url = _parsed(address)
    wanted = [url.host or "localhost", str(url.port or 5432), url.database or "", url.username or getpass.getuser()]
    try:
        lines = _lines(path)
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, start=1):
        fields = _login_fields(line)
        if fields is not None and _matches(fields, wanted):
            return number, ":".join(_pgpass_escaped(f) for f in fields) + ":…"
    return None


def _login_fields(line: str) -> list[str] | None:
    """A password file line's host, port, database and user, unescaped; None for a comment or a line libpq skips."""
    if line.startswith("#"):
        return None
    fields: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line.rstrip("\r\n"):
        if escaped or char not in "\\:":
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            fields.append("".join(current))
            current = []
            if len(fields) == 4:  # the rest is the password
                return fields
    return None


def _matches(fields: list[str] | None, wanted: list[str]) -> bool:
    """Whether a line's login fields match these (libpq's rule: equal, or "*")."""
    return fields is not None and all(field in ("*", value) for field, value in zip(fields, wanted, strict=True))


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(keepends=True)]


def _replace(target: Path, text: str) -> None:
    """Written beside the file, owner-only from the start, then renamed over it: never half-written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _pgpass_escaped(value: str) -> str:
    # libpq's password file: a colon or backslash inside a field is written with a backslash before it
    return value.replace("\\", "\\\\").replace(":", "\\:")


def _parsed(address: str) -> URL:
    from .workspace_kind import team_url  # parses with SQLAlchemy, loaded only once a team workspace is used

    return team_url(address)
