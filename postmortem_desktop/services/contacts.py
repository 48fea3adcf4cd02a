"""The contact list: who to contact and why (suggested from tags and their own words), the edits, the CSV."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..reporting.output_file import CSV, output_file
from ..storage.decisions import record_decision, withdraw_decision
from ..storage.id_sets import among
from ..storage.schema import Conversation, Customer, IncidentContact
from ..storage.workspace import Workspace
from .commands import (
    ChangedSince,
    Edit,
    EditConflict,
    RuleError,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)
from .review_evidence import MONEY_PHRASES, REVIEW_CHANGES, customers_using, incident_row, tagged_customers

CONTACT_TAGS = {"data-fear": "fears for their data", "trust-loss": "lost trust", "churn-risk": "talks of leaving"}
# Phrases in customers' own words, found as storage.phrase_match says (any case of A-Z, alike on both engines).
DEADLINE_PHRASES = ("deadline", "due today", "before my meeting", "missed", "by noon", "end of day")
IGNORED_PHRASES = ("no one", "nobody", "ignored", "still waiting", "no reply", "no response", "no answer")
#: the reason to contact a customer whose own messages use one of these phrases, in the order reasons are listed
PHRASE_REASONS = {"lost money": MONEY_PHRASES, "missed a deadline": DEADLINE_PHRASES,
                  "thinks we ignored them": IGNORED_PHRASES}
#: what a person sees and edits of a listed customer: the reason and the contact outcome
OUTCOME_FIELDS = ("reason", "contacted", "contacted_on")
#: the names of the edits of a contact in the incident's history (a reason, a record, a flag, a removal)
CONTACT_EDITS = "%Contact%"


@dataclass(frozen=True)
class ContactRow:
    customer_id: int
    name: str
    organization: str
    email: str
    phone: str
    segment: str
    reason: str
    suggested: bool
    contacted: bool
    contacted_on: date | None


@dataclass(frozen=True)
class ContactSuggestion:
    customer_id: int
    name: str
    organization: str
    reason: str


class ContactService:
    """The incident's contact list and suggestions; each call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def contacts(self, incident_id: int) -> list[ContactRow]:
        with self.workspace.reading() as session:
            rows = session.execute(
                select(IncidentContact, Customer).join(Customer, Customer.id == IncidentContact.customer_id)
                .where(IncidentContact.incident_id == incident_id).order_by(Customer.organization, Customer.name))
            return [ContactRow(c.id, c.name, c.organization, c.email, c.phone, c.segment, ic.reason,
                               ic.suggested, ic.contacted, ic.contacted_on) for ic, c in rows]

    def contact_suggestions(self, incident_id: int) -> list[ContactSuggestion]:
        """Customers to contact, from their tags and their own words; those already listed are left out."""
        return not_listed(self.contact_candidates(incident_id), self.contacts(incident_id))

    def contact_candidates(self, incident_id: int) -> list[ContactSuggestion]:
        """Customers to contact, from their tags and their own words, listed or not.

        Its queries scan every customer message of the incident, so a screen keeps the answer until
        conversations, quotes or tags change, and leaves out whoever is listed by then (`not_listed`)."""
        with self.workspace.reading() as session:
            reasons: dict[int, list[str]] = {}

            def add(customer_id: int | None, reason: str) -> None:
                if customer_id is not None and reason not in reasons.setdefault(customer_id, []):
                    reasons[customer_id].append(reason)

            for customer_id, used in customers_using(session, incident_id, PHRASE_REASONS).items():
                for reason in used:
                    add(customer_id, reason)
            for customer_id, tag in tagged_customers(session, incident_id, CONTACT_TAGS):
                add(customer_id, CONTACT_TAGS[tag])
            # names of the incident's customers by a subquery: tens of thousands of ids as parameters cost more
            customers = {cid: (name, organization) for cid, name, organization in session.execute(
                select(Customer.id, Customer.name, Customer.organization).where(Customer.id.in_(
                    select(Conversation.customer_id).where(Conversation.incident_id == incident_id))))}
            result = [ContactSuggestion(cid, *customers[cid], "; ".join(why))
                      for cid, why in reasons.items() if cid in customers]
        return sorted(result, key=lambda s: (-s.reason.count(";"), s.organization, s.name))

    def export_contacts_csv(self, incident_id: int, path: Path) -> int:
        """Writes the contact list through the one output mechanism (never over the workspace)."""
        rows = self.contacts(incident_id)
        with (output_file(path, CSV, inputs=self.workspace.files) as temp,
              temp.open("w", encoding="utf-8-sig", newline="") as fh):
            writer = csv.writer(fh)
            writer.writerow(["name", "organization", "email", "phone", "segment", "reason", "suggested",
                             "contacted", "contacted_on"])
            for r in rows:
                writer.writerow([r.name, r.organization, r.email, r.phone, r.segment, r.reason,
                                 "yes" if r.suggested else "no", "yes" if r.contacted else "no",
                                 r.contacted_on.isoformat() if r.contacted_on else ""])
        return len(rows)


