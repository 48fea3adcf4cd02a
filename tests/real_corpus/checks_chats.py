"""Checks of the chat readers against every file under real/chats/ (truth from expected.json).

Each file gets a "no unexpected error" check (`postmortem parse-transcript FILE --json` exits 0), then
one check per fact its truth asserts that a transcript can show: message counts (system notices,
placeholders and reactions dropped), authors, first/last times, per-author counts, dates of other
calendars, messages the source's tests name (author, text, time).

Truth keys not checked, and why: WhatsR `rows`/`columns` (the R data frame's shape, system rows
included); whats_json per-kind counts (`location`, `file`, `image`…: the product keeps one message
whatever it carries; only messages minus `system` is checked); chat-analytics `calls`, `channel_type`,
`guilds`, attachment types and reaction counts (no place for them in a conversation); Discord/
Telegram `last_timestamp_in_file` (the time of a non-message event, which is dropped: checked only as
an upper bound); Slack `channels`/`users_json_members`/`subtypes` counts beyond what is dropped;
IRC `lines`/`valid_utf8`; Zoom `line_endings`; Mattermost/Rocket.Chat/Telegram Bot API sources
assert only page sizes of HTTP responses (checked as message counts where they are messages).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.real_corpus.check import Check, expected_files, truths
from tests.real_corpus.transcript_cli import parsed_ok, utc

KIND = "chats"
# The Slack export subtypes that are notices rather than somebody's words.
_SLACK_NOTICES = ("channel_join", "bot_add")


def checks() -> list[Check]:
    found: list[Check] = []
    for relative in sorted(k for k in expected_files() if k.startswith("chats/")):
        found.append(Check(KIND, f"{relative}: no unexpected error", _no_error(relative)))
        for truth in truths(relative):
            for name, run in _facts(relative, truth):
                found.append(Check(KIND, f"{relative}: {name}", run))
    return found


def _no_error(relative: str) -> Callable[[], None]:
    def run() -> None:
        parsed_ok(relative)
    return run


Fact = tuple[str, Callable[[], None]]


def _facts(relative: str, truth: dict[str, Any]) -> list[Fact]:
    if "expected_parse_module" in truth:
        return _chat_analytics(relative, truth["expected_parse_module"])
    if "senders" in truth and "user_messages" in truth:
        return _whatsr(relative, truth)
    if "author_per_row" in truth:
        return _rwhatsapp(relative, truth)
    if "same_as" in truth:
        return [(f"{name} (as {truth['same_as']})", run) for name, run in
                _facts_of_other(relative, truth["same_as"])]
    if "system" in truth and "messages" in truth:
        # whats_json counts media placeholders ("image omitted") as system lines, where the product
        # keeps them as messages (WhatsR, rwhatsapp and chat-analytics count them as messages): so
        # every non-system message is kept, and fewer than all lines are (notices dropped).
        return [(f"at least {truth['messages'] - truth['system']} messages (text, locations, files kept)",
                 _at_least(relative, truth["messages"] - truth["system"])),
                (f"fewer than {truth['messages']} messages (notices dropped)", _fewer(relative, truth["messages"]))]
    if "date_example" in truth:
        # the example's own line is the encryption notice (dropped); its month and Gregorian year are checked
        return [(f"{text} read in {day[:7]}", _has_month(relative, day[:7]))
                for text, day in truth["date_example"].items()]
    if "zip_members" in truth:
        return [("the chat inside the zip is read as WhatsApp", _format(relative, "whatsapp"))]
    if "chat_lines" in truth:
        return _irc(relative, truth)
    if "entries" in truth:
        return _zoom(relative, truth)
    if "subtypes" in truth:
        return _slack_export(relative, truth)
    if "source_assertions" in truth:
        return _asserted(relative, truth)
    return _summary(relative, truth)


def _facts_of_other(relative: str, other: str) -> list[Fact]:
    facts: list[Fact] = []
    for truth in truths(other):
        if "author_per_row" in truth:
            facts.extend(_rwhatsapp(relative, truth))
    return facts


# --- checks on the reading --------------------------------------------------------------------

def _count(relative: str, expected: int) -> Callable[[], None]:
    def run() -> None:
        got = len(parsed_ok(relative).messages)
        assert got == expected, f"{got} messages, expected {expected}"
    return run


def _format(relative: str, expected: str) -> Callable[[], None]:
    def run() -> None:
        got = parsed_ok(relative).format
        assert got == expected, f"format {got!r}, expected {expected!r}"
    return run


def _authors(relative: str, expected: set[str]) -> Callable[[], None]:
    def run() -> None:
        got = set(parsed_ok(relative).authors())
        assert got == expected, f"authors {sorted(got)}, expected {sorted(expected)}"
    return run


def _author_count(relative: str, expected: int) -> Callable[[], None]:
    def run() -> None:
        got = set(parsed_ok(relative).authors())
        assert len(got) == expected, f"authors {sorted(got)}, expected {expected} of them"
    return run


def _authors_within(relative: str, allowed: set[str]) -> Callable[[], None]:
    def run() -> None:
        extra = set(parsed_ok(relative).authors()) - allowed
        assert not extra, f"authors not in the file: {sorted(extra)}"
    return run


def _authors_include(relative: str, expected: set[str]) -> Callable[[], None]:
    def run() -> None:
        missing = expected - set(parsed_ok(relative).authors())
        assert not missing, f"authors missing: {sorted(missing)}"
    return run


def _per_author(relative: str, expected: dict[str, int]) -> Callable[[], None]:
    def run() -> None:
        got = dict(Counter(parsed_ok(relative).authors()))
        assert got == expected, f"messages per author {got}, expected {expected}"
    return run


def _earliest(relative: str, expected: datetime, tolerance: timedelta = timedelta(0)) -> Callable[[], None]:
    def run() -> None:
        times = parsed_ok(relative).times()
        assert times, "no message has a time"
        assert abs(min(times) - expected) <= tolerance, f"earliest {min(times)}, expected {expected}"
    return run


def _latest(relative: str, expected: datetime, tolerance: timedelta = timedelta(0)) -> Callable[[], None]:
    def run() -> None:
        times = parsed_ok(relative).times()
        assert times, "no message has a time"
        assert abs(max(times) - expected) <= tolerance, f"latest {max(times)}, expected {expected}"
    return run


def _not_before(relative: str, bound: datetime) -> Callable[[], None]:
    def run() -> None:
        times = parsed_ok(relative).times()
        assert times, "no message has a time"
        assert min(times) >= bound, f"earliest {min(times)} is before the file's first row {bound}"
    return run


def _latest_between(relative: str, low: datetime, high: datetime) -> Callable[[], None]:
    def run() -> None:
        times = parsed_ok(relative).times()
        assert times, "no message has a time"
        assert low <= max(times) <= high, f"latest {max(times)}, expected between {low} and {high}"
    return run


def _not_after(relative: str, bound: datetime) -> Callable[[], None]:
    def run() -> None:
        times = parsed_ok(relative).times()
        assert times, "no message has a time"
        assert max(times) <= bound, f"latest {max(times)} is after the file's last event {bound}"
    return run


def _has_month(relative: str, month: str) -> Callable[[], None]:
    def run() -> None:
        months = {t.date().isoformat()[:7] for t in parsed_ok(relative).times()}
        assert month in months, f"no message in {month}; months read: {sorted(months)[:5]}"
    return run


def _fewer(relative: str, bound: int) -> Callable[[], None]:
    def run() -> None:
        got = len(parsed_ok(relative).messages)
        assert got < bound, f"{got} messages, expected fewer than {bound}"
    return run


def _has_message(relative: str, author: str | None, text: str, at: datetime | None) -> Callable[[], None]:
    def run() -> None:
        messages = parsed_ok(relative).messages
        for message in messages:
            same_words = " ".join(message["text"].split()) == " ".join(text.split())
            if same_words and (author is None or message["author"] == author):
                if at is None or message["at"] and datetime.fromisoformat(message["at"]) == at:
                    return
                raise AssertionError(f"{text!r} read at {message['at']}, expected {at}")
        raise AssertionError(f"no message {text!r} by {author}")
    return run


# --- truth shapes -----------------------------------------------------------------------------

def _whatsr(relative: str, truth: dict[str, Any]) -> list[Fact]:
    return [
        (f"{truth['user_messages']} messages ({truth['system_message_rows']} system rows dropped)",
         _count(relative, truth["user_messages"])),
        ("messages per sender", _per_author(relative, truth["senders"])),
        # min/max are over all rows, system rows included: bounds; the last row is a person's message
        (f"nothing before {truth['min_time']}", _not_before(relative, utc(truth["min_time"]))),
        (f"latest between {truth['last_row_time']} and {truth['max_time']}",
         _latest_between(relative, utc(truth["last_row_time"]), utc(truth["max_time"]))),
    ]


def _rwhatsapp(relative: str, truth: dict[str, Any]) -> list[Fact]:
    authors = [a for a in truth["author_per_row"] if a is not None]
    minute = timedelta(seconds=60)  # the source compares with a 60 s tolerance
    return [
        (f"{len(authors)} messages (system rows dropped)", _count(relative, len(authors))),
        ("messages per author", _per_author(relative, dict(Counter(authors)))),
        (f"latest ~{truth['last_time_approx']}", _latest(relative, utc(truth["last_time_approx"]), minute)),
    ]


def _irc(relative: str, truth: dict[str, Any]) -> list[Fact]:
    # Nicks are counted by their "<nick>" token; dircproxy writes the whole hostmask there.
    nicks = {nick.split("!", 1)[0] for nick in truth["nicks"] if "&gt;" not in nick}
    first = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{4})?)", truth["first_line"])
    facts: list[Fact] = [
        (f"at least {truth['chat_lines']} messages", _at_least(relative, truth["chat_lines"])),
        (f"authors include {sorted(nicks)}", _authors_include(relative, nicks)),
        ("joins, quits and nick changes are not messages", _no_notices(relative)),
    ]
    if first:
        stamp = first[1]
        at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z") if stamp[-5] in "+-" else utc(stamp)
        if "***" in truth["first_line"]:  # the first line is a server notice, dropped: a bound
            facts.append((f"nothing before {stamp}", _not_before(relative, at)))
        else:
            facts.append((f"earliest {stamp}", _earliest(relative, at)))
    return facts


def _at_least(relative: str, expected: int) -> Callable[[], None]:
    def run() -> None:
        got = len(parsed_ok(relative).messages)
        assert got >= expected, f"{got} messages, expected at least {expected}"
    return run


def _no_notices(relative: str) -> Callable[[], None]:
    notice = re.compile(r"^\*\*\*|has joined|has quit|has left|is now known as", re.I)

    def run() -> None:
        bad = [m["text"] for m in parsed_ok(relative).messages if notice.search(m["text"])]
        assert not bad, f"notices kept as messages: {bad[:2]}"
    return run


def _zoom(relative: str, truth: dict[str, Any]) -> list[Fact]:
    day = datetime.now(UTC).date()

    def elapsed(text: str) -> datetime:
        h, m, s = (int(p) for p in text.split(":"))
        return datetime(day.year, day.month, day.day, h, m, s, tzinfo=UTC)

    kept = truth["entries"] - truth["reactions"]
    return [
        (f"{kept} messages ({truth['reactions']} reactions dropped, {truth['replies']} replies kept whole)",
         _count(relative, kept)),
        # the truth's authors include people who only reacted: every author is one of them
        ("authors are the entries' authors", _authors_within(relative, set(truth["authors"]))),
        (f"first at {truth['first_elapsed']}", _earliest(relative, elapsed(truth["first_elapsed"]))),
        (f"last at {truth['last_elapsed']}", _latest(relative, elapsed(truth["last_elapsed"]))),
    ]


def _slack_export(relative: str, truth: dict[str, Any]) -> list[Fact]:
    notices = sum(truth["subtypes"].get(name, 0) for name in _SLACK_NOTICES)
    return [
        (f"{truth['messages'] - notices} messages ({notices} joins and bot additions dropped)",
         _count(relative, truth["messages"] - notices)),
        (f"nothing before {truth['first_ts_utc']}", _not_before(relative, utc(truth["first_ts_utc"]))),
        (f"latest {truth['last_ts_utc']}", _latest(relative, utc(truth["last_ts_utc"]))),
    ]


def _summary(relative: str, truth: dict[str, Any]) -> list[Fact]:
    """chat-analytics hand summaries: messages, authors, first and last times."""
    facts: list[Fact] = []
    if "messages" in truth:
        facts.append((f"{truth['messages']} messages", _count(relative, truth["messages"])))
    authors = truth.get("authors")
    if isinstance(authors, dict):
        authors = list(authors.values())
    if authors and any("#" in name for name in authors):
        # chat-analytics names Discord users "name#discriminator (bot)"; the product shows the nickname
        facts.append((f"{len(authors)} authors", _author_count(relative, len(authors))))
    elif authors:
        facts.append(("authors", _authors(relative, set(authors))))
    first = truth.get("first_utc") or truth.get("first")
    if first:
        facts.append((f"earliest {first}", _earliest(relative, utc(first.split(" ")[0]))))
    last = truth.get("last_utc") or truth.get("last_message") or truth.get("last")
    if last:
        facts.append((f"latest {last}", _latest(relative, utc(last))))
    if "last_message_unixtime" in truth:
        at = datetime.fromtimestamp(truth["last_message_unixtime"], UTC)
        facts.append((f"latest {at.isoformat()}", _latest(relative, at)))
    bound = truth.get("last_timestamp_in_file")
    if bound:
        facts.append((f"nothing after the file's last event {bound}", _not_after(relative, utc(bound))))
    return facts


# --- chat-analytics expected-parse modules ----------------------------------------------------
_TS_MESSAGE = re.compile(r"\{[^{}]*?textContent:\s*(?P<text>\"(?:[^\"\\]|\\.)*\")[^{}]*?timestamp:\s*(?P<ts>[^,\n]+)",
                         re.S)
_NEW_DATE = re.compile(r"new Date\((\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)\)")
_DATE_PARSE = re.compile(r"Date\.parse\(\"([^\"]+)\"\)")


def _chat_analytics(relative: str, module: str) -> list[Fact]:
    """Each message the source's test names (text and time) is read, and the authors it lists."""
    facts: list[Fact] = []
    for found in _TS_MESSAGE.finditer(module):
        text = json.loads(found["text"])
        at = _ts_time(found["ts"].strip())
        if at is not None and text.strip():
            facts.append((f"message {text[:30]!r} at {at.isoformat()}", _has_message(relative, None, text, at)))
    names = re.search(r"authors:\s*\[((?:\"[^\"]+\",?\s*)+)\]\.map", module)
    if names:
        facts.append(("authors", _authors(relative, set(re.findall(r"\"([^\"]+)\"", names[1])))))
    return facts


