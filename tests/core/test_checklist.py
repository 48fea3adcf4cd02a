"""The close-out rules: a complete record passes, and each rule alone blocks closing."""
from dataclasses import replace
from datetime import date

import pytest

from postmortem_desktop.domain import checklist
from postmortem_desktop.domain.checklist import ActionItemFacts, CloseoutRecord

DUE = date(2026, 12, 1)
COMPLETE = CloseoutRecord(
    customer_damage="For 40 minutes customers could not pay their renewals and several paid twice.",
    service="billing-api / checkout",
    most_broken_task="Paying the renewal before invoices were due",
    first_workaround="Pressing Pay again from another card",
    trust_signals="Customers asked whether they had been charged twice",
    action_items=(ActionItemFacts("support", "Priya", DUE), ActionItemFacts("product", "Mei", DUE),
                  ActionItemFacts("engineering", "Jonas", DUE)),
    has_customer_impact_window=True,
    contact_list_reviewed=True,
    customer_message_decision="sent",
    review_date=date(2026, 11, 20),
    follow_up_on=date(2026, 11, 27),
)


def failing(record):
    return [item.key for item in checklist.evaluate(record) if not item.ok]


def test_a_complete_record_can_close():
    items = checklist.evaluate(COMPLETE)
    assert [i.key for i in items] == ["customer_damage", "most_broken_task", "first_workaround", "trust_signals",
                                      "action_items", "customer_impact_window", "contact_and_message", "follow_up"]
    assert checklist.can_close(items)
    assert all(i.missing == "" for i in items)


@pytest.mark.parametrize("change, key", [
    ({"customer_damage": ""}, "customer_damage"),
    ({"most_broken_task": "   "}, "most_broken_task"),
    ({"first_workaround": ""}, "first_workaround"),
    ({"trust_signals": ""}, "trust_signals"),
    ({"action_items": ()}, "action_items"),
    ({"has_customer_impact_window": False}, "customer_impact_window"),
    ({"contact_list_reviewed": False}, "contact_and_message"),
    ({"customer_message_decision": ""}, "contact_and_message"),
    ({"follow_up_on": None}, "follow_up"),
])
def test_each_rule_alone_blocks_closing(change, key):
    record = replace(COMPLETE, **change)
    items = checklist.evaluate(record)
    assert failing(record) == [key]
    assert not checklist.can_close(items)
    message = checklist.refusal_message(items)
    assert "1 of 8" in message and next(i.missing for i in items if i.key == key) in message


@pytest.mark.parametrize("damage", [
    "billing-api timeout",
    "billing-api 504 errors on checkout p95 latency",
    "Customers customers customers customers customers customers",  # words, but no verb
    "Payments slow",
])
def test_damage_made_of_service_names_or_fragments_is_not_plain_words(damage):
    assert failing(replace(COMPLETE, customer_damage=damage)) == ["customer_damage"]


def test_damage_sentence_about_people_passes_even_with_a_service_name_in_it():
    text = "Shop owners could not take card payments on billing-api for an afternoon"
    assert failing(replace(COMPLETE, customer_damage=text)) == []


def test_trust_signals_none_seen_counts_as_captured():
    assert failing(replace(COMPLETE, trust_signals="", trust_signals_none_seen=True)) == []


@pytest.mark.parametrize("missing_area", ["support", "product", "engineering"])
def test_each_required_area_needs_its_own_item(missing_area):
    items = tuple(i for i in COMPLETE.action_items if i.area != missing_area)
    items += (ActionItemFacts("operations", "Ops", DUE),)
    record = replace(COMPLETE, action_items=items)
    item = next(i for i in checklist.evaluate(record) if i.key == "action_items")
    assert not item.ok and missing_area in item.missing
    assert item.part == missing_area


@pytest.mark.parametrize("owner, due", [("", DUE), ("Priya", None)])
def test_an_action_item_without_owner_or_date_does_not_count(owner, due):
    items = (ActionItemFacts("support", owner, due),) + COMPLETE.action_items[1:]
    assert failing(replace(COMPLETE, action_items=items)) == ["action_items"]


def test_not_sending_the_message_needs_a_reason():
    no_reason = replace(COMPLETE, customer_message_decision="not_sending", customer_message_reason=" ")
    assert failing(no_reason) == ["contact_and_message"]
    with_reason = replace(no_reason, customer_message_reason="Every affected account was called")
    assert failing(with_reason) == []


@pytest.mark.parametrize("days, ok", [(4, False), (5, True), (7, True), (10, True), (11, False), (-1, False)])
def test_follow_up_must_be_five_to_ten_days_after_the_review(days, ok):
    from datetime import timedelta

    record = replace(COMPLETE, follow_up_on=COMPLETE.review_date + timedelta(days=days))
    assert (failing(record) == []) is ok
    if not ok:
        assert f"{days} days after" in next(i.missing for i in checklist.evaluate(record) if i.key == "follow_up")


def test_every_item_of_an_empty_record_is_missing_and_says_which_part():
    empty = CloseoutRecord()
    parts = {i.key: i.part for i in checklist.evaluate(empty)}
    assert parts["action_items"] == "support" and parts["contact_and_message"] == "contacts"
    assert len(failing(empty)) == 8
