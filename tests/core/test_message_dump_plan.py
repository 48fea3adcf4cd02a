"""A message-level dump's conversations planned straight from their message tuples (Thread) plan the
same rows as the same conversations planned from TicketRows with ParsedMessage comments.

The import takes the Thread way for speed (issue 14's 100k-message budget); the TicketRow way is the
planner's one general definition (TicketPlanner.add), so the two must agree row for row: ids,
positions, stored times, roles, each message's own id, the thread's ids, customers, counts. The file
is written here in a social-support dump's shape (id, author, inbound, created time, text, reply-to).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from postmortem_desktop.importers.message_dump import Thread, collect
from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.vendors import recognise_vendor
from postmortem_desktop.services.ticket_plan import PlanState, TicketPlanner
from tests.helpers import write_csv

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
HEADER = ["id", "author", "inbound", "created_at", "text", "in_reply_to"]


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


ROWS = [
    ["1", "@ann", "True", at(1), "my card was charged twice @Shop", ""],
    ["4", "@bob", "True", at(2), "checkout is spinning forever", ""],
    ["3", "@ann", "True", at(5), "@Shop sent", "2"],  # before the message it answers: the file is not in time order
    ["2", "@Shop", "False", at(3), "@ann sorry! can you DM us the order number?", "1"],
    ["5", "@Shop", "False", at(4), "@bob we are looking into it", "4"],
    ["6", "@cid", "True", at(6), "@Shop same here", "99"],  # answers a message not in the file
    ["7", "@Shop", "False", at(7), "@cid thanks for telling us", "6"],
    ["8", "@dee", "True", at(30), "is it down for everyone?", ""],  # outside the window below
]


def threads(tmp_path: Path) -> list[Thread]:
    sheet = read_sheet(write_csv(tmp_path / "social.csv", HEADER, ROWS))
    return list(collect(sheet, recognise_vendor(sheet.header, sheet.rows).mapping).threads())


def state(**changes) -> PlanState:
    values = {"incident_id": 3, "window": (None, None), "include_outside_window": True, "existing": {},
              "customers": {"n:@bob": 40}, "next_customer_id": 41, "next_conversation_id": 100,
              "next_message_id": 500, "thread_ids": {}, **changes}
    return PlanState(**values)


def planned(items: list, plan_state: PlanState) -> tuple:
    planner = TicketPlanner(plan_state)
    planner.add_many(items)
    chunk, result = planner.take_chunk(), planner.result
    return (chunk.customers, chunk.conversations, chunk.messages, chunk.message_ids,
            result.rows_read, result.imported, result.updated, result.outside_window, result.updates,
            result.message_ids, result.partial, result.next_message_id)


def test_new_threads_plan_the_same_rows_as_their_ticket_rows(tmp_path):
    made = threads(tmp_path)
    fast, general = planned(made, state()), planned([thread.ticket_row() for thread in made], state())
    assert fast == general
    customers, conversations, messages, message_ids = fast[:4]
    assert [row[2] for row in conversations] == ["1", "4", "99", "8"]  # thread roots, in first-seen order
    assert len(messages) == 8 and [row[0] for row in messages] == list(range(500, 508))
    assert ("@bob" not in [row[1] for row in customers]) and conversations[1][4] == 40  # a known customer
    assert sorted(own for _mid, own in message_ids) == [str(n) for n in range(1, 9)]
    # "3" is in thread "1" (conversation 100): its message row carries its own id, which is how a
    # later reply to "3" finds the thread (ticket_store.stored_thread_ids)
    assert any(own == "3" and mid in {row[0] for row in messages if row[1] == 100} for mid, own in message_ids)
    # each thread's messages in time order, with their roles
    ann = [row for row in messages if row[1] == 100]
    assert [(row[2], row[5], row[6][:5]) for row in ann] == [(0, "customer", "my ca"), (1, "agent", "@ann "),
                                                             (2, "customer", "@Shop")]
    assert conversations[0][8:] == ("2026-11-18 10:01:00.000000", "2026-11-18 10:05:00.000000")


def test_threads_that_are_not_simply_new_plan_as_their_ticket_rows_do(tmp_path):
    made = threads(tmp_path)
    # "1" is here already, "99" a stored thread's message, and "8" falls outside the review window
    settings = {"existing": {"1": 7, "t-old": 8}, "thread_ids": {"99": 8}, "include_outside_window": False,
                "window": ("2026-11-18 10:00:00.000000", "2026-11-18 10:20:00.000000")}
    fast = planned(made, state(**settings))
    assert fast == planned([thread.ticket_row() for thread in made], state(**settings))
    conversations, updates = fast[1], fast[8]
    assert [row[2] for row in conversations] == ["4"]
    assert sorted(updates) == [7, 8] and fast[7] == 1  # two updates, one outside the window
