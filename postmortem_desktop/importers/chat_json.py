"""Chat platforms' JSON exports read into raw messages: Discord, Teams, Telegram, Messenger, Slack, Mattermost…

Each shape is recognised by its own keys (DiscordChatExporter's guild/channel/messages, Telegram
Desktop's result.json, Facebook's message_1.json, a Slack channel's history, Mattermost's order/posts
page, Rocket.Chat's messages with `u`, the Telegram Bot API's getUpdates). Notices (joins, calls,
channel renames, service messages) are dropped; a message that carries only a photo, file or sticker
is kept with its kind in brackets, because sending it was something the person did at that time.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from postmortem_desktop.importers.email_body import html_to_text
from postmortem_desktop.importers.transcript_formats import RawMessage

JsonObject = Mapping[str, Any]
# Discord message types that are somebody's words; the rest are calls, pins, renames, joins.
_DISCORD_WORDS = frozenset({"Default", "Reply", "ThreadStarterMessage"})
# Slack subtypes that are notices rather than somebody's words.
_SLACK_NOTICES = frozenset({"channel_join", "channel_leave", "bot_add", "bot_remove", "channel_topic",
                            "channel_purpose", "channel_name", "channel_archive", "channel_unarchive",
                            "group_join", "group_leave", "pinned_item", "unpinned_item"})
_SLACK_MENTION = re.compile(r"<([@#!])([^>|]{1,80})(?:\|([^>]{1,120}))?>")
_SLACK_LINK = re.compile(r"<(https?://[^>|]{1,2000})(?:\|([^>]{1,500}))?>")
# Facebook's media keys, with the word shown in place of a missing text.
_MESSENGER_MEDIA = (("photos", "photo"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "gif"),
                    ("files", "file"), ("sticker", "sticker"), ("share", "link"))
_TELEGRAM_MEDIA = ("photo", "file", "sticker_emoji", "media_type", "location_information", "contact_information")


class NotAChatExport(ValueError):
    """JSON whose shape is none of the chat exports read here."""


def read_chat_json(data: Any, tz: tzinfo = UTC) -> tuple[str, list[RawMessage]]:
    """The platform's name and the messages of a parsed JSON export, oldest first."""
    for name, recognise, read in _SHAPES:
        if recognise(data):
            messages = _each_once(read(data, tz))
            messages.sort(key=lambda m: m.at or datetime.min.replace(tzinfo=UTC))
            return name, messages
    raise NotAChatExport("the JSON is not a chat export this app reads (Discord, Telegram, Messenger, Slack, "
                         "Mattermost or Rocket.Chat)")


def _each_once(messages: list[RawMessage]) -> list[RawMessage]:
    """The messages with a repeated id left out: an export that lists a message twice (DiscordChatExporter's
    overlapping partitions, an edited message written again) still holds it once."""
    seen: set[str] = set()
    once = []
    for message in messages:
        if message.external_id:
            if message.external_id in seen:
                continue
            seen.add(message.external_id)
        once.append(message)
    return once


def _message(author: str, at: datetime | None, text: str, external_id: Any = None) -> RawMessage:
    """``external_id`` is the message's own id in the export, when it has one (a number or a string)."""
    return RawMessage(author=author.strip(), at=at, lines=text.strip().split("\n") if text.strip() else [],
                      external_id=_id(external_id))


