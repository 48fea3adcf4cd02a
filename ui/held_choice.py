"""A choice the person is making over a stored value (a decision's buttons, a level, two dates): kept over re-reads.

On a team workspace a teammate's change re-reads the screen within a second. Controls set from the store on every
re-read would drop what the person was choosing there; so each such control remembers what it showed from the store
(`shown`, the value a save of the person's choice is made from) and the state its controls were put in. While the
person has changed them since (`changed`), a re-read leaves them alone: a change of something else is no concern of
theirs, and a change of this same stored value is held as `theirs` (with who made it), for the screen to say so
under the controls (ui/review/text_field.py's ConflictBar, Keep mine / Take theirs), as the review's text fields do.
With nothing changed, the controls show the stored value as before.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class HeldChoice(Generic[V]):
    def __init__(self, controls: Callable[[], object]):
        """controls: the state of the controls now (what the person sees and changes), comparable with ==."""
        self._controls = controls
        self._put: object = None  # the controls' state as last set from the store; None: never set
        #: the stored value the controls were last set from: what a save of the person's choice is based on
        self.shown: V | None = None
        #: a stored value a teammate put there under the person's unsaved choice (None: none, or it was settled)
        self.theirs: V | None = None
        self.by = ""  # who changed it, when known

    @property
    def changed(self) -> bool:
        """The person changed the controls since they were set from the store (a choice not saved yet)."""
        return self._put is not None and self._controls() != self._put

    @property
    def in_conflict(self) -> bool:
        return self.theirs is not None

    def keeps(self, stored: V, mine: V, by: str = "") -> bool:
        """On a re-read: True when the person's choice stays and the caller leaves its controls as they are; False
        when the caller shows stored (then calls `put`).

        mine: what the person's choice would store. Once the store holds just that (their own save, or a teammate
        chose the same) nothing is left to decide; a different value stored since `shown` is `theirs`."""
        if not self.changed or (stored != self.shown and stored == mine):
            return False
        if stored == self.shown:  # another value changed, or theirs was taken back: the person's choice stands alone
            self.theirs, self.by = None, ""
        else:
            self.theirs, self.by = stored, by or self.by
        return True

    def put(self, stored: V) -> None:
        """The controls were just set to show stored: nothing is unsaved, nothing in conflict."""
        self.shown, self._put, self.theirs, self.by = stored, self._controls(), None, ""

    def forget(self) -> None:
        """The controls are for another incident now: the next re-read sets them from the store, whatever they say."""
        self._put, self.shown, self.theirs, self.by = None, None, None, ""
