"""Slack workspace exports (the zip of channels.json, users.json and <channel>/<YYYY-MM-DD>.json):
messages with user names, threads, edits and files resolved; bot posts as system events.

The zip is untrusted: members are read by name from the archive (never extracted), their number and
uncompressed size are capped, and a member that is not JSON is reported, not fatal.
"""
from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...domain.json_input import load_json
from .. import system_event_lines
from .base import DEPLOY, NOTE, STATUS_PAGE, EventFileError, SourceEvent, event

MAX_MEMBERS = 200_000
MAX_UNCOMPRESSED = 2 * 1024 ** 3  # 2 GB of JSON is far beyond any export a person reviews
_DAY_FILE = re.compile(r"^(?:.*/)?(?P<channel>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_SKIPPED_SUBTYPES = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
                     "bot_add", "bot_remove", "pinned_item", "unpinned_item", "group_join", "group_leave",
                     "message_deleted", "tombstone"}
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
_STATUS_BOTS = ("statuspage", "status page", "status.io", "instatus", "better stack", "cachet")
_DEPLOY_BOTS = ("deploy", "github", "gitlab", "jenkins", "circleci", "argo", "spinnaker", "travis", "buildkite",
                "heroku", "vercel", "netlify")
# A bot announcing a commit, push or merge reports a change: the lane's deploys-and-changes kind.
_STATUS_POST = re.compile(r"^\s*\*?(?P<status>investigating|identified|monitoring|resolved|update|"
                          r"scheduled|in progress|verifying|completed)\*?\s*[-–—:]\s*(?P<rest>.+)", re.I | re.S)
_CHANGE_WORDS = re.compile(r"\b(?:new commits?|pushed|merged|new tag|new branch)\b", re.I)


@dataclass
class SlackMessage:
    ts: str
    at: datetime
    author: str
    text: str
    bot: str = ""                 # the bot's name for a bot post, "" for a person
    thread_ts: str | None = None  # the thread's root ts (the root's own ts for the root)
    edited: bool = False


@dataclass
class SlackChannel:
    id: str
    name: str
    messages: list[SlackMessage] = field(default_factory=list)

    @property
    def people_count(self) -> int:
        return sum(1 for m in self.messages if not m.bot)

    @property
    def bot_count(self) -> int:
        return sum(1 for m in self.messages if m.bot)

    @property
    def thread_count(self) -> int:
        """Conversations this channel gives as an escalation channel: its threads and its lone posts."""
        return len({m.thread_ts or m.ts for m in self.messages if not m.bot})


@dataclass
class SlackExport:
    channels: dict[str, SlackChannel] = field(default_factory=dict)  # by name
    skipped: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def message_count(self) -> int:
        return sum(len(c.messages) for c in self.channels.values())


def is_slack_export(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist()[:MAX_MEMBERS])
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.endswith("channels.json") for n in names) and any(_DAY_FILE.match(n) for n in names)


def read_slack_export(path: Path | str) -> SlackExport:
    """Reads the whole export (a zip, or the folder it unpacks to); EventFileError when it is none."""
    path = Path(path)
    members = _ZipMembers(path) if path.is_file() else _FolderMembers(path)
    users = _users(members.json("users.json") or [])
    channel_list = members.json("channels.json")
    if channel_list is None:
        raise EventFileError(f"{path.name} has no channels.json: it is not a Slack workspace export (export it "
                             "from Slack's Workspace settings › Import/Export Data)")
    ids = {c.get("name"): c.get("id", "") for c in channel_list if isinstance(c, dict)}
    export = SlackExport()
    raw: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(members.names()):
        m = _DAY_FILE.match(name)
        if not m:
            continue
        day = members.json(name, export.skipped)
        if isinstance(day, list):
            raw.setdefault(m["channel"], []).extend(x for x in day if isinstance(x, dict))
    for channel, messages in raw.items():
        export.channels[channel] = SlackChannel(ids.get(channel, ""), channel, _messages(messages, users))
    return export


class _ZipMembers:
    def __init__(self, path: Path):
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise EventFileError(f"{path.name} is not a readable zip archive ({exc})") from exc
        infos = self.archive.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            raise EventFileError(f"{path.name} unpacks to more than {MAX_MEMBERS:,} files or "
                                 f"{MAX_UNCOMPRESSED // 1024 ** 3} GB; export fewer channels or a shorter period")
        self._names = {i.filename: i for i in infos if not i.is_dir()}

    def names(self) -> list[str]:
        return list(self._names)

    def json(self, name: str, skipped: list[tuple[int, str, str]] | None = None) -> Any:
        key = name if name in self._names else next((n for n in self._names if n.endswith("/" + name)), None)
        if key is None:
            return None
        try:
            return load_json(self.archive.read(key))
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            if skipped is not None:
                skipped.append((0, key, f"not readable JSON ({exc})"))
            return None


class _FolderMembers:
    def __init__(self, path: Path):
        if not path.is_dir():
            raise EventFileError(f"{path} is neither a Slack export zip nor its unpacked folder")
        self.root = path

    def names(self) -> list[str]:
        return [str(p.relative_to(self.root)) for p in self.root.glob("*/*.json")]

    def json(self, name: str, skipped: list[tuple[int, str, str]] | None = None) -> Any:
        target = self.root / name
        if not target.is_file():
            return None
        try:
            return load_json(target.read_bytes())
        except (ValueError, OSError) as exc:
            if skipped is not None:
                skipped.append((0, name, f"not readable JSON ({exc})"))
            return None