def _ts_time(expression: str) -> datetime | None:
    if match := _NEW_DATE.match(expression):
        y, mo, d, h, mi, s = (int(p) for p in match.groups())
        return datetime(y, mo + 1, d, h, mi, s, tzinfo=UTC)  # JS months count from 0; local wall time
    if match := _DATE_PARSE.match(expression):
        return utc(match[1])
    if expression.isdigit():
        return datetime.fromtimestamp(int(expression) / 1000, UTC)
    return None


def _asserted(relative: str, truth: dict[str, Any]) -> list[Fact]:
    """The figures the source's tests assert about a file that is itself a list of messages."""
    text = "\n".join(a["snippet"] for a in truth["source_assertions"])
    name = relative.rsplit("/", 1)[1]
    if "slack_history" in name and "assertEqual(len(results), 7)" in text:
        # conversations.history lists 7 items; one is a channel_join (README's quirks), which is dropped
        return [("6 messages: the 7 of test_parse_history less the channel_join", _count(relative, 6))]
    if "mattermost_posts" in name:
        return [("5 posts as in test_parse_json", _count(relative, 5))]
    if "telegram_bot_api" in name:
        return [("3 messages as in test_parse_messages", _count(relative, 3))]
    if "supybot_valid" in name:
        facts: list[Fact] = []
        # the three messages test_parse_supybot_log names (kept only while the snippet says so)
        wanted = [("benpol", "they're related to fragmentation?", "2012-10-17T09:16:29+0000"),
                  ("supy-bot", "[backend] Fix bug #23: invalid timestamp", "2012-10-17T23:42:10+0000"),
                  ("gregaf", "but I may be wrong or debugging at the wrong level...", "2012-10-17T23:42:26+0000")]
        for nick, body, stamp in wanted:
            if body in text:
                at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
                facts.append((f"{nick}: {body[:30]!r}", _has_message(relative, nick, body, at)))
        return facts
    if "supybot_date_without_tz" in name and "'nolski'" in text:
        return [("nolski: 'test' at 11:29:41", _has_message(relative, "nolski", "test", utc("2021-01-12T11:29:41")))]
    return []
