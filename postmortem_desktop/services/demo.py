"""Writes the demo workspace: a billing-outage review and an older closed incident, from resources/demo."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.vocabulary import RECORD_FIELD_OF_ANSWER
from ..resources import resource_path
from ..storage.schema import (
    ActionItem,
    Conversation,
    Customer,
    FollowUp,
    Incident,
    IncidentHistory,
    Message,
    Quote,
    ReviewAnswer,
    SystemEvent,
    Tag,
    TagAssignment,
    WorkspaceSetting,
)
from ..storage.workspace import Workspace, create_workspace
from .incidents import default_review_window


def default_incident_day(today: date | None = None) -> date:
    """Two days ago: recent enough that the review and its follow-up are still ahead."""
    return (today or datetime.now(UTC).date()) - timedelta(days=2)


class _Clock:
    """Turns the content file's "D HH:MM" (day offset, UTC clock time) into datetimes."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self, stamp: str | None) -> datetime | None:
        return self.at(stamp) if stamp else None

    def at(self, stamp: str) -> datetime:
        offset, clock = stamp.split()
        hh, mm = clock.split(":")
        return datetime.combine(self.day + timedelta(days=int(offset)), time(int(hh), int(mm)),
                                tzinfo=UTC)


def write_demo(path: Path | str, *, incident_day: date | None = None) -> Path:
    """Creates a new workspace holding the demo at path (a file, or a team workspace's URL); returns path."""
    content = json.loads(resource_path("demo", "billing_outage.json").read_text(encoding="utf-8"))
    clock = _Clock(incident_day or default_incident_day())
    # filled under a temporary name: a demo killed half way leaves nothing under path
    create_workspace(path, fill=lambda workspace: fill_demo(workspace, content, clock)).close()
    return Path(path)


def fill_demo(workspace: Workspace, content: dict[str, Any], clock: _Clock) -> None:
    with workspace.transaction() as session:
        tags = {t.name: t for t in session.scalars(select(Tag))}
        session.merge(WorkspaceSetting(key="display_timezone", value=content.get("display_timezone", "UTC")))
        for spec in content["incidents"]:
            _add_incident(session, spec, clock, tags)


def _add_incident(session: Session, spec: dict[str, Any], clock: _Clock, tags: dict[str, Tag]) -> None:
    start, end = clock(spec.get("technical_start")), clock(spec.get("technical_end"))
    review_start, review_end = default_review_window(start, end)
    if spec.get("review_window_hours") and end:
        review_end = end + timedelta(hours=spec["review_window_hours"])
    incident = Incident(
        title=spec["title"], service=spec.get("service", ""),
        technical_severity=spec.get("technical_severity", "SEV3"), status=spec.get("status", "draft"),
        technical_start=start, technical_end=end, status_page_resolved=clock(spec.get("status_page_resolved")),
        review_start=review_start, review_end=review_end,
        customer_damage=spec.get("customer_damage", ""), most_broken_task=spec.get("most_broken_task", ""),
        first_workaround=spec.get("first_workaround", ""), trust_signals=spec.get("trust_signals", ""),
        customer_severity=spec.get("customer_severity", ""),
        customer_severity_reason=spec.get("customer_severity_reason", ""),
    )
    closed = spec.get("status") in ("closed", "followed_up")
    if closed:
        incident.contact_list_reviewed = True
        incident.customer_message_decision = "sent"
        incident.customer_message = spec.get("customer_message", "")
    session.add(incident)
    session.flush()
    for ev in spec.get("system_events", []):
        session.add(SystemEvent(incident_id=incident.id, at=clock(ev["at"]), kind=ev.get("kind", "note"),
                                title=ev.get("title", ""), detail=ev.get("detail", "")))
    _add_sample_events(session, incident.id, spec.get("event_samples"), clock)
    customers = _add_customers(session, spec.get("customers", []))
    for conv in spec.get("conversations", []):
        _add_conversation(session, incident.id, conv, clock, customers, tags)
    for item in spec.get("action_items", []):
        last = end or start
        due = last.date() + timedelta(days=item.get("due_in_days", 7)) if last else None
        session.add(ActionItem(incident_id=incident.id, area=item["area"], description=item["description"],
                               owner=item.get("owner", ""), due_date=due, status=item.get("status", "open")))
    for key, answer in (spec.get("review_answers") or {}).items():
        if key in RECORD_FIELD_OF_ANSWER:  # one fact, stored once: in the close-out record
            setattr(incident, RECORD_FIELD_OF_ANSWER[key], answer)
        else:
            session.add(ReviewAnswer(incident_id=incident.id, question=key, answer=answer))
    if closed and end:
        session.add(FollowUp(incident_id=incident.id, review_held_on=end.date() + timedelta(days=1),
                             scheduled_at=end + timedelta(days=8)))
        session.add(IncidentHistory(incident_id=incident.id, at=end + timedelta(days=2), kind="closed",
                                    detail="Close-out record complete."))