def _id(value: Any) -> str:
    # an id is a string or a whole number; anything else (a list, a float, a bool) is no id
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def _iso(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _epoch(seconds: Any, scale: float = 1) -> datetime | None:
    number = _number(seconds)
    try:
        return None if number is None else datetime.fromtimestamp(number / scale, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _objects(items: Any) -> list[JsonObject]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


# An export is untrusted: every field is read through these, so a wrong type is "missing", never a crash.
def _obj(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- Discord (DiscordChatExporter) ------------------------------------------------------------

def _is_discord(data: Any) -> bool:
    return isinstance(data, dict) and "guild" in data and "channel" in data and isinstance(data.get("messages"), list)


def _read_discord(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for m in _objects(data["messages"]):
        if (_str(m.get("type")) or "Default") not in _DISCORD_WORDS:
            continue
        author = _obj(m.get("author"))
        name = _str(author.get("nickname")) or _str(author.get("name"))
        text = _str(m.get("content"))
        if not text.strip():
            files = _objects(m.get("attachments"))
            text = " ".join(f"[attachment: {_str(a.get('fileName')) or 'file'}]" for a in files)
        out.append(_message(name, _iso(m.get("timestamp")), text or "[sticker]", m.get("id")))
    return out


# --- Telegram Desktop (result.json) and the Bot API -------------------------------------------

def _is_telegram(data: Any) -> bool:
    messages = data.get("messages") if isinstance(data, dict) else None
    return isinstance(messages, list) and any(isinstance(m, dict) and "from_id" in m or
                                              isinstance(m, dict) and m.get("type") == "service"
                                              for m in messages[:50])


def _telegram_text(text: Any) -> str:
    # Telegram writes plain text as a string, formatted text as a list of strings and entities.
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else _str(part.get("text")) for part in text
                       if isinstance(part, str | dict))
    return text if isinstance(text, str) else ""


def _read_telegram(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for m in _objects(data["messages"]):
        if m.get("type") != "message":
            continue  # service messages: joins, calls, pins
        at = _epoch(m["date_unixtime"]) if m.get("date_unixtime") else _local(m.get("date"), tz)
        text = _telegram_text(m.get("text"))
        if not text.strip():
            kind = next((key for key in _TELEGRAM_MEDIA if m.get(key)), "media")
            text = f"[{kind.replace('_', ' ')}]"
        out.append(_message(_str(m.get("from")), at, text, m.get("id")))
    return out


def _local(text: Any, tz: tzinfo) -> datetime | None:
    # Older Telegram exports write the phone's wall time without a zone.
    value = _iso(text)
    try:
        return value.replace(tzinfo=tz).astimezone(UTC) if value is not None and "+" not in str(text) else value
    except OverflowError:  # a local time at the edge of year 1..9999
        return None


def _is_telegram_bot(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("result"), list) and "ok" in data


def _read_telegram_bot(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for update in _objects(data["result"]):
        m = _obj(update.get("message") or update.get("channel_post"))
        if not _str(m.get("text")):
            continue
        sender = _obj(m.get("from"))
        full = " ".join(p for p in (_str(sender.get("first_name")), _str(sender.get("last_name"))) if p)
        name = full or _str(sender.get("username"))
        out.append(_message(name, _epoch(m.get("date")), _str(m.get("text")), m.get("message_id")))
    return out


# --- Facebook Messenger (message_1.json) ------------------------------------------------------

def _is_messenger(data: Any) -> bool:
    return isinstance(data, dict) and "participants" in data and isinstance(data.get("messages"), list)


def _fix_mojibake(text: str) -> str:
    # Facebook writes UTF-8 bytes as \u00XX escapes; undo that when the text is such a string.
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _read_messenger(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for m in _objects(data["messages"]):
        if m.get("is_unsent") or m.get("type") in ("Call", "Subscribe", "Unsubscribe"):
            continue
        text = _fix_mojibake(_str(m.get("content")))
        if not text.strip():
            text = next((f"[{word}]" for key, word in _MESSENGER_MEDIA if m.get(key)), "")
        if text:
            out.append(_message(_fix_mojibake(_str(m.get("sender_name"))), _epoch(m.get("timestamp_ms"), 1000), text))
    return out


# --- Slack channel history (API or one day's file of an export) -------------------------------

def _is_slack(data: Any) -> bool:
    messages = data.get("messages") if isinstance(data, dict) else data
    return isinstance(messages, list) and any(isinstance(m, dict) and "ts" in m and "type" in m for m in messages[:50])


def _slack_text(text: str) -> str:
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SLACK_MENTION.sub(lambda m: ("@" if m.group(1) != "#" else "#") + (m.group(3) or m.group(2)), text)
    return html.unescape(text)


def _read_slack(data: Any, tz: tzinfo) -> list[RawMessage]:
    return read_slack_messages(data.get("messages") if isinstance(data, dict) else data, {})


def read_slack_messages(items: Any, users: Mapping[str, str]) -> list[RawMessage]:
    """Slack message objects (a history page, or the day files of an export) with user ids named."""
    out = []
    for m in _objects(items):
        if _str(m.get("subtype")) in _SLACK_NOTICES:
            continue
        user = _str(m.get("user")) or _str(_obj(m.get("comment")).get("user"))
        author = _str(_obj(m.get("user_profile")).get("real_name")) or _str(m.get("username")) or users.get(user) \
            or user or _str(m.get("bot_id"))
        text = "\n".join(part for part in _slack_parts(m) if part)
        if text.strip():
            # ts is how Slack names a message in its channel (what its API edits and threads by);
            # client_msg_id is missing from bots' and older posts
            out.append(_message(str(author), _epoch(m.get("ts")), text, m.get("ts")))
    return out


def _slack_parts(m: JsonObject) -> list[str]:
    # Bots often post only attachments, and a file share only its file: their words are there.
    parts = [_slack_text(_str(m.get("text")))]
    for attachment in _objects(m.get("attachments")):
        parts.append(_slack_text(_str(attachment.get("text")) or _str(attachment.get("fallback"))
                                 or _str(attachment.get("title"))))
    files = _objects([m.get("file")] + (m["files"] if isinstance(m.get("files"), list) else []))
    if not any(p.strip() for p in parts):
        parts += [f"[file: {_str(f.get('title')) or _str(f.get('name')) or 'attachment'}]" for f in files]
    return [p.strip() for p in parts]


# --- Mattermost and Rocket.Chat ---------------------------------------------------------------

def _is_mattermost(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("order"), list) and isinstance(data.get("posts"), dict)


def _read_mattermost(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for post in (_obj(data["posts"].get(key)) for key in data["order"] if isinstance(key, str)):
        # Mattermost's system posts have a type "system_…"; people's posts an empty one.
        if not _str(post.get("type")).startswith("system_") and _str(post.get("message")):
            author = _str(_obj(post.get("props")).get("override_username")) or _str(post.get("user_id"))
            out.append(_message(author, _epoch(post.get("create_at"), 1000), _str(post.get("message")), post.get("id")))
    return out


def _is_rocketchat(data: Any) -> bool:
    messages = data.get("messages") if isinstance(data, dict) else None
    return isinstance(messages, list) and any(isinstance(m, dict) and "u" in m and "msg" in m for m in messages[:50])


def _read_rocketchat(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for m in _objects(data["messages"]):
        if m.get("t"):
            continue  # "uj" user joined, "ul" left, "au" added…: notices
        user = _obj(m.get("u"))
        if _str(m.get("msg")):
            out.append(_message(_str(user.get("name")) or _str(user.get("username")), _iso(m.get("ts")),
                                _str(m.get("msg")), m.get("_id")))
    return out


# --- Microsoft Teams (Graph API chatMessage list: what export scripts and eDiscovery tools save) ----

def _is_teams(data: Any) -> bool:
    values = data.get("value") if isinstance(data, dict) else None
    return isinstance(values, list) and any(isinstance(m, dict) and "createdDateTime" in m and "body" in m
                                            for m in values[:50])


def _read_teams(data: JsonObject, tz: tzinfo) -> list[RawMessage]:
    out = []
    for m in _objects(data["value"]):
        # systemEventMessage: members added, calls, renames; a deleted message keeps only its shell
        if (_str(m.get("messageType")) or "message") != "message" or m.get("deletedDateTime"):
            continue
        sender = _obj(m.get("from"))
        person, app = _obj(sender.get("user")), _obj(sender.get("application"))
        name = _str(person.get("displayName")) or _str(app.get("displayName"))
        body = _obj(m.get("body"))
        text = _str(body.get("content"))
        if _str(body.get("contentType")).lower() == "html":
            text = html_to_text(text)
        if text.strip():
            out.append(_message(name, _iso(m.get("createdDateTime")), text, m.get("id")))
    return out


Reader = Callable[[Any, tzinfo], list[RawMessage]]
_SHAPES: tuple[tuple[str, Callable[[Any], bool], Reader], ...] = (
    ("discord", _is_discord, _read_discord),
    ("teams", _is_teams, _read_teams),
    ("messenger", _is_messenger, _read_messenger),
    ("mattermost", _is_mattermost, _read_mattermost),
    ("telegram-bot", _is_telegram_bot, _read_telegram_bot),
    ("rocketchat", _is_rocketchat, _read_rocketchat),
    ("telegram", _is_telegram, _read_telegram),
    ("slack", _is_slack, _read_slack),
)
