"""Search finds the same conversations in a file and in a team workspace: both index the words FTS5 sees.

Issue 18: PostgreSQL's own parser kept "lucia@example.com", "status.example.org" and URLs whole and read
"555-0163" its own way, so a team workspace found none of their parts, where the file found them all; and
it kept the combining vowel marks of Thai and Hindi inside a word, where FTS5 splits at them, so a team
workspace found no Thai or Hindi word a file found (format 9, storage/word_separators.py).
The texts below are written for these tests; each query's answer is spelled out once and must hold on
both engines (the `workspace` fixture runs every test here on a file and on a team workspace).
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from postmortem_desktop.services.conversation_browser import browse_conversations
from postmortem_desktop.services.quotes import conversation_matched_quote_ids
from postmortem_desktop.storage import migrations, team_search
from postmortem_desktop.storage.schema import Conversation, Incident, Message, Quote
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from postmortem_desktop.storage.workspace_kind import team_url

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)

# conversation name -> (subject, a message's text)
TEXTS = {
    "callback": ("Callback wanted", "Call me back on +1 (555) 555-0163 or write to lucia@example.com today"),
    "status": ("Status page", "The page at https://status.example.org/incidents/42?ref=mail said resolved"),
    "host": ("Gateway", "api.example.net timed out; the gateway's health check stayed green"),
    "export": ("Export", "Our re-import failed: the self-service export wasn't there, so I copied it by hand"),
    "accents": ("Zürich office", "Die Rechnung für Müller & Söhne kam nie an; the café's naïve retry charged twice"),
    "cjk": ("東京", "東京の請求書がエラーになりました"),
    # scripts whose vowels are combining marks, at which FTS5 splits words (storage/word_separators.py)
    "thai": ("Thai customer", "บัตรของฉันถูกเรียกเก็บเงินสองครั้ง ไม่มีใบเสร็จ"),
    "hindi": ("Hindi customer", "मेरा कार्ड दो बार चार्ज हुआ, रसीद नहीं मिली"),
    "plain": ("Plain", "nothing to see"),
}

# query -> the conversations it finds: every word, each as a word's start, in a message or the subject
ANSWERS = {
    "0163": {"callback"},
    "555-0163": {"callback"},
    "+1 (555)": {"callback"},
    "lucia@example.com": {"callback"},
    "lucia": {"callback"},
    "example.org": {"status"},
    "example": {"callback", "status", "host"},
    "https://status.example.org/incidents/42": {"status"},
    "incidents 42": {"status"},
    "api.example.net": {"host"},
    "net": {"host"},
    "gateway's": {"host"},
    "re-import": {"export"},
    "import": {"export"},
    "self service": {"export"},
    "wasn't": {"export"},
    "cafe": {"accents"},
    "café": {"accents"},
    "CAFÉ'S": {"accents"},
    "muller": {"accents"},
    "Müller": {"accents"},
    "sohne": {"accents"},
    "naive": {"accents"},
    "ZURICH": {"accents"},
    "zür": {"accents"},
    "東京": {"cjk"},
    "エラー": set(),  # a run of CJK letters is one word on both engines: only its start is found
    "ใบเสร็จ": {"thai"},  # the searched words split at the marks too: 'ใบเสร' and 'จ', each a word's start
    "कार्ड": {"hindi"},
    "रसीद": {"hindi"},
    "customer": {"thai", "hindi"},
    "refund": set(),
    "example zzzq": set(),
}


def _words_incident(session: Session) -> tuple[int, dict[str, tuple[int, int]]]:
    """A new incident holding the texts (_add_texts): its id, and what was made."""
    incident = Incident(title="Words")
    session.add(incident)
    session.flush()
    return incident.id, _add_texts(session, incident.id)


def _add_texts(session: Session, incident_id: int) -> dict[str, tuple[int, int]]:
    """Each text as a conversation with one message and one card; name -> (conversation id, quote id)."""
    made = {}
    for name, (subject, body) in TEXTS.items():
        conversation = Conversation(incident_id=incident_id, subject=subject, first_at=T0)
        session.add(conversation)
        session.flush()
        message = Message(conversation_id=conversation.id, at=T0, text=body, role="customer")
        session.add(message)
        session.flush()
        quote = Quote(conversation_id=conversation.id, message_id=message.id, start=0, end=4, text=body[:4])
        session.add(quote)
        session.flush()
        made[name] = (conversation.id, quote.id)
    return made


def _assert_every_answer(workspace, incident_id: int, made: dict[str, tuple[int, int]]) -> None:
    conversation_of = {conversation: name for name, (conversation, _quote) in made.items()}
    card_of = {quote: name for name, (_conversation, quote) in made.items()}
    found, carded, browsed = {}, {}, {}
    with workspace.reading() as session:
        for query in ANSWERS:
            ids = search_conversation_ids(session.connection(), incident_id, query)
            found[query] = {conversation_of[i] for i in ids}
    for query in ANSWERS:
        carded[query] = {card_of[q] for q in conversation_matched_quote_ids(workspace, incident_id, query)}
        browsed[query] = {conversation_of[row.id] for row in browse_conversations(workspace, incident_id, query)}
    # one assertion per reader, so a failure shows every query that went wrong at once
    assert found == ANSWERS  # the search API (the conversation browser's count, the CLI)
    assert carded == ANSWERS  # the board's cards by their conversation (team_search.QUOTED_MATCHES)
    assert browsed == ANSWERS  # the conversation browser


def test_a_search_finds_emails_hosts_urls_numbers_and_accented_words_on_either_engine(workspace):
    with workspace.transaction() as session:
        incident_id, made = _words_incident(session)
    _assert_every_answer(workspace, incident_id, made)


def test_a_team_workspace_at_format_7_is_upgraded_to_the_files_words_and_finds_the_same(team_server, team_database):
    # A workspace as format 7 built it, with its conversations, indexed by PostgreSQL's own parser.
    engine = create_engine(team_url(team_database))
    try:
        migrations.upgrade_to(engine.connect, 0, 7)
        with Session(engine) as session, session.begin():
            incident_id, made = _words_incident(session)
    finally:
        engine.dispose()
    workspace = open_workspace(team_database)  # the upgrade
    try:
        with workspace.reading() as session:
            conn = session.connection()
            assert conn.scalar(text("SELECT version FROM workspace_format")) == migrations.SCHEMA_VERSION
            indexes = dict(conn.execute(text("SELECT indexname, indexdef FROM pg_indexes "
                                             "WHERE indexname IN ('message_search', 'conversation_search')")).all())
            assert sorted(indexes) == ["conversation_search", "message_search"]
            assert all("regexp_replace" in definition and migrations.TEAM_WORDS in definition
                       for definition in indexes.values()), indexes
            # the queries are still answered from the rebuilt GIN index (tiny tables: the planner is told to)
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.execute(
                text(f"EXPLAIN {team_search.MATCHING_MESSAGE_IDS}"), {"m": "'lucia':*"}))
        assert "message_search" in plan, plan
        _assert_every_answer(workspace, incident_id, made)
    finally:
        workspace.close()


def test_a_team_workspace_made_without_the_right_to_add_unaccent_keeps_accents_and_all_else(
        team_server, team_database):
    # A role that may create tables here but not add extensions: the workspace is still made, and only
    # the accents differ from a file's (docs/architecture.md): "café" is found as written, not by "cafe".
    database = team_database.rsplit("/", 1)[1]
    role = f"maker_{database}"
    team_server.add_login(role, "maker-password")
    with team_server.admin(database) as conn:
        conn.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'").fetchone() == (0,)
    workspace = create_workspace(team_server.url(database, user=role))
    try:
        with workspace.transaction() as session:
            incident_id, made = _words_incident(session)
        name_of = {conversation: name for name, (conversation, _quote) in made.items()}
        with workspace.reading() as session:
            def found(query: str) -> set[str]:
                return {name_of[i] for i in search_conversation_ids(session.connection(), incident_id, query)}

            for query, answer in ANSWERS.items():
                accents_asked_away = query.lower() in ("cafe", "muller", "sohne", "naive", "zurich")
                assert found(query) == (set() if accents_asked_away else answer), query
    finally:
        workspace.close()


@pytest.mark.parametrize("query", ["lucia@example.com", "555-0163", "example.org"])
def test_a_team_workspaces_words_are_the_files_words(team_database, tmp_path, query):
    # The reviewer's table (issue 18): the same incident as a file and as a team workspace, the same counts.
    counts = []
    for target in (tmp_path / "words.pmw", team_database):
        workspace = create_workspace(target)
        try:
            with workspace.transaction() as session:
                incident_id, _made = _words_incident(session)
            with workspace.reading() as session:
                counts.append(len(search_conversation_ids(session.connection(), incident_id, query)))
        finally:
            workspace.close()
    assert counts[0] == counts[1] >= 1


def test_a_team_workspace_whose_making_failed_leaves_none_of_its_search_behind(team_server, team_database):
    # The creation's fill fails half way: the tables go, and the search's words (a text search
    # configuration the ladder made) with them, so the database is empty again and can hold a workspace.
    def fail(_workspace):
        raise RuntimeError("the demo could not be written")

    with pytest.raises(RuntimeError, match="could not be written"):
        create_workspace(team_database, fill=fail)
    with team_server.admin(team_database.rsplit("/", 1)[1]) as conn:
        configurations = conn.execute("SELECT count(*) FROM pg_ts_config WHERE cfgname = %s", (migrations.TEAM_WORDS,))
        assert configurations.fetchone() == (0,)
        assert conn.execute("SELECT to_regclass('messages')").fetchone() == (None,)
    create_workspace(team_database).close()


def test_a_server_reading_backslashes_as_escapes_finds_the_same(team_server, team_database):
    """standard_conforming_strings off (an old server's setting): the separators' \\uXXXX in the index expression
    and the queries are the same constant there too, so the workspace is made, and found words are the same."""
    with team_server.admin(team_database.rsplit("/", 1)[1]) as conn:
        conn.execute(f'ALTER DATABASE "{team_database.rsplit("/", 1)[1]}" SET standard_conforming_strings = off')
    workspace = create_workspace(team_database)
    try:
        with workspace.reading() as session:
            assert session.scalar(text("SHOW standard_conforming_strings")) == "off"
        with workspace.transaction() as session:
            incident_id, made = _words_incident(session)
        _assert_every_answer(workspace, incident_id, made)
        with workspace.reading() as session:  # and from the GIN index, as the queries spell its expression
            conn = session.connection()
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show its index
            plan = "\n".join(row[0] for row in conn.execute(
                text(f"EXPLAIN {team_search.MATCHING_MESSAGE_IDS}"), {"m": "'lucia':*"}))
        assert "message_search" in plan, plan
    finally:
        workspace.close()
