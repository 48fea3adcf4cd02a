"""One schema, two engines, on real files (issue 18): every real ticket dump, spreadsheet and system-event file
of ../shared/data/real, given to the command line's `import` / `import-events` on a workspace file and on a team
workspace, and every real chat export and email added as a conversation, answers the same (exit code, summary,
message), stores the same conversations, messages and events, and the same words find the same conversations.
The files are read where they live, never copied here.

Each engine's workspace is made once for the module, with an incident per file; ids may differ between the
engines (a team workspace's sequences are shared with other clients), so they are left out of what is compared.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from postmortem_desktop.cli import main
from postmortem_desktop.domain.errors import RuleError
from postmortem_desktop.domain.vocabulary import Channel
from postmortem_desktop.importers.conversation_files import UnreadableConversation, read_conversation_path
from postmortem_desktop.services.conversation_list import list_conversations
from postmortem_desktop.services.conversations import AddConversation, NewConversation
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.paste_preview import preview_paste
from postmortem_desktop.storage.handle import Workspace
from postmortem_desktop.storage.schema import Conversation, SystemEvent
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.shared_data import SHARED_DATA

REAL = SHARED_DATA / "real"
TICKET_FILES = sorted(
    str(path.relative_to(REAL)) for folder in ("tickets", "csv") for path in (REAL / folder).rglob("*")
    if path.is_file() and path.suffix.lower() in {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods", ".json"})
EVENT_FILES = sorted(str(path.relative_to(REAL)) for path in (REAL / "system-events").rglob("*")
                     if path.is_file() and path.name != "README.md")
CONVERSATION_FILES = sorted(str(path.relative_to(REAL)) for folder in ("chats", "email")
                            for path in (REAL / folder).rglob("*") if path.is_file())
WINDOW_START = datetime(2000, 1, 1, tzinfo=UTC)  # every file's rows are imported: --include-outside-window too
SEARCHED_WORDS = 6  # words of each file's stored text searched on both engines


class Engine:
    """One engine's workspace for the module: an incident per real file, and the command line pointed at it."""

    def __init__(self, target: str, *, create: bool = True) -> None:
        self.target = target
        self.name = target
        if create:
            workspace = create_workspace(target)
            self.name = workspace.name
            workspace.close()  # open only while used: a file's open writer would make the command line's read-only
        self.incidents: dict[str, int] = {}

    @classmethod
    def existing(cls, target: str) -> Engine:
        """One a command will make (save-local's new file)."""
        return cls(target, create=False)

    @contextlib.contextmanager
    def opened(self) -> Iterator[Workspace]:
        workspace = open_workspace(self.target)
        try:
            yield workspace
        finally:
            workspace.close()

    def incident_for(self, relative: str) -> int:
        command = CreateIncident(title=relative, technical_start=WINDOW_START)
        with self.opened() as workspace:
            command.do(workspace)
        self.incidents[relative] = command.incident_id
        return command.incident_id

    def run(self, *argv: str) -> tuple[int, str, str]:
        """The command line's exit code, output and message; this workspace's own name replaced by one word."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
        names = {self.target, self.name}
        return code, _without(out.getvalue(), names), _without(err.getvalue(), names)


def _without(text: str, names: set[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "<workspace>")
    return text


@pytest.fixture(scope="module")
def engines(team_server, tmp_path_factory):
    database = team_server.new_database()
    file_engine = Engine(str(tmp_path_factory.mktemp("parity") / "parity.pmw"))
    team_engine = Engine(team_server.url(database))
    yield file_engine, team_engine
    team_server.drop_database(database)


# a pasted conversation's own id ends in the second it was added (services/conversations.py): not the engine's
_PASTED_ID = re.compile(r"^((?:CALL|INT|CHAT|MAIL|PASTE)-\d+)-\d+$")


def _unstamped(external_id: str | None) -> str | None:
    return None if external_id is None else _PASTED_ID.sub(r"\1-<second>", external_id)


def _stored_conversations(engine: Engine, incident_id: int) -> list[dict]:
    with engine.opened() as workspace:
        conversations = list(list_conversations(workspace, incident_id))
    for conversation in conversations:
        conversation["external_id"] = _unstamped(conversation["external_id"])
        for message in conversation["messages"]:
            message["conversation_external_id"] = _unstamped(message["conversation_external_id"])
    return conversations


def _searched(engine: Engine, incident_id: int, words: list[str]) -> dict[str, list[str]]:
    """Each word's matching conversations, by their external ids and subjects (ids differ between the engines)."""
    with engine.opened() as workspace, workspace.reading() as session:
        conn = session.connection()
        found = {word: search_conversation_ids(conn, incident_id, word, limit=500) for word in words}
        named = {cid: f"{_unstamped(external_id)}|{subject}" for cid, external_id, subject in session.execute(
            select(Conversation.id, Conversation.external_id, Conversation.subject)
            .where(Conversation.incident_id == incident_id))}
    return {word: sorted(named[cid] for cid in ids) for word, ids in found.items()}


