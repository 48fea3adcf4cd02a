"""The review's suggestions' evidence, kept between re-reads until a change can alter it.

The severity suggestion and the contact suggestions are worked out from what customers wrote (a scan of every
customer message of the incident, storage/phrase_match.py: about half a second at 120k conversations), their
accepted tags and the incident's windows. An answer, a contact or a decision changed by a teammate changes none
of that, so the review re-reads its record at once and these only after a change of the kinds each depends on.
"""
from __future__ import annotations

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.domain.severity import SeveritySuggestion
from postmortem_desktop.services.contacts import ContactService, ContactSuggestion
from postmortem_desktop.services.customer_severity import SeverityService
from postmortem_desktop.storage.workspace import Workspace

#: what each read depends on
MONEY_READ_FROM = DataChange.CONVERSATION  # customers' own words about money
CANDIDATES_READ_FROM = DataChange.CONVERSATION | DataChange.QUOTE | DataChange.TAG  # own words, accepted tags
#: the severity suggestion also weighs the incident's technical severity and both windows
SUGGESTION_READ_FROM = DataChange.INCIDENT | CANDIDATES_READ_FROM


class KeptEvidence:
    """One incident's suggestions' evidence, read when first asked for and again only after `forget(changes)`
    names a kind it depends on (or another incident or workspace is shown)."""

    def __init__(self) -> None:
        self._of: tuple[int, int] | None = None  # (workspace, incident)
        self._money: int | None = None
        self._suggestion: SeveritySuggestion | None = None
        self._candidates: list[ContactSuggestion] | None = None

    def forget(self, changes: DataChange) -> None:
        if changes & MONEY_READ_FROM:
            self._money = None
        if changes & SUGGESTION_READ_FROM:
            self._suggestion = None
        if changes & CANDIDATES_READ_FROM:
            self._candidates = None

    def _for(self, workspace: Workspace, incident_id: int) -> None:
        if (id(workspace), incident_id) != self._of:
            self._of = (id(workspace), incident_id)
            self.forget(DataChange.everything())

    def suggestion(self, workspace: Workspace, incident_id: int) -> SeveritySuggestion:
        self._for(workspace, incident_id)
        if self._suggestion is None:
            service = SeverityService(workspace)
            if self._money is None:
                self._money = service.money_mentions(incident_id)
            self._suggestion = service.suggestion(incident_id, money_mentions=self._money)
        return self._suggestion

    def candidates(self, workspace: Workspace, incident_id: int) -> list[ContactSuggestion]:
        self._for(workspace, incident_id)
        if self._candidates is None:
            self._candidates = ContactService(workspace).contact_candidates(incident_id)
        return self._candidates