def _add_sample_events(session: Session, incident_id: int, samples: dict[str, Any] | None, clock: _Clock) -> None:
    """Status-page and paging events read from the bundled sample exports by the real importer, so the
    demo shows events that came from files (and a new user finds the files to try the import with)."""
    if not samples:
        return
    # imported here: only writing a demo needs the event readers, and the app's start does not
    from ..importers.events import read_event_text

    shift = clock.day - date.fromisoformat(samples["day"])  # the samples are dated; the demo is two days ago
    for name in samples["files"]:
        path = resource_path("demo", *name.split("/"))
        result = read_event_text(path.read_text(encoding="utf-8"))
        for ev in result.events:
            values = ev.as_values(f"{result.source}, {path.name}")
            session.add(SystemEvent(incident_id=incident_id, **dict(values, at=ev.at + shift)))


def _add_customers(session: Session, specs: list[dict[str, Any]]) -> dict[str, Customer]:
    customers = {}
    known = {c.email: c for c in session.scalars(select(Customer)) if c.email}
    for spec in specs:
        if spec.get("email") in known:  # the same person in an earlier incident
            customers[spec["key"]] = known[spec["email"]]
            continue
        customer = Customer(name=spec.get("name", ""), email=spec.get("email", ""), phone=spec.get("phone", ""),
                            organization=spec.get("organization", ""), segment=spec.get("segment", ""))
        session.add(customer)
        customers[spec["key"]] = customer
    session.flush()
    return customers


def _add_conversation(session: Session, incident_id: int, spec: dict[str, Any], clock: _Clock,
                      customers: dict[str, Customer], tags: dict[str, Tag]) -> None:
    times = [clock.at(m["at"]) for m in spec["messages"]]
    customer = customers.get(spec.get("customer") or "")
    conv = Conversation(
        incident_id=incident_id, external_id=spec.get("external_id"), channel=spec.get("channel", "ticket"),
        customer_id=customer.id if customer else None, subject=spec.get("subject", ""),
        customer_task=spec.get("customer_task", ""), symptom=spec.get("symptom", ""),
        pre_existing=bool(spec.get("pre_existing")), first_at=min(times), last_at=max(times),
    )
    session.add(conv)
    session.flush()
    messages = []
    for position, (m, at) in enumerate(zip(spec["messages"], times, strict=True)):
        msg = Message(conversation_id=conv.id, position=position, at=at, author=m.get("author", ""),
                      role=m.get("role", "customer"), text=m["text"])
        session.add(msg)
        messages.append(msg)
    session.flush()
    for q in spec.get("quotes", []):
        msg = messages[q["message"]]
        start = msg.text.find(q["text"])
        if start < 0:
            raise ValueError(f"demo quote not found in its message: {q['text']!r}")
        quote = Quote(conversation_id=conv.id, message_id=msg.id, start=start, end=start + len(q["text"]),
                      text=q["text"], created_at=msg.at)
        session.add(quote)
        session.flush()
        for tag_name in q.get("tags", []):
            session.add(TagAssignment(tag_id=tags[tag_name].id, quote_id=quote.id, source="manual"))
