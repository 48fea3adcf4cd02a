"""Customer severity: the evidence, the suggestion from it, and the facilitator's decision."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, distinct, func, select

from ..domain import severity, timing
from ..domain.vocabulary import SEVERITIES
from ..storage.decisions import SEVERITY_CONFIRMED, SEVERITY_DECISIONS, SEVERITY_OVERRIDDEN, who_decided
from ..storage.impact_query import overlaps_review_window
from ..storage.schema import Conversation, Incident
from ..storage.workspace import Workspace
from .commands import RuleError
from .incidents import IncidentService
from .review_answers import RecordedDecision
from .review_evidence import (
    MONEY_PHRASES,
    count_conversations_with,
    incident_row,
    related_conversations,
    tag_counts,
)


@dataclass(frozen=True)
class SeverityState:
    suggestion: severity.SeveritySuggestion
    confirmed: str
    reason: str
    #: who made the decision that stands, from the incident's history ("" on a file, or when it says no one)
    decided_by: str = ""


class SeverityService:
    """Customer severity for the review screen and the report; each call reads plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def money_mentions(self, incident_id: int) -> int:
        """Conversations whose customer wrote about money (the part of the evidence that scans message text)."""
        with self.workspace.reading() as session:
            return count_conversations_with(session, incident_id, MONEY_PHRASES)

    def severity_evidence(self, incident_id: int, money_mentions: int | None = None) -> severity.SeverityEvidence:
        """money_mentions: counted before from unchanged conversations (None: counted now)."""
        impact = IncidentService(self.workspace).impact(incident_id)
        with self.workspace.reading() as session:
            inc = incident_row(session, incident_id)
            # accounts whose conversations reach into the review window: the ones the review sees
            related = and_(related_conversations(incident_id), overlaps_review_window())
            accounts = session.scalar(select(func.count(distinct(Conversation.customer_id)))
                                      .join(Incident, Incident.id == Conversation.incident_id).where(related)) or 0
            anonymous = session.scalar(select(func.count(Conversation.id))
                                       .join(Incident, Incident.id == Conversation.incident_id)
                                       .where(related, Conversation.customer_id.is_(None))) or 0
            counts = tag_counts(session, incident_id)
            money = (count_conversations_with(session, incident_id, MONEY_PHRASES) if money_mentions is None
                     else money_mentions)
            technical = inc.technical_severity
        return severity.SeverityEvidence(
            technical_severity=technical,
            technical_minutes=timing.minutes(impact.technical.duration) if impact.technical else None,
            customer_minutes=timing.minutes(impact.customer.duration) if impact.customer else None,
            accounts_affected=accounts + anonymous, money_mentions=money,
            risky_workarounds=counts.get("risky-workaround", 0), trust_loss=counts.get("trust-loss", 0),
            data_fear=counts.get("data-fear", 0), work_stopped=counts.get("work-stopped", 0),
            churn_risk=counts.get("churn-risk", 0))

    def suggestion(self, incident_id: int, money_mentions: int | None = None) -> severity.SeveritySuggestion:
        """The suggested customer severity and its reasons (see severity_evidence for money_mentions)."""
        return severity.suggest(self.severity_evidence(incident_id, money_mentions))

    def severity(self, incident_id: int, suggestion: severity.SeveritySuggestion | None = None) -> SeverityState:
        """The suggestion beside the decision; suggestion: one worked out before from the same evidence (a screen
        re-reading the decision after an edit that cannot change the evidence)."""
        suggestion = suggestion or self.suggestion(incident_id)
        details = IncidentService(self.workspace).get(incident_id)
        with self.workspace.reading() as session:
            by = who_decided(session, incident_id, SEVERITY_DECISIONS) if details.customer_severity else ""
        return SeverityState(suggestion, details.customer_severity, details.customer_severity_reason, by)


# ---- commands ------------------------------------------------------------------------------------
class DecideSeverity(RecordedDecision):
    """The facilitator confirms the suggested customer severity, or overrides it with a reason."""
    incident_id: int  # always given here (the base allows None)
    conflicts_with_names = "% Customer Severity"  # confirmed or overridden

    refused_when_closed = True

    def __init__(self, incident_id: int, suggestion: severity.SeveritySuggestion, level: str, reason: str = "",
                 shown: SeverityState | None = None):
        """shown: the decision the facilitator saw (None: no check); a teammate's decision since is refused
        (EditConflict), not overwritten."""
        if level not in SEVERITIES:
            raise RuleError(f"Customer severity must be one of {', '.join(SEVERITIES)}.")
        reason = reason.strip()
        overridden = level != suggestion.suggested
        if overridden and not reason:
            raise RuleError(f"Say why the customer severity is {level} rather than the suggested "
                            f"{suggestion.suggested}.")
        kind = SEVERITY_OVERRIDDEN if overridden else SEVERITY_CONFIRMED
        detail = (f"customer {level} (suggested {suggestion.suggested}): {reason}" if overridden
                  else suggestion.sentence() + (f". Note: {reason}" if reason else ""))
        super().__init__(incident_id, {"customer_severity_suggested": suggestion.suggested,
                                       "customer_severity": level,
                                       "customer_severity_reason": reason or suggestion.sentence()},
                         kind, detail, based_on=None if shown is None else {
                             "customer_severity": shown.confirmed, "customer_severity_reason": shown.reason})
        self.name = "Override Customer Severity" if overridden else "Confirm Customer Severity"
        self.suggestion, self.level, self.reason = suggestion, level, reason

    def again_over(self, shown: SeverityState) -> DecideSeverity:
        """The same decision, made from the one now stored (Keep mine after a teammate decided)."""
        return DecideSeverity(self.incident_id, self.suggestion, self.level, self.reason, shown=shown)
