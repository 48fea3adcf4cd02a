"""The schema floor of a reply-chain message dump: what the workspace's own tables cost, without the app.

A reference for bench_import.py, not a budget. The issue's floor (a raw read plus executemany into
two bare tables) leaves out what the workspace's schema itself makes every import pay: the messages'
index, each message's own id, the thread lookup, the customers and the full-text index. This script
pays exactly that and nothing else, so a reader can tell how much of the import's time is the app's
overhead and how much the schema's.

Untimed setup, with the app: a fresh workspace (create_workspace) and one incident. Timed, with no
app code: read the CSV with csv.reader; group the rows into threads by following reply-to up to the
root (a parent missing from the file is the root); shape the same rows the import stores (times in
the stored text form, the customer's first message naming the customer, a subject from the first
message); then, in one transaction, plain executemany into customers, conversations, messages and
message_external_ids (since format 7 also the record of a message's thread: no row goes into
thread_message_ids), and the search index
filled the cheapest way SQLite offers (one INSERT ... SELECT per FTS5 table, with the per-row insert
triggers dropped meanwhile and FTS5's term buffer enlarged, all put back before the commit) under
the page cache and synchronous setting the import uses.

The column layout is the bench's dump's (bench_import.MESSAGE_HEADER): id, author, inbound,
created_at, text, in_reply_to.

Run: python bench/message_schema_floor.py DUMP.csv WORKSPACE.pmw   (prints one JSON line)
"""
from __future__ import annotations

import csv
import gc
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECT_LIMIT = 80  # as the import's subject_line


def make_workspace(path: str) -> int:
    """A fresh workspace with one incident, made by the app (untimed); returns the incident's id."""
    sys.path.insert(0, str(ROOT))
    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.storage.workspace import create_workspace

    workspace = create_workspace(path)
    command = CreateIncident(title="Bench", technical_start=datetime(2026, 11, 18, 10, 20, tzinfo=UTC),
                             technical_end=datetime(2026, 11, 18, 11, 0, tzinfo=UTC))
    command.do(workspace)
    workspace.close()
    assert command.incident_id is not None
    return command.incident_id


def read(path: str) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))[1:]


def threads(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """The rows by thread root (reply-to followed up), each thread's rows in time order."""
    parent_of = {row[0]: row[5] for row in rows}
    root_of: dict[str, str] = {}
    for row in rows:
        node, path = row[0], []
        while node not in root_of:
            parent = parent_of.get(node)
            if parent is None or not parent:  # the root, or (missing from the file) its replies' root
                root_of[node] = node
                break
            path.append(node)
            node = parent
        for member in path:
            root_of[member] = root_of[node]
    grouped: dict[str, list[list[str]]] = {}
    for row in rows:
        grouped.setdefault(root_of[row[0]], []).append(row)
    for members in grouped.values():
        members.sort(key=lambda row: row[3])  # ISO times in one zone sort as text
    return grouped


def stored_time(value: str) -> str:
    # "2026-11-18T10:00:30Z" as the workspace stores it: "2026-11-18 10:00:30.000000"
    return f"{value[:10]} {value[11:19]}.000000"


def subject(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= SUBJECT_LIMIT else line[:SUBJECT_LIMIT - 3].rstrip() + "…"


def shape(grouped: dict[str, list[list[str]]], incident_id: int) -> dict[str, list[tuple]]:
    """The rows the import stores, table by table, with ids from 1 (a fresh workspace)."""
    customers: dict[str, int] = {}
    tables: dict[str, list[tuple]] = {name: [] for name in (
        "customers", "conversations", "messages", "message_external_ids")}
    message_id = 1
    for conversation_id, (root, members) in enumerate(grouped.items(), start=1):
        customer = next((row[1] for row in members if row[2] == "True"), "")
        customer_id = customers.get(customer) if customer else None
        if customer and customer_id is None:
            customer_id = customers[customer] = len(customers) + 1
            tables["customers"].append((customer_id, customer, "", "", ""))
        times = [stored_time(row[3]) for row in members]
        tables["conversations"].append((conversation_id, incident_id, root, "ticket", customer_id,
                                        subject(members[0][4]), "", "", min(times), max(times)))
        for position, (row, at) in enumerate(zip(members, times, strict=True)):
            tables["messages"].append((message_id, conversation_id, position, at, row[1],
                                       "customer" if row[2] == "True" else "agent", row[4].strip()))
            tables["message_external_ids"].append((message_id, row[0]))
            message_id += 1
    return tables


INSERTS = {
    "customers": "INSERT INTO customers (id, name, email, organization, segment, phone) VALUES (?, ?, ?, ?, ?, '')",
    "conversations": "INSERT INTO conversations (id, incident_id, external_id, channel, customer_id, subject, status, "
                     "vendor_tags, first_at, last_at, customer_task, symptom, pre_existing) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 0)",
    "messages": "INSERT INTO messages (id, conversation_id, position, at, author, role, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "message_external_ids": "INSERT INTO message_external_ids (message_id, external_id) VALUES (?, ?)",
}
SEARCH_TABLES = {"message_search": ("text", "messages"), "conversation_search": ("subject", "conversations")}
INSERT_TRIGGERS = ("messages_search_insert", "conversations_search_insert")


def write(path: str, tables: dict[str, list[tuple]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    cur = conn.cursor()
    cur.execute("PRAGMA cache_size = -98304")  # the import's settings (services/ticket_import.py)
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("BEGIN IMMEDIATE")
    triggers = [sql for (sql,) in cur.execute(
        f"SELECT sql FROM sqlite_master WHERE name IN {INSERT_TRIGGERS}")]
    for name in INSERT_TRIGGERS:
        cur.execute(f"DROP TRIGGER {name}")
    for table in SEARCH_TABLES:
        cur.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {32 << 20})")
    for table, rows in tables.items():
        cur.executemany(INSERTS[table], rows)
    for table, (column, content) in SEARCH_TABLES.items():
        cur.execute(f"INSERT INTO {table}(rowid, {column}) SELECT id, {column} FROM {content}")
        cur.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {1 << 20})")
    for sql in triggers:
        cur.execute(sql)
    cur.execute("COMMIT")
    conn.close()


def main() -> int:
    dump, workspace = sys.argv[1], sys.argv[2]
    incident_id = make_workspace(workspace)
    gc.disable()  # as the import does: 100k rows of long-lived tuples and no cycles for the collector to find
    start = time.perf_counter()
    rows = read(dump)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    tables = shape(threads(rows), incident_id)
    group_s = time.perf_counter() - start
    start = time.perf_counter()
    write(workspace, tables)
    write_s = time.perf_counter() - start
    print(json.dumps({"read": read_s, "group": group_s, "write": write_s, "messages": len(tables["messages"]),
                      "conversations": len(tables["conversations"])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
