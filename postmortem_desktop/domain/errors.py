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

    def __init__(self, what: str, *, based_on: object, yours: object, theirs: object):
        super().__init__(f"{what} was changed by someone else after you started editing it, so your change was "
                         "not saved. Keep your version or take theirs.")
        self.what = what
        self.based_on = based_on
        self.yours = yours
        self.theirs = theirs
