"""The lines that introduce a quoted email, in the languages and shapes mail clients write them.

"On Mon, Jan 26, 2026 at 10:00 AM Amy <amy@x.net> wrote:", "Am 13.12.2017 21:11 schrieb Amy <…>:",
"Le 2021-04-09 23:25, Toby a écrit :", "ср, 30 апр. 2025 г. в 15:19, John <j@x.com>:", Zoho's
"---- On … wrote ----", and Outlook's header blocks in other languages ("Von:", "Envoyé :", "Van:").
Clients wrap a long attribution over two or three lines; `join_wrapped` puts them back together
before anything is matched.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parseaddr
from functools import lru_cache

# Verbs that end an attribution, one per language clients write ("a wrote": Zimbra's half-English).
_VERBS = ("wrote", "a wrote", "schrieb", "a écrit", "a ecrit", "ha scritto", "escribió", "escreveu",
          "napisał\\(a\\)", "napisał", "napisała", "kirjoitti", "skrev", "schreef", "написал\\(а\\)",
          "написал", "написала", "написав", "yazdı", "írta", "έγραψε", "写道", "a scris", "piše",
          "napsal\\(a\\)", "napsal")
_VERB = "|".join(_VERBS)
_ATTRIBUTION = re.compile(
    rf"^(?:-{{1,4}}\s?)?(?P<head>.{{4,300}}?)[\s,]\s?(?P<verb>{_VERB})(?P<after>\s[^:\-][^:]{{0,159}}?)?\s?:?(?:\s?-{{2,}})?$",
    re.I)
# Without a verb: "11:00 AM, November 17, 2021, "John" <john@x.com>:" or the Russian "…, John <j@x.com>:".
_ADDRESS_ATTRIBUTION = re.compile(r"^(?P<head>.{6,300}?<[^<>@\s]{1,100}@[^<>\s]{1,200}>)\s?:$")
_ADDRESS = re.compile(r"[<(\[]?(?:mailto:)?(?P<address>[^<>()\[\]\s@,;:\"]{1,100}@[^<>()\[\]\s,;:\"]{1,200})[>)\]]?")
_DIGIT_WORD = re.compile(r"\S*\d\S*")
_MAX_JOINED = 400

# Outlook's header keys in other languages, read as the English ones.
HEADER_KEYS = {
    "from": "from", "von": "from", "de": "from", "van": "from", "da": "from", "od": "from", "fra": "from",
    "från": "from", "от": "from", "от кого": "from", "lähettäjä": "from", "feladó": "from", "sent": "sent",
    "gesendet": "sent", "envoyé": "sent", "verzonden": "sent", "inviato": "sent", "enviado": "sent",
    "wysłano": "sent", "skickat": "sent", "sendt": "sent", "отправлено": "sent", "lähetetty": "sent",
    "envoyé le": "sent", "message du": "date", "dato": "date", "date": "date", "datum": "date", "fecha": "date",
    "data": "date", "дата": "date", "to": "to", "an": "to", "à": "to", "aan": "to", "a": "to", "para": "to",
    "do": "to", "till": "to", "til": "to", "кому": "to", "vastaanottaja": "to", "cc": "cc", "copie à": "cc",
    "kopie": "cc", "bcc": "bcc", "subject": "subject", "betreff": "subject", "objet": "subject",
    "onderwerp": "subject", "oggetto": "subject", "asunto": "subject", "assunto": "subject", "temat": "subject",
    "ämne": "subject", "emne": "subject", "тема": "subject", "aihe": "subject", "reply-to": "reply-to",
    "importance": "importance",
}
_HEADER = re.compile(r"^\*{0,2}(?P<key>[^\W\d_][\w\-\s]{0,15}?)\*{0,2}\s?:\*{0,2}\s?(?P<value>.{0,500})$")


def header_line(text: str) -> tuple[str, str] | None:
    """An Outlook header line as (English key, value), e.g. ("from", "Amy <a@x.net>"), else None."""
    found = _HEADER.match(text)
    if found is None:
        return None
    key = HEADER_KEYS.get(" ".join(found["key"].split()).casefold())
    return (key, found["value"].strip()) if key else None


def is_attribution(text: str) -> bool:
    return attribution(text) is not None


def attribution(text: str) -> tuple[str, str] | None:
    """(date and name part, name after the verb) of an attribution line, else None.

    A real attribution carries a date or time: a digit in the part before the verb.
    """
    # Every attribution ends in ":" (or Zoho's "----"): prose lines are turned away before any regex.
    if len(text) > _MAX_JOINED or not text or text[-1] not in ":-":
        return None
    found = _ATTRIBUTION.match(text)
    if found and _dated(found["head"]) and not text.endswith("."):
        return found["head"], (found["after"] or "").strip()
    found = _ADDRESS_ATTRIBUTION.match(text)
    if found and any(ch.isdigit() for ch in found["head"].split("<", 1)[0]):
        return found["head"], ""
    return None


def _dated(head: str) -> bool:
    # digits inside an address ("mail+1234@x.com") are no date
    return any(ch.isdigit() for ch in _ADDRESS.sub("", head))


def join_wrapped(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (depth, text) lines with an attribution wrapped over two or three lines put back on one."""
    out: list[tuple[int, str]] = []
    for depth, text in lines:
        if text and text[-1] in ":-" and not is_attribution(text):
            for back in (1, 2):
                if len(out) >= back and all(d == depth and t for d, t in out[-back:]):
                    joined = " ".join([t for _, t in out[-back:]] + [text]).replace("< ", "<").replace("( ", "(")
                    if is_attribution(joined) and not is_attribution(out[-1][1]):
                        del out[-back:]
                        text = joined
                        break
        out.append((depth, text))
    return out