def not_listed(candidates: list[ContactSuggestion], listed: list[ContactRow]) -> list[ContactSuggestion]:
    """The suggestions: candidates not on the contact list already."""
    on_list = {row.customer_id for row in listed}
    return [c for c in candidates if c.customer_id not in on_list]


# ---- commands ------------------------------------------------------------------------------------
class FlagContacts(Edit):
    """Puts customers on the contact list, each with the reason to contact them.

    Its undo takes off only the rows it added, and is refused (ChangedSince) when someone recorded a contact or
    changed a reason on one of them since; its redo puts back only the customers its undo took off, refused when
    someone listed one of them meanwhile."""
    incident_id: int  # always given here (the base allows None)
    conflicts_with_names = CONTACT_EDITS

    refused_when_closed = True

    changes = REVIEW_CHANGES

    def __init__(self, incident_id: int, entries: Iterable[tuple[int, str]], suggested: bool = False):
        self.incident_id = incident_id
        self.entries = [(cid, reason.strip()) for cid, reason in entries]
        self.suggested = suggested
        if not self.entries:
            raise RuleError("Choose at least one customer to contact.")
        if any(not reason for _, reason in self.entries):
            raise RuleError("Give the reason to contact each customer (lost money, missed a deadline…).")
        self.name = "Flag Customer for Contact" if len(self.entries) == 1 else f"Flag {len(self.entries)} Customers"
        self._made: dict[int, dict[str, Any]] = {}  # the rows it added, by id, as it left them
        self._taken_off: set[int] | None = None  # the customers its last undo took off the list (None: not undone)

    def apply(self, session: Session) -> None:
        incident_row(session, self.incident_id)
        listed = set(session.scalars(select(IncidentContact.customer_id)
                                     .where(IncidentContact.incident_id == self.incident_id)))
        entries = self.entries
        if self._taken_off is not None:  # a redo: over what its undo left, those customers off the list
            refuse_redo_if_changed_since(self.name, set(), listed & self._taken_off)
            entries = [(cid, reason) for cid, reason in entries if cid in self._taken_off]
        rows = [IncidentContact(incident_id=self.incident_id, customer_id=cid, reason=reason,
                                suggested=self.suggested) for cid, reason in entries if cid not in listed]
        if not rows:
            raise RuleError("Those customers are already on the contact list." if self._taken_off is None else
                            "Someone else took those customers off the contact list since: nothing to put back.")
        session.add_all(rows)
        session.flush()
        self._made = {r.id: _outcome(r) for r in rows}

    def revert(self, session: Session) -> None:
        # locked until commit on a team workspace: nobody records a contact on them between the check and the delete
        rows = list(session.scalars(select(IncidentContact).where(among(IncidentContact.id, self._made))
                                    .order_by(IncidentContact.id).with_for_update()))
        # a row a teammate took off the list since is gone already; one they edited would go with their edit
        refuse_undo_if_changed_since(self.name, {r.id: self._made[r.id] for r in rows},
                                     {r.id: _outcome(r) for r in rows})
        self._taken_off = {r.customer_id for r in rows}
        for row in rows:
            session.delete(row)


def _outcome(row: IncidentContact | ContactRow) -> dict[str, Any]:
    """A listed customer's reason and contact outcome, as a person sees them."""
    return {key: getattr(row, key) for key in OUTCOME_FIELDS}


def _contact(session: Session, incident_id: int, customer_id: int) -> IncidentContact:
    # locked until commit on a team workspace, so two clients cannot both pass an edit's check
    row = session.scalar(select(IncidentContact).where(IncidentContact.incident_id == incident_id,
                                                       IncidentContact.customer_id == customer_id)
                         .with_for_update())
    if row is None:
        raise RuleError("That customer is not on the contact list.")
    return row


