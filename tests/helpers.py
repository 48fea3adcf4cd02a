"""Small helpers shared by tests (fixtures live in conftest.py)."""
from __future__ import annotations

import csv
from pathlib import Path

from postmortem_desktop.services.incidents import IncidentService


def billing_id(workspace) -> int:
    """The id of the demo's billing-outage incident."""
    return next(s.id for s in IncidentService(workspace).list_incidents() if s.title.startswith("Billing"))


def run_to_end(generator):
    """Drives a core job generator (its yields are progress) and returns its result."""
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        return stop.value


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file written the way the exports the tests imitate write one: a header row, then the rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---- the same checks on both engines (tests/conftest.py runs core tests on a file and a team workspace) ----
def address(workspace) -> str:
    """What a person gives the command line for this workspace: a file's path, a team workspace's URL."""
    return str(workspace.path) if workspace.files else workspace.name


def searchable_subjects(conn) -> int:
    """How many conversation subjects the search index holds: FTS5's own rows on a file; on a team workspace
    the subjects with words in them, which the GIN expression index over their words covers."""
    if conn.dialect.name == "postgresql":
        from postmortem_desktop.storage.migrations import team_words

        return conn.exec_driver_sql("SELECT count(*) FROM conversations "
                                    f"WHERE {team_words('subject')} <> ''::tsvector").scalar()
    return conn.exec_driver_sql("SELECT count(*) FROM conversation_search").scalar()


def search_index_sound(workspace) -> bool:
    """FTS5's integrity check on a file (raises if the index and the messages disagree); on a team workspace,
    that the server's GIN indexes are valid (it keeps them in step with every write itself)."""
    with workspace.engine.begin() as c:
        if c.dialect.name == "postgresql":
            return all(c.exec_driver_sql("SELECT indisvalid FROM pg_index WHERE indexrelid IN "
                                         "('message_search'::regclass, 'conversation_search'::regclass)").scalars())
        c.exec_driver_sql("INSERT INTO message_search(message_search) VALUES ('integrity-check')")
        c.exec_driver_sql("INSERT INTO conversation_search(conversation_search) VALUES ('integrity-check')")
    return True


def foreign_key_problems(conn) -> list:
    """Rows whose references point nowhere: SQLite's foreign_key_check (imports write with checks off);
    PostgreSQL checks every reference as it is written, so a team workspace can hold none."""
    if conn.dialect.name == "postgresql":
        return []
    return conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()


def board_search(workspace, incident_id: int, query: str) -> set[int]:
    """The quote ids the board's search keeps: cards whose conversation matches, or whose own text has the words."""
    from postmortem_desktop.services.quotes import (
        BoardFilter,
        board_cards,
        conversation_matched_quote_ids,
        filter_cards,
    )

    matches = conversation_matched_quote_ids(workspace, incident_id, query)
    return {c.quote_id for c in filter_cards(board_cards(workspace, incident_id), BoardFilter(text=query), matches)}


#: what turns a current workspace (either engine) back into format 9: format 10's additions dropped. Format 9 only
#: rebuilt a team workspace's search indexes, which its step does afresh, so the same stands for format 8. A test
#: that fakes an older format runs these first, then its own older steps' drops.
BEFORE_FORMAT_10 = ("DROP TABLE card_edits", "DROP TABLE workspace_edits",
                    "ALTER TABLE incident_history DROP COLUMN decided_by")

#: two teammates of a team workspace, as POSTMORTEM_USER names them
ANA, BEN = "Ana (support lead)", "Ben (engineer)"


def race_of_two_saves(a, b, a_edit, b_edit) -> BaseException | None:
    """A writes a_edit and holds its transaction open while b_edit is saved on B, made from the same read.

    Asserts B waits for A (a row lock, not a read around it); returns what B's save raised (None: saved)."""
    import threading

    outcome: list[BaseException | None] = []

    def b_saves() -> None:
        try:
            b_edit.do(b)
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    with a.transaction() as session:
        a_edit.apply(session)
        session.flush()
        saver = threading.Thread(target=b_saves)
        saver.start()
        saver.join(timeout=1.0)
        assert saver.is_alive(), "B must wait for A's write, not read around it"
    saver.join(timeout=10)
    assert len(outcome) == 1, "B's save never finished"
    return outcome[0]
