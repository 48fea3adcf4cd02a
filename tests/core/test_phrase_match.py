"""Customers' own words against the fixed phrases: the same customers and counts on a file and a team workspace.

The rule (storage/phrase_match.py): a phrase is found anywhere in a customer's message, with the case of A-Z
ignored and every other character as written. `_rule` below states it in Python; each engine's SQL must agree.
"""
import json
import random
import string
from datetime import UTC, datetime

import pytest

from postmortem_desktop.services.contacts import PHRASE_REASONS, ContactService
from postmortem_desktop.services.customer_severity import SeverityService
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.review_evidence import MONEY_PHRASES, count_conversations_with, customers_using
from postmortem_desktop.storage.phrase_match import check_phrases
from postmortem_desktop.storage.schema import Conversation, Customer, Message
from tests.shared_data import shared_file

AT = datetime(2026, 11, 18, 12, tzinfo=UTC)
_FOLD_A_TO_Z = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _rule(text: str, phrases) -> bool:
    """The rule in Python: the phrase in the text with A-Z lower-cased (and nothing else changed)."""
    folded = text.translate(_FOLD_A_TO_Z)
    return any(p in folded for p in phrases)


def _incident(ws) -> int:
    command = CreateIncident(title="Phrase outage", technical_start=AT)
    command.do(ws)
    return command.incident_id


def _add(ws, incident_id: int, customers: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """Each customer with one conversation holding its (role, text) messages; returns {name: customer id}."""
    with ws.transaction() as session:
        people = {name: Customer(name=name, email=f"c{n}@example.com", organization=f"Org {n}")
                  for n, name in enumerate(customers)}
        session.add_all(people.values())
        session.flush()
        conversations = {name: Conversation(incident_id=incident_id, external_id=f"P-{n}", channel="chat",
                                            customer_id=people[name].id, first_at=AT, last_at=AT)
                         for n, name in enumerate(customers)}
        session.add_all(conversations.values())
        session.flush()
        session.add_all(Message(conversation_id=conversations[name].id, position=i, at=AT, author=name, role=role,
                                text=text)
                        for name, messages in customers.items() for i, (role, text) in enumerate(messages))
        return {name: person.id for name, person in people.items()}


def test_customers_words_are_found_in_any_case_of_a_to_z_on_both_engines(workspace):
    """PostgreSQL's LIKE kept case: "Still waiting" or "MISSED the deadline" was suggested in a file only."""
    iid = _incident(workspace)
    _add(workspace, iid, {
        "Wes Waiting": [("customer", "Still waiting for an answer")],
        "Cara Caps": [("customer", "I MISSED THE DEADLINE because of you")],
        "Max Money": [("customer", "We were Charged Twice, I want a Refund")],
        "Ute Umlaut": [("customer", "ÜBERWEISUNG failed, and NO REPLY from support")],
        "Dee Dismissed": [("customer", "My ticket was Dismissed")],  # "missed" is a substring of it
        "Tom Turkish": [("customer", "I MİSSED my payroll run")],  # İ folds on neither engine; "payroll" is found
        "Ada Agent": [("customer", "Where is my invoice?"), ("agent", "We issued a REFUND; NOBODY was charged twice")],
        "Nia Nothing": [("customer", "The page is slow")],
    })
    reasons = {s.name: s.reason for s in ContactService(workspace).contact_suggestions(iid)}
    assert reasons == {
        "Wes Waiting": "thinks we ignored them",
        "Cara Caps": "missed a deadline",
        "Max Money": "lost money",
        "Ute Umlaut": "thinks we ignored them",
        "Dee Dismissed": "missed a deadline",
        "Tom Turkish": "lost money",
    }
    assert SeverityService(workspace).money_mentions(iid) == 2  # Max and Tom; the agent's words never count


def test_like_wildcards_in_a_phrase_are_taken_as_written(workspace):
    """A phrase with % or _ matches only those characters (SQLite's LIKE would take them as wildcards)."""
    iid = _incident(workspace)
    ids = _add(workspace, iid, {"Pat Percent": [("customer", "They took 50% OFF my card")],
                                "Una Under": [("customer", "they took 50 euros off, feexwaived")],
                                "Bea Blank": [("customer", "FEE_WAIVED was promised")]})
    with workspace.reading() as session:
        found = customers_using(session, iid, {"percent": ["50% off"], "underscore": ["fee_waived"]})
    assert found == {ids["Pat Percent"]: ["percent"], ids["Bea Blank"]: ["underscore"]}


def test_a_phrase_the_rule_cannot_fold_is_refused():
    assert check_phrases(["refund", "no reply"]) == ["refund", "no reply"]
    for phrase in ("Refund", "remboursé", ""):
        with pytest.raises(ValueError, match="lower-case ASCII"):
            check_phrases([phrase])


def _mixed_texts(seed: int, count: int) -> list[str]:
    """Texts built from pieces of the phrases, cut at random and in random case, among non-ASCII letters,
    wildcards and words that hold a phrase inside them: near misses and hits alike."""
    rng = random.Random(seed)
    phrases = [p for group in PHRASE_REASONS.values() for p in group]
    pieces = ["dismissed", "overcharged", "Straße", "ÉCHÉANCE", "\u0130", "\u212a", "%", "_", "  ", "\n", "nobody's"]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 4)):
            phrase = rng.choice(phrases)
            cut = phrase[rng.randint(0, 2):len(phrase) - rng.choice([0, 0, 1])]  # often whole, sometimes cut
            parts.append("".join(ch.upper() if rng.random() < 0.4 else ch for ch in cut))
            parts.append(rng.choice(pieces))
        texts.append(" ".join(parts))
    return texts