class UnflagContact(Edit):
    """Takes a customer off the contact list; the reason is kept in the incident's history.

    Made from the row a screen showed (`shown`), it is refused with EditConflict when someone changed its reason or
    contact outcome since: removing it would throw their record away unseen. Its undo puts the row back with its
    id, refused when someone listed the customer again meanwhile; its redo, when someone changed the row since."""
    incident_id: int  # always given here (the base allows None)
    conflicts_with_names = CONTACT_EDITS

    refused_when_closed = True

    changes = REVIEW_CHANGES
    name = "Remove Customer from Contact List"

    def __init__(self, incident_id: int, customer_id: int, reason: str, shown: ContactRow | None = None):
        """shown: the contact as the person saw it (None: no check)."""
        if not reason.strip():
            raise RuleError("Say why this customer does not need contact.")
        self.incident_id, self.customer_id, self.reason = incident_id, customer_id, reason.strip()
        self.based_on = None if shown is None else _outcome(shown)
        self._row: dict[str, Any] = {}
        self._history_id: int | None = None

    def apply(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        stored = {c.name: getattr(row, c.name) for c in IncidentContact.__table__.columns}
        if not self._row and self.based_on is not None and _outcome(row) != self.based_on:
            raise EditConflict(self.name, based_on=self.based_on, yours=None, theirs=_outcome(row))
        if self._row:  # a redo: over the row as its undo put it back
            refuse_redo_if_changed_since(self.name, self._row, stored)
        self._row = stored
        customer = session.get(Customer, self.customer_id)
        session.delete(row)
        self._history_id = record_decision(session, self.incident_id, "contact_removed",
                                           f"{customer.name if customer else self.customer_id}: {self.reason}")

    def revert(self, session: Session) -> None:
        refuse_if_parents_gone(session, self.name, IncidentContact.__table__, [self._row])
        listed_again = ChangedSince(self.name, undoing=True, advice="The customer is on the contact list again, as "
                                    "they listed them; edit that row if it still needs changing.")
        if session.scalar(select(IncidentContact.id).where(IncidentContact.incident_id == self.incident_id,
                                                           IncidentContact.customer_id == self.customer_id)):
            raise listed_again
        values = dict(self._row)
        if session.get(IncidentContact, values["id"]) is not None:  # its id went to another customer's flag since
            del values["id"]  # (a file numbers a new row after the highest there): nothing refers to it by id
        contact = IncidentContact(**values)
        try:
            with session.begin_nested():  # another client may be listing the customer right now
                session.add(contact)
        except IntegrityError:  # it did, and committed first
            raise listed_again from None
        self._row = {c.name: getattr(contact, c.name) for c in IncidentContact.__table__.columns}  # for a redo
        withdraw_decision(session, self._history_id)


class EditContact(Edit):
    """Changes a listed customer's reason, or records whether (and when) they were contacted."""
    incident_id: int  # always given here (the base allows None)
    conflicts_with_names = CONTACT_EDITS  # a reason's edit, a contact's record, a flag

    refused_when_closed = True

    changes = REVIEW_CHANGES
    FIELDS = OUTCOME_FIELDS

    def __init__(self, incident_id: int, customer_id: int, shown: ContactRow | None = None, **changes: Any):
        """shown: the contact as the person saw it (None: no check); a teammate's change of the same fields
        since is refused (EditConflict), not overwritten."""
        if set(changes) - set(self.FIELDS) or not changes:
            raise RuleError("Only the reason and the contact outcome can be edited.")
        if "reason" in changes and not str(changes["reason"]).strip():
            raise RuleError("Give the reason to contact this customer.")
        if changes.get("contacted") and "contacted_on" not in changes:
            changes["contacted_on"] = date.today()
        if changes.get("contacted") is False:
            changes["contacted_on"] = None
        self.incident_id, self.customer_id, self.values = incident_id, customer_id, changes
        self.name = "Record Contact" if "contacted" in changes else "Edit Contact Reason"
        self.based_on = None if shown is None else {k: getattr(shown, k) for k in changes}
        self._old: dict[str, Any] = {}

    def apply(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        stored = {k: getattr(row, k) for k in self.values}
        if not self._old:
            if self.based_on is not None and {k: stored[k] for k in self.based_on} != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=dict(self.values), theirs=stored)
        else:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, stored)
        self._old = stored
        for key, value in self.values.items():
            setattr(row, key, value)

    def revert(self, session: Session) -> None:
        row = _contact(session, self.incident_id, self.customer_id)
        refuse_undo_if_changed_since(self.name, self.values, {k: getattr(row, k) for k in self.values})
        for key, value in self._old.items():
            setattr(row, key, value)
