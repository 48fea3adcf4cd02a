"""A chat export's own message ids are kept, shown by `conversations --json`, undone and redone, and a chat
added again is not duplicated.

The real exports are read from ../shared/data/real/chats (their truth from expected.json); the Telegram
HTML page and the Teams list are written here in the shapes their exporters produce.
"""
import json
import re
import zipfile
from datetime import UTC, datetime

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.importers.conversation_files import read_conversation_path
from postmortem_desktop.importers.records import ParsedMessage
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.conversation_list import list_conversations
from postmortem_desktop.services.conversations import AddConversation, AddConversations, NewConversation
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.real_corpus.check import real_file, truths

TELEGRAM = "chats/telegram/chat-analytics__DM_2A_7M.json"
DISCORD = ("chats/discord/chat-analytics__DM_2A_2M.json", "chats/discord/chat-analytics__GC_3A_5M.json",
           "chats/discord/chat-analytics__SV_5A_5M.json")


def expected_message_ids(relative: str) -> list[str]:
    """The ids of the messages chat-analytics' own test expects (its calls and other events left out)."""
    module = next(t["expected_parse_module"] for t in truths(relative) if "expected_parse_module" in t)
    messages = module[module.index("messages: ["):]
    messages = messages[:messages.index("\n    ],")]
    return re.findall(r'\n {12}id: "(\d+)"', messages)


def ids(relative: str) -> list[str]:
    return [m.external_id for m in read_conversation_path(real_file(relative)).messages]


@pytest.mark.parametrize("relative", [TELEGRAM, *DISCORD])
def test_telegram_and_discord_exports_keep_the_ids_their_sources_assert(relative):
    expected = expected_message_ids(relative)
    assert expected  # the truth names them
    assert ids(relative) == expected


@pytest.mark.parametrize("relative, key", [
    ("chats/mattermost/perceval__mattermost_posts.json", "id"),
    ("chats/rocketchat/perceval__rocketchat_message_page_1.json", "_id"),
    ("chats/slack/perceval__slack_history.json", "ts"),
    ("chats/telegram/perceval__telegram_bot_api_messages.json", "message_id"),
])
def test_api_pages_keep_each_message_id_the_file_gives(relative, key):
    raw = real_file(relative).read_text(encoding="utf-8")
    in_file = set(re.findall(rf'"{key}": ?"?([\w.]+)"?', raw))
    got = ids(relative)
    assert got and all(got) and len(set(got)) == len(got)
    assert set(got) <= in_file


def test_a_slack_export_zip_keeps_each_messages_ts():
    relative = "chats/slack/slack-export-viewer__testarchive.zip"
    with zipfile.ZipFile(real_file(relative)) as archive:
        stamps = {m["ts"] for info in archive.infolist() if re.search(r"/\d{4}-\d\d-\d\d\.json$", info.filename)
                  for m in json.loads(archive.read(info))}
    got = ids(relative)
    assert got and all(got) and set(got) <= stamps


@pytest.mark.parametrize("relative", ["chats/messenger/chat-analytics__2A_7M.json",
                                      "chats/whatsapp/WhatsR__englishandroid24h.txt",
                                      "chats/zoom/ethereum-pm__acdt_2026-03-23_075_chat.txt"])
def test_formats_without_ids_keep_none(relative):
    got = ids(relative)
    assert got and set(got) == {""}


TELEGRAM_PAGE = """<!DOCTYPE html><html><body><div class="page_wrap"><div class="page_body chat_page">
<div class="history">
<div class="message service" id="message-1"><div class="body details">12 May 2022</div></div>
<div class="message default clearfix" id="message3662"><div class="body">
<div class="pull_right date details" title="10.05.2022 01:23:53 UTC+02:00">01:23</div>
<div class="from_name">Bob</div><div class="text">my invoice did not send</div></div></div>
<div class="message default clearfix joined" id="message3663"><div class="body">
<div class="pull_right date details" title="10.05.2022 01:24:10 UTC+02:00">01:24</div>
<div class="text">twice</div></div></div>
</div></div></div></body></html>"""


def test_telegram_html_export_keeps_the_number_of_each_message_div(tmp_path):
    path = tmp_path / "messages.html"
    path.write_text(TELEGRAM_PAGE, encoding="utf-8")
    parsed = read_conversation_path(path)
    assert [(m.author, m.text, m.external_id) for m in parsed.messages] == [
        ("Bob", "my invoice did not send", "3662"), ("Bob", "twice", "3663")]


def test_a_teams_message_list_keeps_each_message_id(tmp_path):
    path = tmp_path / "teams.json"
    path.write_text(json.dumps({"value": [
        {"id": "1616964509832", "messageType": "message", "createdDateTime": "2021-03-28T20:48:29.832Z",
         "from": {"user": {"displayName": "Ana Agent"}}, "body": {"contentType": "text", "content": "Looking"}},
        {"id": "1616964500000", "messageType": "systemEventMessage", "createdDateTime": "2021-03-28T20:48:20Z",
         "from": None, "body": {"contentType": "html", "content": "<systemEventMessage/>"}}]}), encoding="utf-8")
    assert [(m.author, m.external_id) for m in read_conversation_path(path).messages] == [
        ("Ana Agent", "1616964509832")]


# ---- stored, listed, undone, added again ---------------------------------------------------------------------
@pytest.fixture
def incident(workspace):
    """A new incident in a workspace file, and (where a PostgreSQL cluster runs) in a team workspace."""
    create = CreateIncident(title="Billing")
    create.do(workspace)
    return workspace, create.incident_id


@pytest.fixture
def incident_file(tmp_path):
    """A new incident in a workspace file, for the command line."""
    ws = create_workspace(tmp_path / "w.pmw")
    create = CreateIncident(title="Billing")
    create.do(ws)
    ws.close()
    return tmp_path / "w.pmw", create.incident_id