def test_each_engines_sql_finds_exactly_whom_the_rule_finds(workspace):
    """Both engines' SQL against the rule in Python, over texts made to sit on the rule's edges (cases, cuts,
    phrases inside words, letters outside A-Z): the same customers with the same groups, the same count."""
    iid = _incident(workspace)
    texts = _mixed_texts(seed=18, count=240)
    ids = _add(workspace, iid, {f"Customer {n}": [("customer", text), ("agent", "No reply, REFUND, missed")]
                                for n, text in enumerate(texts)})
    expected = {}
    for n, text in enumerate(texts):
        used = [name for name, phrases in PHRASE_REASONS.items() if _rule(text, phrases)]
        if used:
            expected[ids[f"Customer {n}"]] = used
    with workspace.reading() as session:
        assert customers_using(session, iid, PHRASE_REASONS) == expected
        assert count_conversations_with(session, iid, MONEY_PHRASES) == sum(_rule(t, MONEY_PHRASES) for t in texts)
    assert 0 < len(expected) < len(texts)  # the texts hold hits and misses both


def test_real_customer_passages_give_the_same_suggestions_as_the_rule(workspace):
    """Real customers' words (../shared/data/real/customer-text): each record a customer with one conversation.
    Some write the phrases in capitals ("Refund", "Nobody"), which a team workspace missed before."""
    lines = shared_file("real/customer-text/passages.jsonl").read_text(encoding="utf-8").splitlines()
    records: dict[str, list[tuple[str, str]]] = {}
    for line in lines:
        passage = json.loads(line)
        source, record, _n = passage["id"].rsplit(":", 2)
        records.setdefault(f"{source}:{record}", []).append((passage["role"], passage["text"]))
    iid = _incident(workspace)
    ids = _add(workspace, iid, records)
    expected = {}
    for name, messages in records.items():
        own = [text for role, text in messages if role == "customer"]
        used = [group for group, phrases in PHRASE_REASONS.items() if any(_rule(t, phrases) for t in own)]
        if used:
            expected[ids[name]] = used
    capitals_only = [name for name, messages in records.items() if ids[name] in expected and not any(
        p in text for role, text in messages if role == "customer" for ps in PHRASE_REASONS.values() for p in ps)]
    with workspace.reading() as session:
        assert customers_using(session, iid, PHRASE_REASONS) == expected
    assert len(expected) > 100 and capitals_only  # found, and some only with case ignored
