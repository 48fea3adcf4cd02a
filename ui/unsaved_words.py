"""Words typed in the app that are not saved yet, and the copy kept of them when the person leaves anyway.

On a team workspace a field keeps words the server did not get (it could not be reached) or that a
teammate's change stands against (a conflict not yet decided). Those words live only in the field, so
quitting, opening another workspace or showing another incident would throw them away. Each place that
holds such words says so (`UnsavedWords`, gathered through `KeepsUnsavedWords` in ui/contracts.py); before
leaving, the window asks (ui/leaving.py), and when the person leaves anyway the words are put on the
clipboard and into a plain-text file in the app's data folder, named with the time (`keep_copy`).

The clipboard alone is not enough: on X11 it empties when the app that owns it quits, unless a clipboard
manager runs. The file stays.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtWidgets import QApplication

FOLDER_NAME = "Unsaved words"
SERVER_AWAY = "the team server could not be reached"


@dataclass(frozen=True)
class UnsavedWords:
    """One field's words not saved yet."""

    incident_id: int  # the incident they were typed for
    field: str  # the field's name as the screen shows it, e.g. "Review: Customer damage"
    text: str  # the words as typed
    why: str  # why they are not saved: SERVER_AWAY, or "changed by Ben while you typed"
    #: a save can be tried again now; False for a conflict, which waits for the person's decision
    retryable: bool = True
    #: where the field is, as hub.navigation_requested takes it: (screen key, payload); None: nowhere to go
    go_to: tuple[str, object] | None = None
    #: the holder keeps these when another incident is shown (it saves them to their own incident later)
    kept_on_switch: bool = False


def changed_by(who: str) -> str:
    """The reason for a conflict's words, naming the teammate when known."""
    return f"changed by {who or 'someone else'} while you typed; you have not chosen whose to keep"


def recovery_folder() -> Path:
    """Beside the app's other data (the demo workspace): where copies of unsaved words are kept."""
    return Path(user_data_dir("postmortem-desktop", appauthor=False)) / FOLDER_NAME


def recovery_path(now: datetime | None = None) -> Path:
    """The file the next copy goes to, named with the local time (to the second); a name already taken
    gets a number, so no copy ever replaces another."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H.%M.%S")
    folder = recovery_folder()
    path = folder / f"Unsaved words {stamp}.txt"
    number = 2
    while path.exists():
        path = folder / f"Unsaved words {stamp} ({number}).txt"
        number += 1
    return path


def copy_text(words: Sequence[UnsavedWords], titles: dict[int, str], workspace: str) -> str:
    """The words as one plain text: each field under a heading saying whose incident, which field and why."""
    lines = [f"Words typed in Postmortem Desktop that were not saved ({datetime.now():%Y-%m-%d %H:%M}).",
             f"Workspace: {workspace}", ""]
    for entry in words:
        lines += [f"== {titles.get(entry.incident_id, 'Incident')} — {entry.field} ==",
                  f"(not saved: {entry.why})", entry.text, ""]
    return "\n".join(lines)


def keep_copy(words: Sequence[UnsavedWords], titles: dict[int, str], workspace: str, path: Path) -> Path:
    """Puts the words on the clipboard (the words alone, ready to paste back) and into a new file at path (never
    over an existing one), each under a heading saying whose incident, which field and why (`copy_text`).

    Raises OSError (with the path) when the file cannot be written; the clipboard holds the words anyway."""
    clipboard = QApplication.clipboard()
    if clipboard is not None:
        clipboard.setText("\n\n".join(entry.text for entry in words))
    path.parent.mkdir(parents=True, exist_ok=True)
    # "x": a new file only; 0o600: the words may hold customers' personal data
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
        out.write(copy_text(words, titles, workspace))
        out.flush()
        os.fsync(out.fileno())
    return path
