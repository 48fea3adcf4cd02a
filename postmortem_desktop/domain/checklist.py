"""The close-out rules (PRODUCT.md §6) as pure functions over a plain record of the incident."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

REQUIRED_AREAS = ("support", "product", "engineering")
FOLLOW_UP_MIN_DAYS = 5
FOLLOW_UP_MAX_DAYS = 10
DAMAGE_MIN_WORDS = 6

# Words that describe systems, not what customers went through; a damage statement made only of
# these ("billing-api timeout 504 errors") says nothing about the people it hurt.
TECHNICAL_WORDS = frozenset("""
api apis timeout timeouts timed error errors latency p95 p99 5xx 500 502 503 504 db database
service services endpoint endpoints server servers pod pods cluster node nodes gateway queue
cpu memory disk outage incident degraded degradation sev sev1 sev2 sev3 sev4 sev5 deploy
deployment rollback http https dns cache redis postgres kafka pool connection connections
""".split())

# A small, honest stand-in for a part-of-speech tagger: common verbs of customer harm, plus
# inflections (-ed, -ing) that almost always mark a verb in this kind of sentence.
VERBS = frozenset("""
is are was were be been being has have had do did does could couldn't can can't cannot would
wouldn't should must may might will won't lost lose paid pay pays tried try tries gave give
stopped stop missed miss ran run sent send sat saw see felt feel thought think knew know left
leave went go got get took take made make kept keep found find asked ask waited wait
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-_./0-9]*")


@dataclass(frozen=True)
class ActionItemFacts:
    area: str
    owner: str
    due_date: date | None


@dataclass(frozen=True)
class CloseoutRecord:
    """What the checklist reads; the service fills it from the database, tests build it by hand."""

    customer_damage: str = ""
    service: str = ""
    most_broken_task: str = ""
    first_workaround: str = ""
    trust_signals: str = ""
    trust_signals_none_seen: bool = False
    action_items: tuple[ActionItemFacts, ...] = ()
    has_customer_impact_window: bool = False
    contact_list_reviewed: bool = False
    customer_message_decision: str = ""  # "", "sent", "not_sending"
    customer_message_reason: str = ""
    review_date: date | None = None
    follow_up_on: date | None = None


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    missing: str  # empty when ok; otherwise says what to do, in the user's words
    #: which part is missing, where an item has parts: the first action-item area without an owned
    #: fix, or "contacts"/"message" for the contact item (the app uses it to open the right place)
    part: str = ""


def _words(text: str) -> list[str]:
    return [w.strip("'’-_./").lower() for w in _WORD.findall(text or "")]


def _is_technical(word: str, service_tokens: set[str]) -> bool:
    if word in TECHNICAL_WORDS or word in service_tokens:
        return True
    # component-style tokens: billing-api, checkout_v2, api.example.com, v4.18.0
    return any(ch in word for ch in "-_./") or any(ch.isdigit() for ch in word)


def _service_tokens(service: str) -> set[str]:
    tokens = set(_words(service))
    for token in list(tokens):
        tokens.update(p for p in re.split(r"[-_./]", token) if p)
    return tokens


def damage_problem(text: str, service: str = "") -> str:
    """Why a damage statement is not yet plain words about people ('' when it is)."""
    words = _words(text)
    if not words:
        return "Write the customer damage in plain words."
    service_tokens = _service_tokens(service)
    plain = [w for w in words if not _is_technical(w, service_tokens)]
    if len(plain) < DAMAGE_MIN_WORDS:
        return ("Describe the customer damage as a sentence about what customers could not do "
                "or lost, not only service names.")
    if not any(w in VERBS or w.endswith(("ed", "ing", "n't")) for w in plain):
        return "Describe the customer damage as a sentence: say what customers could not do or lost."
    return ""


def _filled(text: str) -> bool:
    return bool((text or "").strip())


def _action_item_problem(items: tuple[ActionItemFacts, ...]) -> tuple[str, str]:
    """(missing text, first area missing) for the three areas that must each own a fix."""
    missing = [area for area in REQUIRED_AREAS
               if not any(i.area == area and _filled(i.owner) and i.due_date is not None for i in items)]
    if not missing:
        return "", ""
    return (f"Add a {', '.join(missing)} action item with an owner and a due date."
            if len(missing) == 1 else
            f"Add action items with an owner and a due date in: {', '.join(missing)}."), missing[0]


def _contact_problem(record: CloseoutRecord) -> str:
    problems = []
    if not record.contact_list_reviewed:
        problems.append("mark the contact list reviewed")
    decision = record.customer_message_decision
    if decision == "sent" or (decision == "not_sending" and _filled(record.customer_message_reason)):
        pass
    elif decision == "not_sending":
        problems.append("say why the customer message is not being sent")
    else:
        problems.append("decide the customer message (sent, or not sending because…)")
    if not problems:
        return ""
    text = "; ".join(problems) + "."
    return text[0].upper() + text[1:]


def _follow_up_problem(record: CloseoutRecord) -> str:
    if record.follow_up_on is None:
        return "Schedule the follow-up check about a week after the review."
    if record.review_date is None:
        return "Record the review date so the follow-up can be checked against it."
    days = (record.follow_up_on - record.review_date).days
    if not FOLLOW_UP_MIN_DAYS <= days <= FOLLOW_UP_MAX_DAYS:
        return (f"Move the follow-up check to {FOLLOW_UP_MIN_DAYS}–{FOLLOW_UP_MAX_DAYS} days after the "
                f"review (it is {days} days after).")
    return ""


def evaluate(record: CloseoutRecord) -> list[ChecklistItem]:
    """Every close-out item in a fixed order, each saying what is still missing."""
    actions_missing, first_area = _action_item_problem(record.action_items)
    trust_ok = _filled(record.trust_signals) or record.trust_signals_none_seen
    rows = [
        ("customer_damage", "Customer damage in plain words",
         damage_problem(record.customer_damage, record.service), ""),
        ("most_broken_task", "Most-broken customer task",
         "" if _filled(record.most_broken_task) else "Name the customer task that broke most.", ""),
        ("first_workaround", "First workaround",
         "" if _filled(record.first_workaround) else "Record the first workaround customers tried.", ""),
        ("trust_signals", "Trust signals",
         "" if trust_ok else "Capture the trust signals, or state that none were seen.", ""),
        ("action_items", "Action items in support, product and engineering", actions_missing, first_area),
        ("customer_impact_window", "Customer impact window",
         "" if record.has_customer_impact_window else
         "Record the customer impact window: add the customer conversations from the incident.", ""),
        ("contact_and_message", "Contact list reviewed and customer message decided",
         _contact_problem(record), "contacts" if not record.contact_list_reviewed else "message"),
        ("follow_up", "Follow-up check scheduled", _follow_up_problem(record), ""),
    ]
    return [ChecklistItem(key, label, not missing, missing, part) for key, label, missing, part in rows]


def can_close(items: list[ChecklistItem]) -> bool:
    return all(item.ok for item in items)


def refusal_message(items: list[ChecklistItem]) -> str:
    """The one message every path (UI, command line) shows when closing is refused."""
    missing = [item for item in items if not item.ok]
    lines = [f"The incident cannot be closed yet: {len(missing)} of {len(items)} close-out items are missing."]
    lines += [f"- {item.label}: {item.missing}" for item in missing]
    return "\n".join(lines)
