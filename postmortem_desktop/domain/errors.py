"""The errors the product's rules raise, shared by every layer (their messages are for people)."""
from __future__ import annotations


class RuleError(Exception):
    """An edit the product's rules refuse (closing too early, a window that ends before it starts)."""


class MissingIncident(RuleError):
    """An incident id that is not in the workspace (a stale link, or a mistyped --incident)."""

    def __init__(self, incident_id: int):
        super().__init__(f"There is no incident {incident_id} in this workspace.")
        self.incident_id = incident_id


class EditConflict(RuleError):
    """Someone else changed what an edit was based on since it was read: refused, with both versions.

    Optimistic versioning for team workspaces, where several people edit one record: an edit says
    what it started from (`based_on`), and is refused when the stored value is no longer that, so no
    one's text is overwritten silently. The person keeps theirs (edit again, based on `theirs`) or
    takes the other.
    """

    def __init__(self, what: str, *, based_on: object, yours: object, theirs: object, by: str = ""):
        super().__init__(f"{what} was changed by {by or 'someone else'} after you started editing it, so your "
                         "change was not saved. Look at their version, then make your change again if you still "
                         "want it.")
        self.what = what
        self.based_on = based_on
        self.yours = yours
        self.theirs = theirs
        #: who made the change (the incident's history: the last teammate who made the same edit); "" unknown
        self.by = by

    def naming(self, by: str) -> EditConflict:
        """The same conflict, saying who changed it."""
        return EditConflict(self.what, based_on=self.based_on, yours=self.yours, theirs=self.theirs, by=by)


class ChangedSince(RuleError):
    """An undo or redo refused: what it would overwrite was changed by someone else since, on a team workspace.

    Undo puts back what was there before the edit, redo makes the edit again over what the undo left; either
    would silently overwrite a teammate's change made in between, so nothing is written and the person is
    told who changed it (`by`, from the incident's history; empty when unknown, as on a file) and what to do.
    """

    def __init__(self, what: str, *, undoing: bool, by: tuple[str, ...] = (), depends: str = "", advice: str = ""):
        """advice: what to do instead, when the edit has better words for it than the general ones here."""
        who = _listed(by) if by else "someone else"
        if undoing and depends:  # an undo that deletes what the edit added: `depends` says what rests on it
            message = (f"{_named(what)} cannot be undone: since your edit, {who} built on or changed what it added "
                       f"({depends}), and undoing would delete that work with it. Nothing was undone: ask them, or "
                       "remove that work first if this should still go.")
        elif undoing:
            message = (f"{_named(what)} cannot be undone: it was changed by {who} since your edit, and undoing would "
                       "overwrite their change. " + (advice or "Edit it again by hand if it still needs changing."))
        else:
            message = (f"{_named(what)} cannot be redone: it was changed by {who} after you undid it, and redoing "
                       "would overwrite their change. " + (advice or "It stays as they left it: look at it again and "
                                                           "make your change by hand if it is still needed."))
        super().__init__(message)
        self.what = what
        self.undoing = undoing
        self.by = by
        self.depends = depends
        self.advice = advice

    def naming(self, by: tuple[str, ...]) -> ChangedSince:
        """The same refusal, saying who changed it."""
        return ChangedSince(self.what, undoing=self.undoing, by=by, depends=self.depends, advice=self.advice)


def _named(what: str) -> str:
    """An edit's name in quotes, unless it quotes what it names itself ("Merge “a” into “b”"): nested, it read
    “Merge “a” into “b”” cannot be undone."""
    return what if any(mark in what for mark in "“”\"") else f"“{what}”"


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