def chat(relative: str, keep: int | None = None) -> NewConversation:
    parsed = read_conversation_path(real_file(relative))
    return NewConversation(channel="chat", messages=parsed.messages[:keep], source_format=parsed.format,
                           source_name=relative.rsplit("/", 1)[1])


def listed(ws, incident_id: int) -> list[list[str | None]]:
    return [[m["external_id"] for m in c["messages"]] for c in list_conversations(ws, incident_id)]


def test_a_dropped_chats_ids_are_stored_and_go_and_come_back_with_undo(incident):
    ws, incident_id = incident
    add = AddConversation(incident_id, chat(TELEGRAM))
    add.do(ws)
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)]
    add.undo(ws)
    assert listed(ws, incident_id) == []
    with ws.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM message_external_ids").scalar() == 0
    add.do(ws)  # redo
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)]


def test_conversations_json_shows_a_dropped_chats_message_ids(incident_file, capsys):
    path, incident_id = incident_file
    ws = open_workspace(path)
    try:
        AddConversation(incident_id, chat(TELEGRAM)).do(ws)
    finally:
        ws.close()
    assert main(["conversations", str(path), "--incident", str(incident_id), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [m["external_id"] for m in printed[0]["messages"]] == expected_message_ids(TELEGRAM)


def test_a_chat_without_ids_keeps_null_ids(incident):
    ws, incident_id = incident
    AddConversation(incident_id, chat("chats/whatsapp/WhatsR__englishandroid24h.txt")).do(ws)
    (stored,) = listed(ws, incident_id)
    assert stored and set(stored) == {None}


def test_the_same_chat_dropped_again_is_refused_with_where_it_is(incident):
    # before, a second drop made a second conversation with every message twice
    ws, incident_id = incident
    AddConversation(incident_id, chat(TELEGRAM)).do(ws)
    with pytest.raises(RuleError, match=r"This chat is already here: its 6 messages are in conversation CHAT-1"):
        AddConversation(incident_id, chat(TELEGRAM)).do(ws)
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)]


def test_a_later_export_of_the_same_chat_adds_only_its_new_messages_and_undo_takes_only_them(incident):
    ws, incident_id = incident
    first = chat(TELEGRAM, keep=4)
    AddConversation(incident_id, first).do(ws)
    (before,) = list_conversations(ws, incident_id)
    later = AddConversation(incident_id, chat(TELEGRAM))
    later.do(ws)
    assert (later.already_stored, later.added_messages) == (4, 2)
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)]
    (after,) = list_conversations(ws, incident_id)
    assert after["last_at"] > before["last_at"] and after["first_at"] == before["first_at"]
    later.undo(ws)
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)[:4]]
    assert list(list_conversations(ws, incident_id))[0]["last_at"] == before["last_at"]
    later.do(ws)  # redo
    assert listed(ws, incident_id) == [expected_message_ids(TELEGRAM)]


def test_two_chats_that_share_message_numbers_stay_two_conversations(incident):
    # Telegram numbers each chat's messages: the same number with another author and time is another message
    ws, incident_id = incident
    at = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)
    one = [ParsedMessage("Ann", "card declined", at, external_id="1"), ParsedMessage("Support", "checking", at,
                                                                                      "agent", "2")]
    two = [ParsedMessage("Bo", "invoice missing", at, external_id="1"), ParsedMessage("Support", "sorry", at,
                                                                                      "agent", "2")]
    for messages in (one, two):
        AddConversation(incident_id, NewConversation(channel="chat", messages=messages)).do(ws)
    assert listed(ws, incident_id) == [["1", "2"], ["1", "2"]]


def test_a_slack_exports_escalation_threads_keep_each_messages_ts(incident_file, capsys):
    path, incident_id = incident_file
    relative = "chats/slack/slack-export-viewer__testarchive.zip"
    assert main(["import-events", str(path), str(real_file(relative)), "--incident",
                 str(incident_id), "--escalation-channel", "enrique", "--include-outside-window", "--json"]) == 0
    capsys.readouterr()
    assert main(["conversations", str(path), "--incident", str(incident_id), "--json"]) == 0
    messages = [m for c in json.loads(capsys.readouterr().out) for m in c["messages"]]
    with zipfile.ZipFile(real_file(relative)) as archive:
        stamps = {m["ts"] for info in archive.infolist() if info.filename.startswith("enrique/")
                  and info.filename.endswith(".json") for m in json.loads(archive.read(info))}
    assert messages and all(m["external_id"] in stamps for m in messages)


def test_conversations_added_in_bulk_keep_their_message_ids_through_undo_and_redo(incident):
    # a Slack export's threads go in by AddConversations (bulk rows, COPY on a team workspace)
    ws, incident_id = incident
    at = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)
    threads = [NewConversation(channel="internal", external_id=f"slack:escalations:{n}.000100",
                               messages=[ParsedMessage("Ana", f"thread {n}", at, "internal", f"{n}.000100"),
                                         ParsedMessage("Bo", "on it", at, "internal", f"{n}.000200"),
                                         ParsedMessage("Cy", "no id here", at, "internal")])
               for n in (1700000001, 1700000002)]
    add = AddConversations(incident_id, threads, batch_kind="slack", file_name="export.zip")
    add.do(ws)
    expected = [["1700000001.000100", "1700000001.000200", None], ["1700000002.000100", "1700000002.000200", None]]
    assert listed(ws, incident_id) == expected
    add.undo(ws)
    assert listed(ws, incident_id) == []
    with ws.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM message_external_ids").scalar() == 0
    add.do(ws)  # redo
    assert listed(ws, incident_id) == expected