def _users(items: Iterable[Any]) -> dict[str, str]:
    """User id → the name people see: display name, else real name, else the handle."""
    names = {}
    for u in items:
        if isinstance(u, dict) and u.get("id"):
            profile = u.get("profile") or {}
            names[u["id"]] = (profile.get("display_name") or u.get("real_name") or profile.get("real_name")
                              or u.get("name") or u["id"])
    return names


def _messages(items: Iterable[Mapping[str, Any]], users: Mapping[str, str]) -> list[SlackMessage]:
    by_ts: dict[str, SlackMessage] = {}
    edits: list[Mapping[str, Any]] = []
    for m in items:
        subtype = m.get("subtype")
        if subtype == "message_changed":
            edits.append(m.get("message") or {})
            continue
        if subtype in _SKIPPED_SUBTYPES or "ts" not in m:
            continue
        try:
            at = datetime.fromtimestamp(float(m["ts"]), UTC)
        except (TypeError, ValueError):
            continue
        bot = _bot_name(m, users)
        author = bot or users.get(m.get("user") or (m.get("file") or {}).get("user") or "", "") or \
            m.get("username") or "unknown"
        text = _text(m, users)
        if not text:
            continue
        thread = m.get("thread_ts") or (m["ts"] if m.get("reply_count") else None)
        by_ts[m["ts"]] = SlackMessage(m["ts"], at, author, text, bot, thread, bool(m.get("edited")))
    for edit in edits:  # an edit replaces the text of the message it names
        original = by_ts.get(edit.get("ts", ""))
        if original is not None and edit.get("text"):
            original.text, original.edited = _clean(edit["text"], users), True
    return sorted(by_ts.values(), key=lambda x: (x.at, x.ts))


def _bot_name(m: Mapping[str, Any], users: Mapping[str, str]) -> str:
    if m.get("subtype") != "bot_message" and not m.get("bot_id"):
        return ""
    profile = m.get("bot_profile") or {}
    return m.get("username") or profile.get("name") or users.get(m.get("user", ""), "") or "bot"


def _text(m: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """The message with its attachments' text and its files named: bots often post only attachments."""
    parts = [_clean(m.get("text") or "", users)]
    for a in m.get("attachments") or []:
        if isinstance(a, dict):
            parts.append(_clean(a.get("pretext") or "", users))
            parts.append(_clean(a.get("title") or "", users) if a.get("title") else "")
            parts.append(_clean(a.get("text") or a.get("fallback") or "", users))
    files = [f for f in [m.get("file")] + list(m.get("files") or []) if isinstance(f, dict)]
    parts += [f"[file: {f.get('title') or f.get('name') or 'attachment'}]" for f in files]
    seen, unique = set(), []
    for p in (p.strip() for p in parts):
        if p and p not in seen:
            seen.add(p)
            unique.append(p)
    return "\n".join(unique)


def _clean(text: str, users: Mapping[str, str]) -> str:
    def mention(m: re.Match[str]) -> str:
        kind: str = m.group(1)
        target: str = m.group(2)
        label: str | None = m.group(3)
        if kind == "@":
            return "@" + users.get(target, label or target)
        if kind == "#":
            return "#" + (label or target)
        return "@" + (label or target.split("^")[0])  # <!here>, <!channel>

    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(_MENTION.sub(mention, text))


def bot_events(channel: SlackChannel) -> list[SourceEvent]:
    """Each bot post becomes a system event; the kind follows the bot (status page, deploys) and its words."""
    events = []
    for m in channel.messages:
        if not m.bot:
            continue
        name = m.bot.lower()
        kind = system_event_lines.guess_kind(m.text)
        status = _STATUS_POST.match(m.text)
        if any(b in name for b in _STATUS_BOTS) or status:
            kind = STATUS_PAGE
        elif kind == NOTE and (any(b in name for b in _DEPLOY_BOTS) or _CHANGE_WORDS.search(m.text)):
            kind = DEPLOY
        lines = [line.strip() for line in m.text.splitlines() if line.strip()]
        summary = " — ".join(lines[:2]) if lines and lines[0].endswith(":") else (lines[0] if lines else "")
        # "Resolved - …" from a status-page bot is titled like the status-page readers' events, so the
        # status-page marker is suggested from it too (domain/system_window.py)
        title = f"{status['status'].capitalize()} — {status['rest']} ({m.bot})" if status else f"{m.bot}: {summary}"
        events.append(event(m.at, kind, title, f"{m.text}\n\nPosted in #{channel.name}"))
    return events


def people_messages(channel: SlackChannel) -> list[SlackMessage]:
    return [m for m in channel.messages if not m.bot]


def threads(channel: SlackChannel) -> dict[str, list[SlackMessage]]:
    """Thread root ts → its messages (root first); a message outside any thread is a thread of its own."""
    result: dict[str, list[SlackMessage]] = {}
    for m in people_messages(channel):
        result.setdefault(m.thread_ts or m.ts, []).append(m)
    return result
