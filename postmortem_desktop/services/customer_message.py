"""The customer message: a first draft from the record, and the decision to send it or not."""
from __future__ import annotations

from sqlalchemy import select

from ..domain import timing
from ..storage.schema import ActionItem
from ..storage.workspace import Workspace
from .commands import RuleError
from .incidents import IncidentService
from .review_answers import RecordedDecision
from .review_evidence import incident_row


class CustomerMessageService:
    """Drafts the note to affected customers from what the record already says."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def draft_message(self, incident_id: int, zone_name: str = "UTC") -> str:
        details = IncidentService(self.workspace).get(incident_id)
        impact = IncidentService(self.workspace).impact(incident_id)
        with self.workspace.reading() as session:
            inc = incident_row(session, incident_id)
            fixes = [d for (d,) in session.execute(
                select(ActionItem.description).where(ActionItem.incident_id == incident_id,
                                                     ActionItem.area.in_(("product", "engineering", "support")))
                .order_by(ActionItem.area.desc(), ActionItem.due_date))][:3]
            task, workaround = inc.most_broken_task, inc.first_workaround
        return draft_customer_message(details.title, impact.technical, impact.customer, task, workaround,
                                      fixes, zone_name)


def _when(window: timing.Window | None, zone_name: str) -> str:
    if window is None:
        return "recently"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone falls back to UTC rather than failing a draft
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    return f"on {start:%A %d %B}, from {start:%H:%M} to {end:%H:%M} ({zone_name})"


def draft_customer_message(title: str, technical: timing.Window | None, customer: timing.Window | None,
                           task: str, workaround: str, fixes: list[str], zone_name: str = "UTC") -> str:
    """A first draft of the note to affected customers: what happened, what it means, what we do."""
    parts = [f"Subject: {title} — what happened and what we are doing", "",
             f"What happened: {_when(technical, zone_name)}, {title[:1].lower() + title[1:]}. "
             "The fault was on our side, not yours."]
    meaning = "What it means for you: "
    if task.strip():
        doing = task.strip()[:1].lower() + task.strip()[1:].rstrip(".")
        meaning += f"if you were {doing}, it may not have gone through. "
    if workaround.strip():
        meaning += ("If you worked around it (for example: "
                    f"{workaround.strip()[:1].lower() + workaround.strip()[1:].rstrip('.')}), "
                    "please check for duplicates; we will put right anything that went wrong. ")
    if customer and technical and customer.end > technical.end:
        meaning += "Some effects lasted after the service recovered, so please tell us if anything still looks wrong."
    parts += ["", meaning.strip()]
    if fixes:
        parts += ["", "What we are doing:"] + [f"- {fix}" for fix in fixes]
    parts += ["", "We are sorry for the disruption. Reply to this message and a person will answer."]
    return "\n".join(parts)


# ---- commands ------------------------------------------------------------------------------------
class DecideCustomerMessage(RecordedDecision):
    """Marks the customer message sent, or not sending with the reason ('' decision: undecided)."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    def __init__(self, incident_id: int, decision: str, reason: str = ""):
        reason = reason.strip()
        if decision not in ("", "sent", "not_sending"):
            raise RuleError("The customer message is either sent or not being sent.")
        if decision == "not_sending" and not reason:
            raise RuleError("Say why the customer message is not being sent.")
        detail = {"sent": "Customer message sent.", "not_sending": f"Customer message not sent: {reason}",
                  "": "Customer message decision withdrawn."}[decision]
        super().__init__(incident_id, {"customer_message_decision": decision,
                                       "customer_message_reason": reason if decision == "not_sending" else ""},
                         f"message_{decision or 'undecided'}", detail)
        self.name = "Decide Customer Message"