def attribution_sender(head: str, after: str) -> tuple[str, str, str]:
    """Name, address and date text of an attribution's head ("Mon, … 10:00 AM Amy <amy@x.net>")."""
    who = after or head
    address_match = _ADDRESS.search(who)
    address = address_match["address"] if address_match else ""
    if after:
        name = parseaddr(after.strip(" \"'"))[0] or after.split("<", 1)[0]
        when = head
    else:
        before = head[: address_match.start()] if address_match else head
        # The name is what follows the last word holding a digit (the date and the clock come first).
        words = before.replace(",", " , ").split()
        last_digit = max((i for i, w in enumerate(words) if _DIGIT_WORD.fullmatch(w) and any(c.isdigit() for c in w)),
                         default=-1)
        start = last_digit + 1
        # "… 11:30:41 AM EDT, Jane Roe": the words of the clock and its zone belong to the time.
        while start < len(words) and words[start].casefold() in _CLOCK_WORDS:
            start += 1
        name = " ".join(w for w in words[start:] if w != ",")
        when = " ".join(words[:start])
    name = name.strip(" ,\"'").removesuffix(" a").strip() or address
    return name, address, when


@lru_cache(maxsize=4096)
def parse_when(text: str, tz: tzinfo) -> datetime | None:
    """UTC time of an email date in any common spelling, English or not; None when none is found."""
    text = text.strip(" ,")
    if not any(ch.isdigit() for ch in text):
        return None
    try:
        parsed = _english(text) or _other_language(text)
        if parsed is None:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)
    except (ValueError, OverflowError, TypeError):  # "+99:99", a year past 9999 once moved to UTC
        return None


def _english(text: str) -> datetime | None:
    from dateutil import parser as date_parser  # imported on first use: pasting a chat never needs it

    # dateutil reads "GMT+1" the POSIX way (one hour west); mail clients mean east.
    text = _GMT_OFFSET.sub(lambda m: f" {m[1]}{int(m[2]):02d}{m[3] or '00'}", text)
    text = text.replace(" at ", " ").replace(", at", ",")
    readings = []
    for default in _DEFAULTS:
        try:
            readings.append(date_parser.parse(text, fuzzy=True, tzinfos=_ZONES, default=default))
        except (ValueError, OverflowError, TypeError):
            return None
    # A fuzzy read fills a missing day, month or year from its default: two defaults that disagree
    # show that the text did not say the date, so no guess is returned.
    if readings[0].date() != readings[1].date():
        return None
    return readings[0]


def _other_language(text: str) -> datetime | None:
    # Month and weekday names in other languages ("14 июня 2017", "10 de julho de 2017").
    import dateparser  # type: ignore[import-untyped]  # loaded only for dates dateutil cannot read

    found: datetime | None = dateparser.parse(text, settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                                                 "REQUIRE_PARTS": ["day", "month", "year"]})
    if found is None:
        return None
    offset = re.search(r"([+-]\d{2}):?(\d{2})\s*$", text)
    if offset:
        sign = -1 if offset[1][0] == "-" else 1
        found = found.replace(tzinfo=timezone(sign * timedelta(hours=int(offset[1][1:]), minutes=int(offset[2]))))
    return found


_CLOCK_WORDS = frozenset({"am", "pm", "a.m.", "p.m.", "utc", "gmt", ","} | {zone.casefold() for zone in (
    "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "CET", "CEST", "BST", "IST", "JST", "AEST", "AEDT")})
_GMT_OFFSET = re.compile(r"\s?\b(?:GMT|UTC)\s?([+-])(\d{1,2})(?::?(\d{2}))?\b")
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
# Zone names mail clients print, with their offsets in seconds (dateutil knows only UTC/GMT by itself).
_ZONES = {name: int(hours * 3600) for name, hours in (
    ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7),
    ("CET", 1), ("CEST", 2), ("BST", 1), ("IST", 5.5), ("JST", 9), ("AEST", 10), ("AEDT", 11))}
