"""Chat exports as people really have them (issue 14): locale variants, JSON and zip containers, notices.

Each test reads a real third-party export from ../shared/data/real/chats (never copied here), or a few
lines written here in a documented shape, and fails on the reader before issue 14.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_desktop.importers.conversation_files import UnreadableConversation, read_conversation_file
from postmortem_desktop.importers.records import ParsedTranscript
from postmortem_desktop.importers.transcripts import parse_transcript
from tests.shared_data import shared_file


def read(relative: str) -> ParsedTranscript:
    path = shared_file(f"real/chats/{relative}")
    return read_conversation_file(path.name, path.read_bytes(), day=date(2026, 1, 27))


def texts(result: ParsedTranscript) -> str:
    return "\n".join(m.text for m in result.messages)


# --- WhatsApp locale variants -----------------------------------------------------------------

def test_arabic_whatsapp_with_arabic_indic_digits_and_rtl_marks_is_many_messages_with_times() -> None:
    result = read("whatsapp/whats_json__arabic_ios.txt")
    assert result.format == "whatsapp"
    assert len(result.messages) > 10  # before: the whole chat was one message
    hello = next(m for m in result.messages if m.text == "Hello World")
    # "[٢٧/٣/٢٠٢٢، ٩:٤١:٣٥ م]": day first, Arabic PM letter
    assert (hello.author, hello.at) == ("Dmitry S", datetime(2022, 3, 27, 21, 41, 35, tzinfo=UTC))


@pytest.mark.parametrize("name", ["whats_json__calendar_Buddhist_iOS.txt", "whats_json__calendar_Japanese_iOS.txt"])
def test_buddhist_and_japanese_era_years_are_gregorian(name: str) -> None:
    result = read(f"whatsapp/{name}")
    hello = next(m for m in result.messages if m.text == "Hello World")
    assert hello.at == datetime(2022, 3, 27, 21, 41, 35, tzinfo=UTC)


def test_vietnamese_export_writes_the_time_before_the_date() -> None:
    hello = next(m for m in read("whatsapp/whats_json__vietnamese_ios.txt").messages if m.text == "Hello World")
    assert hello.at == datetime(2022, 3, 27, 21, 41, 35, tzinfo=UTC)


def test_year_first_and_dotted_time_lines_are_whatsapp_messages() -> None:
    # The shapes of phones set to ISO dates and of locales that write "10.12" for the time.
    result = parse_transcript("2023-06-01, 10.12 - Ana: the invoice failed\n2023-06-01, 10.15 - Acme Support: on it\n")
    assert result.format == "whatsapp"
    assert [(m.author, m.at) for m in result.messages] == [
        ("Ana", datetime(2023, 6, 1, 10, 12, tzinfo=UTC)), ("Acme Support", datetime(2023, 6, 1, 10, 15, tzinfo=UTC))]


def test_midnight_written_as_00_am_is_read_not_dropped() -> None:
    # WhatsR's iOS export writes "[1/30/18, 00:04:03 AM]".
    result = read("whatsapp/WhatsR__englishiosampm.txt")
    assert datetime(2018, 1, 30, 0, 4, 3, tzinfo=UTC) in [m.at for m in result.messages]


def test_system_notices_deleted_messages_and_calls_are_dropped_in_the_exports_language() -> None:
    result = read("whatsapp/whats_json__russian_android.txt")
    body = texts(result)
    assert "Данное сообщение удалено" not in body and "Пропущенный аудиозвонок" not in body
    assert "сквозным шифрованием" not in body
    german = texts(read("whatsapp/WhatsR__germanios24h.txt"))
    assert "Ende-zu-Ende" not in german and "hinzugefügt" not in german


def test_media_messages_stay_as_what_the_person_sent_at_that_time() -> None:
    # WhatsR's reference data frame counts Bob's "<Media omitted>" and Carol's empty message as messages.
    result = read("whatsapp/WhatsR__englishandroid24h.txt")
    assert Counter(m.author for m in result.messages) == {"Mallory": 1, "Dave": 4, "Alice": 13, "Bob": 19, "Carol": 5}


def test_whatsapp_zip_is_read_from_the_chat_inside() -> None:
    result = read("whatsapp/whats_json__ios_RU.zip")
    assert result.format == "whatsapp" and len(result.messages) > 3


# --- Zoom, IRC --------------------------------------------------------------------------------

def test_zoom_recording_chat_keeps_replies_whole_and_drops_reactions() -> None:
    result = read("zoom/ethereum-pm__fcr_2026-05-26_008_chat.txt")
    assert result.format == "zoom"
    assert len(result.messages) == 27 - 10  # entries less reactions (expected.json)
    assert not any(m.text.startswith("Reacted to") for m in result.messages)
    reply = next(m for m in result.messages if m.text.startswith('Replying to "Hmm I renamed'))
    assert "\n" in reply.text  # the quoted line and the answer stay one message


def test_irc_log_reads_nicks_times_with_offsets_and_drops_joins() -> None:
    result = read("irc/perceval__supybot_valid.log")
    assert result.format == "irc"
    first = result.messages[0]
    assert (first.author, first.at) == ("benpol", datetime(2012, 10, 17, 9, 16, 21, tzinfo=UTC))
    assert not any("has joined" in m.text or "has quit" in m.text for m in result.messages)
    assert result.messages[-1].author == "gregaf"


# --- JSON exports -----------------------------------------------------------------------------

def test_discord_export_drops_calls_and_uses_the_nickname() -> None:
    result = read("discord/chat-analytics__GC_3A_5M.json")
    assert result.format == "discord"
    # the author named "not a plant" has the nickname "theplant": "Should honor nickname over name"
    authors = {m.author for m in result.messages}
    assert "theplant" in authors and "not a plant" not in authors
    assert not any("Started a call" in m.text or "Changed the channel" in m.text for m in result.messages)


def test_telegram_desktop_export_joins_text_entities_and_drops_service_messages() -> None:
    result = read("telegram/chat-analytics__DM_2A_7M.json")
    assert len(result.messages) == 6
    assert result.messages[0].text == "https://google.com 👀"
    assert result.messages[-1].at == datetime.fromtimestamp(1654898799, UTC)


def test_messenger_export_is_put_oldest_first_with_media_messages_kept() -> None:
    result = read("messenger/chat-analytics__2A_7M.json")
    assert len(result.messages) == 7
    assert result.messages[0].at == datetime(2014, 11, 5, 0, 27, 20, 411000, tzinfo=UTC)
    assert result.messages[0].text == "[photo]"


def test_slack_export_zip_names_people_and_drops_joins() -> None:
    result = read("slack/slack-export-viewer__testarchive.zip")
    assert result.format == "slack-export"
    assert len(result.messages) == 158 - 8 - 3  # less channel_join and bot_add (expected.json)
    assert not any(m.text.endswith("has joined the channel") for m in result.messages)


# --- refusals ---------------------------------------------------------------------------------

def test_outlook_msg_is_refused_naming_the_format_and_what_to_do() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # a compound file's header, as .msg files start
    with pytest.raises(UnreadableConversation, match=r"Outlook message \(\.msg\).*Save As"):
        read_conversation_file("reply.msg", ole2)


def test_a_zip_without_a_chat_is_refused_with_advice() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    with pytest.raises(UnreadableConversation, match="no chat inside"):
        read_conversation_file("photos.zip", buffer.getvalue())


def test_json_that_is_no_chat_export_is_refused_not_read_as_one_message() -> None:
    with pytest.raises(UnreadableConversation, match="not a chat export"):
        read_conversation_file("config.json", b'{"version": 3, "items": [1, 2]}')


def test_signal_export_markdown_lines_are_read_with_their_dates() -> None:
    # signal-export (the community exporter of Signal Desktop) writes "[2019-05-29, 15:04] Me: …" per its README.
    result = parse_transcript("[2019-05-29, 15:04] Me: How is everyone?\n[2019-05-29, 15:10] Aya: Payments fail\n"
                              "since this morning\n")
    assert [(m.author, m.at, m.text) for m in result.messages] == [
        ("Me", datetime(2019, 5, 29, 15, 4, tzinfo=UTC), "How is everyone?"),
        ("Aya", datetime(2019, 5, 29, 15, 10, tzinfo=UTC), "Payments fail\nsince this morning")]


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["guild", "channel", "messages", "participants", "order", "posts", "result",
                                          "ok", "u", "msg", "ts", "type", "text", "from", "from_id", "date",
                                          "date_unixtime", "author", "content", "timestamp", "sender_name",
                                          "timestamp_ms", "user", "subtype", "files", "attachments", "create_at",
                                          "message", "photos", "name", "nickname"]), inner, max_size=6),
                     max_leaves=25)


# Each platform's outer shape, with anything inside: the readers see their own keys holding wrong types.
_SHAPED = st.one_of(
    st.fixed_dictionaries({"guild": _JSON, "channel": _JSON, "messages": st.lists(_JSON, max_size=4)}),
    st.fixed_dictionaries({"participants": _JSON, "messages": st.lists(_JSON, max_size=4)}),
    st.fixed_dictionaries({"order": st.lists(st.text(max_size=3), max_size=3),
                           "posts": st.dictionaries(st.text(max_size=3), _JSON, max_size=3)}),
    st.fixed_dictionaries({"ok": _JSON, "result": st.lists(_JSON, max_size=4)}),
    st.fixed_dictionaries({"messages": st.lists(st.fixed_dictionaries({"u": _JSON, "msg": _JSON, "ts": _JSON}),
                                                max_size=3)}),
    st.fixed_dictionaries({"messages": st.lists(st.fixed_dictionaries(
        {"type": st.just("message"), "from_id": _JSON, "text": _JSON, "date": _JSON, "date_unixtime": _JSON}),
        max_size=3)}),
    st.lists(st.fixed_dictionaries({"ts": _JSON, "type": _JSON, "text": _JSON, "subtype": _JSON, "user": _JSON,
                                    "attachments": _JSON, "file": _JSON}), max_size=3),
    _JSON,
)


@settings(max_examples=400, deadline=None)
@given(_SHAPED)
def test_any_json_is_read_or_refused_with_a_message_never_a_crash(data: object) -> None:
    raw = json.dumps(data).encode()
    try:
        result = read_conversation_file("export.json", raw)
    except UnreadableConversation as exc:
        assert str(exc)
    else:
        assert all(isinstance(m.text, str) and isinstance(m.author, str) for m in result.messages)


def test_cli_refuses_an_outlook_msg_with_exit_4_naming_the_format(tmp_path, capsys) -> None:
    from postmortem_desktop.cli import main

    msg = tmp_path / "reply.msg"
    msg.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert main(["parse-transcript", str(msg), "--json"]) == 4
    assert "Outlook message (.msg)" in capsys.readouterr().err


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([b"", b"PK\x03\x04", b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\n", b"{", b"[",
                        b"<html><body>", b"\xd0\xcf\x11\xe0"]), st.binary(max_size=400),
       st.sampled_from(["x.txt", "x.zip", "x.mbox", "x.eml", "x.json", "x.html"]))
def test_any_bytes_are_read_or_refused_with_a_message_never_a_crash(head: bytes, tail: bytes, name: str) -> None:
    try:
        result = read_conversation_file(name, head + tail)
    except UnreadableConversation as exc:
        assert str(exc)
    else:
        assert isinstance(result.messages, list)


def test_a_24_hour_clock_with_pm_added_keeps_its_time() -> None:
    # WhatsR's Android 12 h export writes "1/29/18, 23:59 PM - Bob: …"
    bob = next(m for m in read("whatsapp/WhatsR__englishandroidampm.txt").messages if m.text.startswith("Carol, can"))
    assert bob.at == datetime(2018, 1, 29, 23, 59, tzinfo=UTC)


def test_a_changed_security_code_is_a_notice_in_russian_too() -> None:
    assert "код безопасности" not in texts(read("whatsapp/whats_json__ios_RU.zip"))


def test_teams_graph_messages_read_html_bodies_and_drop_system_events_and_deleted_ones() -> None:
    # The chatMessage list Microsoft Graph returns (learn.microsoft.com, chatMessage resource), written here.
    export = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#chats('x')/messages", "value": [
        {"id": "3", "messageType": "message", "createdDateTime": "2026-11-18T10:31:00.12Z", "deletedDateTime": None,
         "from": {"user": {"displayName": "Lena Ortiz"}},
         "body": {"contentType": "html", "content": "<p>We know, payments are failing.</p><p>Fix in 10&nbsp;min.</p>"}},
        {"id": "2", "messageType": "systemEventMessage", "createdDateTime": "2026-11-18T10:30:00Z",
         "from": None, "body": {"contentType": "html", "content": "<systemEventMessage/>"}},
        {"id": "1", "messageType": "message", "createdDateTime": "2026-11-18T10:29:00+01:00", "deletedDateTime": None,
         "from": {"user": {"displayName": "Sam Chen"}},
         "body": {"contentType": "text", "content": "Checkout is down?"}},
        {"id": "0", "messageType": "message", "createdDateTime": "2026-11-18T10:28:00Z",
         "deletedDateTime": "2026-11-18T10:40:00Z", "from": {"user": {"displayName": "Sam Chen"}},
         "body": {"contentType": "html", "content": ""}},
    ]}
    result = read_conversation_file("messages.json", json.dumps(export).encode())
    assert result.format == "teams"
    assert [(m.author, m.at, m.text) for m in result.messages] == [
        ("Sam Chen", datetime(2026, 11, 18, 9, 29, tzinfo=UTC), "Checkout is down?"),
        ("Lena Ortiz", datetime(2026, 11, 18, 10, 31, 0, 120000, tzinfo=UTC),
         "We know, payments are failing.\nFix in 10\xa0min.")]
