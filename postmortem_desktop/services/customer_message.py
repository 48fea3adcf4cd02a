"""The customer message: a first draft from the record, and the decision to send it or not."""
from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import select

from ..domain import timing
from ..storage.schema import ActionItem
from ..storage.workspace import Workspace
from .commands import RuleError
from .incidents import IncidentService
from .review_answers import RecordedDecision
from .review_evidence import incident_row


class CustomerMessageService:
    """Drafts the note to affected customers from the record's customer-facing facts."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def draft_message(self, incident_id: int, zone_name: str = "UTC") -> str:
        details = IncidentService(self.workspace).get(incident_id)
        impact = IncidentService(self.workspace).impact(incident_id)
        with self.workspace.reading() as session:
            inc = incident_row(session, incident_id)
            # Only which areas have fixes planned: the items themselves are internal (owners, systems,
            # wording meant for the team) and never go into a message for customers.
            areas = set(session.scalars(select(ActionItem.area).where(ActionItem.incident_id == incident_id)))
            worked_around = bool((inc.first_workaround or "").strip())
        return draft_customer_message(details.title, impact.technical, impact.customer, worked_around,
                                      areas, zone_name)


def _zone(zone_name: str) -> tuple[tzinfo, str]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(zone_name), zone_name
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone falls back to UTC rather than failing a draft
        return ZoneInfo("UTC"), "UTC"


def _when(window: timing.Window | None, zone_name: str) -> str:
    if window is None:
        return "Recently"
    zone, zone_name = _zone(zone_name)
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    return f"On {start:%A %d %B}, from {start:%H:%M} to {end:%H:%M} ({zone_name})"


def _clause(text: str) -> str:
    """A title inside a sentence: lower-case first letter unless it starts with an acronym or a name."""
    text = text.strip().rstrip(".")
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def draft_customer_message(title: str, technical: timing.Window | None, customer: timing.Window | None,
                           worked_around: bool = False, action_areas: set[str] | frozenset[str] = frozenset(),
                           zone_name: str = "UTC") -> str:
    """A first draft of the note to affected customers: what was affected and when, what we did, what changes.

    Written only from facts meant for customers (the incident's title, its windows, which areas have fixes
    planned). The review's answers (the task that broke, the workaround people found) are the team's own
    words about named customers: they decide what the draft advises, but are never quoted in it.
    """
    parts = [f"Subject: {title} — what happened and what we are doing", "",
             f"What happened: {_when(technical, zone_name)}, {_clause(title)}. The fault was on our side, not yours."]
    meaning = ["What it means for you: anything you tried to do with us during that time may not have gone through."]
    if worked_around:
        meaning.append("If you tried again or did something another way while it was failing, please check "
                       "for anything done twice; we will put right anything that went wrong.")
    if customer and technical and customer.end > technical.end:
        zone, _ = _zone(zone_name)
        ended, recovered = customer.end.astimezone(zone), technical.end.astimezone(zone)
        day = "" if ended.date() == recovered.date() else f" on {ended:%A %d %B}"
        meaning.append(f"Some effects lasted after the service recovered, until about {ended:%H:%M}{day}, so "
                       "please tell us if anything still looks wrong.")
    # a technical window has an end only once the service recovered
    doing = ["What we are doing: the fault is fixed." if technical else "What we are doing: we are fixing the fault."]
    if action_areas & {"product", "engineering", "operations"}:
        doing.append("We have planned changes so that it does not happen again.")
    if "support" in action_areas:
        doing.append("Our support team knows what happened and can help you check your account.")
    parts += ["", " ".join(meaning), "", " ".join(doing),
              "", "We are sorry for the disruption. Reply to this message and a person will answer."]
    return "\n".join(parts)


# ---- commands ------------------------------------------------------------------------------------
class DecideCustomerMessage(RecordedDecision):
    """Marks the customer message sent, or not sending with the reason ('' decision: undecided)."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, decision: str, reason: str = "", shown: tuple[str, str] | None = None):
        """shown: (decision, reason) as the person saw them (None: no check); a teammate's decision since is
        refused (EditConflict), not overwritten."""
        reason = reason.strip()
        if decision not in ("", "sent", "not_sending"):
            raise RuleError("The customer message is either sent or not being sent.")
        if decision == "not_sending" and not reason:
            raise RuleError("Say why the customer message is not being sent.")
        detail = {"sent": "Customer message sent.", "not_sending": f"Customer message not sent: {reason}",
                  "": "Customer message decision withdrawn."}[decision]
        super().__init__(incident_id, {"customer_message_decision": decision,
                                       "customer_message_reason": reason if decision == "not_sending" else ""},
                         f"message_{decision or 'undecided'}", detail, based_on=None if shown is None else {
                             "customer_message_decision": shown[0], "customer_message_reason": shown[1]})
        self.name = "Decide Customer Message"
        self.decision, self.reason = decision, reason

    def again_over(self, shown: tuple[str, str]) -> DecideCustomerMessage:
        """The same decision, made from the one now stored (Keep mine after a teammate decided)."""
        return DecideCustomerMessage(self.incident_id, self.decision, self.reason, shown=shown)