def _words_of(conversations: list[dict]) -> list[str]:
    """A few words of the stored text to search for: long ones, from messages and subjects spread over the file."""
    texts = [c["subject"] or "" for c in conversations] + [m["text"] for c in conversations for m in c["messages"]]
    words = []
    step = max(1, len(texts) // SEARCHED_WORDS)
    for text in texts[::step]:
        candidates = sorted(re.findall(r"\w{5,}", text), key=len, reverse=True)
        if candidates and candidates[0].lower() not in words:
            words.append(candidates[0].lower())
        if len(words) == SEARCHED_WORDS:
            break
    return words


@pytest.mark.parametrize("relative", TICKET_FILES)
def test_a_real_ticket_file_imports_the_same_into_a_file_and_a_team_workspace(engines, relative):
    answers, stored = [], []
    for engine in engines:
        incident_id = engine.incident_for(relative)
        answers.append(engine.run("import", engine.target, str(REAL / relative), "--incident", str(incident_id),
                                  "--include-outside-window", "--json"))
        stored.append(_stored_conversations(engine, incident_id))
    (file_code, file_out, file_err), (team_code, team_out, team_err) = answers
    assert (team_code, team_err) == (file_code, file_err)
    if file_code == 0:
        assert json.loads(team_out) == json.loads(file_out)
    assert stored[1] == stored[0]
    words = _words_of(stored[0])
    searched = [_searched(engine, engine.incidents[relative], words) for engine in engines]
    assert searched[1] == searched[0]


@pytest.mark.parametrize("relative", CONVERSATION_FILES)
def test_a_real_chat_or_email_added_as_a_conversation_is_stored_and_found_the_same(engines, relative):
    """As Paste Conversation adds a dropped file with the dialog's defaults: its text, its customer and its
    words, with emoji, accents, addresses, links and phone numbers, on both engines."""
    answers, stored = [], []
    for engine in engines:
        incident_id = engine.incident_for(relative)
        answers.append(_add_conversation_file(engine, incident_id, REAL / relative))
        stored.append(_stored_conversations(engine, incident_id))
    assert answers[1] == answers[0]
    assert stored[1] == stored[0]
    words = _words_of(stored[0])
    searched = [_searched(engine, engine.incidents[relative], words) for engine in engines]
    assert searched[1] == searched[0]


def _add_conversation_file(engine: Engine, incident_id: int, path: Path) -> str:
    """"added", or the refusal's words (an unreadable file, or one without text)."""
    try:
        transcript = read_conversation_path(path)
        preview = preview_paste(transcript)
        channel = Channel.EMAIL if "/email/" in path.as_posix() else Channel.CHAT
        new = NewConversation(channel=channel.value, messages=list(transcript.messages),
                              customer_name=preview.main_customer, source_format=transcript.format,
                              source_name=path.name)
        with engine.opened() as workspace:
            AddConversation(incident_id, new).do(workspace)
    except (UnreadableConversation, RuleError) as exc:
        return str(exc)
    return "added"


@pytest.mark.parametrize("relative", EVENT_FILES)
def test_a_real_system_event_file_imports_the_same_into_a_file_and_a_team_workspace(engines, relative):
    answers, stored = [], []
    for engine in engines:
        incident_id = engine.incident_for(relative)
        answers.append(engine.run("import-events", engine.target, str(REAL / relative), "--incident",
                                  str(incident_id), "--include-outside-window", "--json"))
        stored.append(_stored_events(engine, incident_id))
    (file_code, file_out, file_err), (team_code, team_out, team_err) = answers
    assert (team_code, team_err) == (file_code, file_err)
    if file_code == 0:
        assert json.loads(team_out) == json.loads(file_out)
    assert stored[1] == stored[0]


def _stored_events(engine: Engine, incident_id: int) -> list[tuple]:
    with engine.opened() as workspace, workspace.reading() as session:
        return [tuple(row) for row in session.execute(
            select(SystemEvent.at, SystemEvent.kind, SystemEvent.title, SystemEvent.detail)
            .where(SystemEvent.incident_id == incident_id).order_by(SystemEvent.at, SystemEvent.title))]


def test_the_real_files_are_there():
    """The parity above is over something: the real corpus is beside the checkout, with its kinds."""
    assert len(TICKET_FILES) >= 90 and len(EVENT_FILES) >= 80 and len(CONVERSATION_FILES) >= 130
    assert any(Path(name).suffix == ".xlsx" for name in TICKET_FILES)


# a file of each kind that stores something, for the round trip below
ROUND_TRIP = {
    "chats/whatsapp/whats_json__thai_ios.txt": "conversation",
    "chats/telegram/chat-analytics__DM_2A_7M.json": "conversation",
    "chats/slack/perceval__slack_history.json": "conversation",
    "email/mbox/perceval__mbox_complex.mbox": "conversation",
    "email/eml/flanker__bilingual-simple.eml": "conversation",
    "tickets/servicenow/uci_incident_event_log__first150incidents.csv": "tickets",
    "tickets/bugzilla/perceval__bugzilla_buglist_next.csv": "tickets",
    "system-events/statuspage/streamyard-history.atom": "events",
}


def test_real_incidents_published_to_a_team_workspace_and_saved_back_to_a_file_keep_every_row_and_id(
        team_server, tmp_path):
    """Move between the two (issue 18): a file holding real imports, published whole, then each incident saved to a
    file of its own for a meeting: the same conversations, messages, events and ids on the way there and back."""
    source = Engine(str(tmp_path / "source.pmw"))
    for relative, kind in ROUND_TRIP.items():
        incident_id = source.incident_for(relative)
        if kind == "conversation":
            assert _add_conversation_file(source, incident_id, REAL / relative) == "added"
        else:
            command = "import" if kind == "tickets" else "import-events"
            code, _out, err = source.run(command, source.target, str(REAL / relative), "--incident", str(incident_id),
                                         "--include-outside-window")
            assert code == 0, err
    database = team_server.new_database()
    try:
        team = Engine(team_server.url(database))
        code, _out, err = team.run("publish", source.target, team.target)
        assert code == 0, err
        for relative, incident_id in source.incidents.items():
            saved = Engine.existing(str(tmp_path / f"meeting-{incident_id}.pmw"))
            code, _out, err = team.run("save-local", team.target, saved.target, "--incident", str(incident_id))
            assert code == 0, err
            rows = [_every_row(engine, incident_id) for engine in (source, team, saved)]
            assert rows[0]["conversations"] or rows[0]["events"], relative  # something real went all the way
            assert rows[1] == rows[0], relative
            assert rows[2] == rows[0], relative
    finally:
        team_server.drop_database(database)


def _every_row(engine: Engine, incident_id: int) -> dict[str, list]:
    """The incident's conversations with their messages, their ids, and its system events."""
    with engine.opened() as workspace, workspace.reading() as session:
        ids = session.scalars(select(Conversation.id).where(Conversation.incident_id == incident_id)
                              .order_by(Conversation.id)).all()
    return {"conversations": _stored_conversations(engine, incident_id), "ids": list(ids),
            "events": _stored_events(engine, incident_id)}
