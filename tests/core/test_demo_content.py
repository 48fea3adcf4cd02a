"""Structural checks on the demo workspace content (resources/demo/billing_outage.json).

The file is plain data read with ``json`` only, so these tests need neither Qt nor the database.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from postmortem_desktop.domain.vocabulary import RECORD_FIELD_OF_ANSWER

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "billing_outage.json"

BUILT_IN_TAGS = {
    "confusion", "trust-loss", "risky-workaround", "work-stopped", "manual-work", "data-fear",
    "churn-risk", "calming-wording", "worsening-wording",
}
CHANNELS = {"ticket", "chat", "call", "email", "internal"}
ROLES = {"customer", "agent", "internal"}
EVENT_KINDS = {"alert", "deploy", "mitigation", "recovery", "status-page"}
AREAS = {"product", "support", "engineering", "operations"}
ACTION_STATUSES = {"open", "in_progress", "done"}
SEGMENTS = {"Starter", "Growth", "Enterprise", "Agency"}
STATUSES = {"draft", "in_review", "closed", "followed_up"}
CLOSE_OUT_FIELDS = ("customer_damage", "most_broken_task", "first_workaround", "trust_signals")
REVIEW_KEYS = ("task", "confusing", "workaround", "wording", "contact")

TIME_RE = re.compile(r"^(-?\d+) ([01]\d|2[0-3]):([0-5]\d)$")
EMAIL_RE = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
ALLOWED_EMAIL_DOMAINS = {"example.com", "example.org", "example.net"}
# Anything shaped like a phone number: optional area code, then NNN-NNNN (or NNN.NNNN).
PHONE_RE = re.compile(r"(?<!\d)(?:\(\d{3}\)\s?|\d{3}[-.\s])?\d{3}[-.]\d{4}(?!\d)")
ALLOWED_PHONE_RE = re.compile(r"^(?:\(555\) 555-01\d\d|555-555-01\d\d|555-01\d\d)$")
CARD_RE = re.compile(r"(?<!\d)\d{4} \d{4} \d{4} \d{4}(?!\d)")


def minutes(at: str) -> int:
    """'D HH:MM' (day offset from the incident day, UTC) -> minutes since day 0 00:00."""
    match = TIME_RE.match(at)
    assert match, f"bad time {at!r}"
    day, hour, minute = (int(g) for g in match.groups())
    return day * 1440 + hour * 60 + minute


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)


@pytest.fixture(scope="module")
def data():
    with DEMO.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def incidents(data):
    return {inc["key"]: inc for inc in data["incidents"]}


@pytest.fixture(scope="module")
def billing(incidents):
    return incidents["billing"]


@pytest.fixture(scope="module")
def login(incidents):
    return incidents["login-2fa"]


def test_file_loads_with_both_incidents(data, incidents):
    assert data["display_timezone"] == "UTC"
    assert set(incidents) == {"billing", "login-2fa"}
    for inc in data["incidents"]:
        assert inc["status"] in STATUSES
        assert inc["title"] and inc["service"] and inc["technical_severity"]
        assert minutes(inc["technical_start"]) < minutes(inc["technical_end"]) <= minutes(inc["status_page_resolved"])
        assert inc["review_window_hours"] > 0


def test_billing_headline_times(billing):
    assert (billing["technical_start"], billing["technical_end"]) == ("0 10:20", "0 11:00")
    assert billing["status_page_resolved"] == "0 11:05"


def test_billing_has_enough_conversations_on_every_channel(billing):
    convs = billing["conversations"]
    assert len(convs) >= 62
    channels = Counter(c["channel"] for c in convs)
    assert set(channels) == CHANNELS
    assert channels["ticket"] >= 25 and channels["chat"] >= 12 and channels["call"] >= 5
    assert channels["email"] >= 4 and channels["internal"] >= 5


def test_billing_customers_and_segments(billing):
    customers = billing["customers"]
    assert len(customers) >= 35
    assert {c["segment"] for c in customers} == SEGMENTS
    keys = [c["key"] for c in customers]
    assert len(keys) == len(set(keys))
    per_customer = Counter(c["customer"] for c in billing["conversations"] if c["customer"])
    assert sum(1 for n in per_customer.values() if n > 1) >= 5, "some customers should write twice"


@pytest.mark.parametrize("key", ["billing", "login-2fa"])
def test_conversation_structure(incidents, key):
    inc = incidents[key]
    customer_keys = {c["key"] for c in inc["customers"]}
    external_ids = [c["external_id"] for c in inc["conversations"]]
    assert len(external_ids) == len(set(external_ids))
    for conv in inc["conversations"]:
        eid = conv["external_id"]
        assert conv["channel"] in CHANNELS, eid
        assert isinstance(conv["pre_existing"], bool), eid
        assert 2 <= len(conv["messages"]) <= 7, eid
        roles = {m["role"] for m in conv["messages"]}
        assert roles <= ROLES, eid
        if conv["channel"] == "internal":
            assert conv["customer"] is None and roles == {"internal"}, eid
        else:
            assert conv["customer"] in customer_keys, eid
            assert "internal" not in roles, eid
            assert conv["customer_task"] and conv["symptom"], eid
        if conv["channel"] == "call":
            assert roles == {"agent"}, f"{eid}: call notes are written by the agent"
        times = [minutes(m["at"]) for m in conv["messages"]]
        assert times == sorted(times), f"{eid}: messages out of time order"
        for m in conv["messages"]:
            assert m["author"] and m["text"], eid


@pytest.mark.parametrize("key", ["billing", "login-2fa"])
def test_quotes_are_exact_spans(incidents, key):
    for conv in incidents[key]["conversations"]:
        for quote in conv["quotes"]:
            index = quote["message"]
            assert 0 <= index < len(conv["messages"]), conv["external_id"]
            assert quote["text"] and quote["text"] in conv["messages"][index]["text"], (
                conv["external_id"], quote["text"])
            assert set(quote["tags"]) <= BUILT_IN_TAGS, conv["external_id"]


def test_billing_quotes_cover_every_tag_and_leave_unsorted_material(billing):
    convs = billing["conversations"]
    quotes = [q for c in convs for q in c["quotes"]]
    assert 35 <= len(quotes) <= 60
    assert {t for q in quotes for t in q["tags"]} == BUILT_IN_TAGS
    assert any(not q["tags"] for q in quotes), "some quotes should be untagged (Unsorted)"
    assert any(not c["quotes"] for c in convs), "some conversations should have no quotes yet"


def test_pre_existing_conversations_predate_the_incident(billing):
    start = minutes(billing["technical_start"])
    pre = [c for c in billing["conversations"] if c["pre_existing"]]
    assert 4 <= len(pre) <= 6
    for conv in pre:
        assert all(minutes(m["at"]) < start for m in conv["messages"]), conv["external_id"]
    incident_convs = [c for c in billing["conversations"] if not c["pre_existing"]]
    assert all(minutes(c["messages"][0]["at"]) >= start for c in incident_convs)


def test_billing_customer_impact_window(billing):
    customer_times = [
        minutes(m["at"])
        for c in billing["conversations"] if not c["pre_existing"] and c["customer"]
        for m in c["messages"] if m["role"] == "customer"
    ]
    all_times = [minutes(m["at"]) for c in billing["conversations"] if not c["pre_existing"]
                 for m in c["messages"]]
    assert min(customer_times) == minutes("0 10:23")
    assert max(customer_times) == max(all_times) == minutes("1 09:30")
    day0 = [t for t in customer_times if t < minutes("1 00:00")]
    assert max(day0) == minutes("0 15:40")
    assert max(all_times) - minutes(billing["technical_start"]) <= billing["review_window_hours"] * 60


@pytest.mark.parametrize("key", ["billing", "login-2fa"])
def test_system_events(incidents, key):
    events = incidents[key]["system_events"]
    assert len(events) >= 5
    for ev in events:
        assert ev["kind"] in EVENT_KINDS and ev["title"] and ev["detail"]
        minutes(ev["at"])
    # the billing incident's status-page updates and its page come from the bundled sample exports
    sample_kinds = {ev.kind for ev in sample_events(incidents[key])} - {"note"}
    assert {ev["kind"] for ev in events} | sample_kinds == EVENT_KINDS


def sample_events(incident):
    from postmortem_desktop.importers.events import read_event_text

    samples = incident.get("event_samples") or {"files": []}
    return [ev for name in samples["files"]
            for ev in read_event_text((DEMO.parent / name).read_text(encoding="utf-8")).events]


def test_billing_samples_are_a_statuspage_json_and_a_pagerduty_export_on_the_incident_day(billing):
    from postmortem_desktop.importers.events import read_event_text

    sources = [read_event_text((DEMO.parent / name).read_text(encoding="utf-8")).source
               for name in billing["event_samples"]["files"]]
    assert sources == ["Statuspage incident JSON (Ledgerly)", "PagerDuty CSV export"]
    day = billing["event_samples"]["day"]
    assert all(ev.at.date().isoformat() == day for ev in sample_events(billing))
    resolved = [ev for ev in sample_events(billing) if ev.title.startswith("Resolved — ")]
    assert [ev.at.strftime("0 %H:%M") for ev in resolved] == [billing["status_page_resolved"]]


def test_billing_close_out_is_partly_done(billing):
    for field in ("customer_damage", "most_broken_task", "first_workaround"):
        assert billing[field].strip(), field
    assert billing["trust_signals"] == ""
    areas = {a["area"] for a in billing["action_items"]}
    assert areas == {"product", "engineering"}
    answers = billing["review_answers"]
    # the answers that are close-out facts are stored once, in the record fields checked above
    assert not set(answers) & set(RECORD_FIELD_OF_ANSWER)
    assert set(answers) | set(RECORD_FIELD_OF_ANSWER) == set(REVIEW_KEYS)
    assert sum(1 for v in answers.values() if v.strip()) + len(RECORD_FIELD_OF_ANSWER) == 3


def test_login_incident_is_closed_and_complete(login):
    assert login["status"] == "closed"
    assert minutes(login["technical_end"]) < 0, "the older incident happened before day 0"
    assert 6 <= len(login["conversations"]) <= 10
    for field in CLOSE_OUT_FIELDS:
        assert login[field].strip(), field
    assert set(login["review_answers"]) | set(RECORD_FIELD_OF_ANSWER) == set(REVIEW_KEYS)
    assert all(v.strip() for v in login["review_answers"].values())
    assert {"support", "product", "engineering"} <= {a["area"] for a in login["action_items"]}


@pytest.mark.parametrize("key", ["billing", "login-2fa"])
def test_action_items(incidents, key):
    for item in incidents[key]["action_items"]:
        assert item["area"] in AREAS
        assert item["owner"].strip() and item["description"].strip()
        assert isinstance(item["due_in_days"], int) and item["due_in_days"] > 0
        assert item["status"] in ACTION_STATUSES


def test_emails_are_fictional(data):
    found = [m for s in all_strings(data) for m in EMAIL_RE.finditer(s)]
    assert found, "the demo should contain email addresses for redaction"
    bad = sorted({m.group(0) for m in found if m.group(1).lower() not in ALLOWED_EMAIL_DOMAINS})
    assert not bad, bad


def test_phone_numbers_are_fictional(data):
    found = [m.group(0) for s in all_strings(data) for m in PHONE_RE.finditer(s)]
    assert found, "the demo should contain phone numbers for redaction"
    bad = sorted({p for p in found if not ALLOWED_PHONE_RE.match(p)})
    assert not bad, bad
    long_runs = sorted({r for s in all_strings(data) for r in re.findall(r"\d{7,}", s)})
    assert not long_runs, long_runs


def test_only_the_test_card_number_appears(data):
    cards = [m.group(0) for s in all_strings(data) for m in CARD_RE.finditer(s)]
    assert cards == ["4242 4242 4242 4242"]
