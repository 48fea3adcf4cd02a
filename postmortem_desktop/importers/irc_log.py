"""IRC logs (irssi/irclog, Supybot, dircproxy) read into raw messages, one line one message.

"2012-10-17T09:16:21+0000  <benpol> text", "[15 Jan 08:42] <nick!user@host> text", "[10:21] <nick> text";
an action "* nick waves" and a notice "-bot- text" are the nick's words too. Server lines ("*** x has
joined", quits, nick changes) are dropped.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from postmortem_desktop.importers.transcript_formats import MONTHS, SKIP, DayClock, RawMessage, collect, month_day

_STAMP = (r"(?:(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2}|Z)?)"
          r"|\[(?:(?P<dom>\d{1,2})\s(?P<mon>[A-Za-z]{3})\s)?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)\])")
_LINE = re.compile(
    rf"^(?:{_STAMP})\s{{1,4}}(?:<[@+%~&]?(?P<nick>[^>\s]{{1,120}})>|\*\s(?P<actor>[^\s*]{{1,60}})\s|"
    r"-(?P<notice>[^\s-][^\s]{0,59}?)-\s|(?P<server>\*\*\*|-!-))\s?(?P<text>.*)$")


def score_irc(lines: Sequence[str]) -> int:
    return sum(2 for line in lines if _LINE.match(line.strip()))


def read_irc(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | object | None:
        found = _LINE.match(line)
        if found is None:
            return None
        if found["server"]:
            return SKIP
        at = _time(found, clock)
        if found["actor"]:
            # an action line is written in the third person: keep the nick in the text
            return RawMessage(author=found["actor"], at=at, lines=[f"{found['actor']} {found['text']}".strip()])
        nick = (found["nick"] or found["notice"] or "").split("!", 1)[0]
        text = found["text"].strip()
        return RawMessage(author=nick, at=at, lines=[text] if text else [])

    return collect(lines, recognise)


def _time(found: re.Match[str], clock: DayClock) -> datetime | None:
    if found["iso"]:
        try:
            value = datetime.fromisoformat(found["iso"].replace("Z", "+00:00"))
        except ValueError:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=clock.tz).astimezone(UTC)
    on: date | None = None
    if found["mon"] and found["mon"][:3].lower() in MONTHS:
        on = month_day(clock.reference, MONTHS[found["mon"][:3].lower()], int(found["dom"]), None)
    return clock.clock_at(found["clock"], on=on)
