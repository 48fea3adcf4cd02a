"""Status pages → status-page events: Atlassian Statuspage incident JSON, and status RSS/Atom history feeds.

Each update (investigating, identified, monitoring, resolved…) becomes one event titled
"<Status> — <incident name>"; a "Resolved" update is what suggests the status-page marker
(domain/system_window.py).
"""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from defusedxml import ElementTree  # type: ignore[import-untyped]  # defusedxml ships no types
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]  # (nor does its common)

from .base import STATUS_PAGE, EventFile, EventFileError, event, iso_time

_COMPONENT_STATUS = {"operational": "operational", "degraded_performance": "degraded performance",
                     "partial_outage": "partial outage", "major_outage": "major outage",
                     "under_maintenance": "under maintenance"}


def is_statuspage_json(data: Any) -> bool:
    incidents = _incidents_of(data)
    return bool(incidents) and all(isinstance(i, dict) and "incident_updates" in i for i in incidents)


def _incidents_of(data: Any) -> list[Any]:
    if isinstance(data, dict):
        if isinstance(data.get("incident"), dict):
            return [data["incident"]]
        if isinstance(incidents := data.get("incidents"), list):
            return incidents
        if "incident_updates" in data:  # the manage API's single incident
            return [data]
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        return data
    return []


def read_statuspage_json(data: Any) -> EventFile:
    page = data.get("page", {}).get("name", "") if isinstance(data, dict) else ""
    result = EventFile(source=f"Statuspage incident JSON{f' ({page})' if page else ''}")
    for number, incident in enumerate(_incidents_of(data), start=1):
        name = str(incident.get("name") or "Incident")
        for update in incident.get("incident_updates") or []:
            result.items_read += 1
            at = iso_time(update.get("display_at")) or iso_time(update.get("created_at"))
            status = str(update.get("status") or "update").replace("_", " ")
            if at is None:
                result.skipped.append((number, f"{name}: {status}", "the update has no readable time "
                                                                    "(display_at or created_at)"))
                continue
            detail = "\n".join(p for p in (str(update.get("body") or "").strip(),
                                           _components(update.get("affected_components"))) if p)
            result.events.append(event(at, STATUS_PAGE, f"{status.capitalize()} — {name}", detail))
    return result.sort()


def _components(components: Any) -> str:
    changes = []
    for c in components or []:
        if not isinstance(c, dict):
            continue
        was, now = str(c.get("old_status") or "?"), str(c.get("new_status") or "?")
        old, new = _COMPONENT_STATUS.get(was, was), _COMPONENT_STATUS.get(now, now)
        changes.append(f"{c.get('name', '?')}: {old} → {new}" if old != new else f"{c.get('name', '?')}: {new}")
    return ("Components: " + "; ".join(changes)) if changes else ""


# ---- RSS / Atom history feeds -------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_UPDATE = re.compile(r"<small>(?P<when>.*?)</small>\s*(?:<br\s*/?>)?\s*<strong>(?P<status>.*?)</strong>\s*-?\s*"
                     r"(?P<body>.*?)(?=<p>\s*<small>|$)", re.S | re.I)
_WHEN = re.compile(r"(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2}),?\s*(?P<year>\d{4})?\s*[,-]?\s*"
                   r"(?P<hh>\d{1,2}):(?P<mm>\d{2})\s*(?P<zone>[A-Z]{2,5}|[+-]\d{2}:?\d{2})?")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), start=1)}
# Statuspage writes the page's zone as an abbreviation; these are the ones its pages use most.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5,
          "EST": -5, "EDT": -4, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "IST": 5.5, "JST": 9,
          "AEST": 10, "AEDT": 11}


def is_feed(text: str) -> bool:
    head = text.lstrip()[:600]
    return head.startswith("<") and ("<rss" in head or "<feed" in head)


def read_status_feed(text: str) -> EventFile:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise EventFileError(f"the feed is not well-formed XML ({exc}); save it again from the status page") from exc
    atom = root.tag == f"{_ATOM}feed"
    entries = root.findall(f"{_ATOM}entry") if atom else root.findall("./channel/item")
    title = (root.findtext(f"{_ATOM}title") if atom else root.findtext("./channel/title")) or "status page"
    result = EventFile(source=f"Status-page {'Atom' if atom else 'RSS'} feed ({title.strip()})")
    for number, entry in enumerate(entries, start=1):
        ns = _ATOM if atom else ""
        name = (entry.findtext(f"{ns}title") or "Incident").strip()
        stamp = entry.findtext(f"{ns}published") or entry.findtext(f"{ns}updated") if atom else \
            entry.findtext("pubDate")
        published = _feed_time(stamp, atom)
        body = entry.findtext(f"{ns}content") if atom else entry.findtext("description")
        updates = list(_UPDATE.finditer(body or ""))
        if not updates:
            result.items_read += 1
            if published is None:
                result.skipped.append((number, name, "the entry has no readable date"))
            else:
                result.events.append(event(published, STATUS_PAGE, _entry_title(name, _plain(body or "")),
                                           _plain(body or "")))
            continue
        for update in updates:
            result.items_read += 1
            at = _update_time(update.group("when"), published)
            status = _plain(update.group("status")) or "Update"
            if at is None:
                result.skipped.append((number, f"{name}: {status}", f"cannot read the time {_plain(update['when'])!r}"))
                continue
            result.events.append(event(at, STATUS_PAGE, f"{status.capitalize()} — {name}", _plain(update["body"])))
    return result.sort()


_LEADING_STATUS = re.compile(r"^\s*\[?(?P<status>resolved|investigating|identified|monitoring|update|"
                             r"completed|scheduled|in progress|verifying|operational)\]?\s*[:\-–—]\s*(?P<rest>.*)",
                             re.I | re.S)


def _entry_title(name: str, body: str) -> str:
    """A feed entry that is one update (Instatus, Cachet, Better Stack): "<Status> — <incident>" when the
    title or the text starts with a status word, so a resolution suggests the status-page marker."""
    titled = _LEADING_STATUS.match(name)
    if titled:
        return f"{titled['status'].capitalize()} — {titled['rest'].strip()}"
    said = _LEADING_STATUS.match(body)
    return f"{said['status'].capitalize() if said else 'Update'} — {name}"


def _feed_time(stamp: str | None, atom: bool) -> datetime | None:
    if not stamp:
        return None
    if atom:
        return iso_time(stamp)
    try:
        return parsedate_to_datetime(stamp.strip()).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _update_time(when_html: str, published: datetime | None) -> datetime | None:
    """An update's "Feb 8, 09:00 UTC": the year (absent) comes from the entry's date, nearest to it."""
    m = _WHEN.search(_plain(when_html))
    if m is None or m["mon"] not in _MONTHS:
        return None
    zone = m["zone"] or "UTC"
    if zone[0] in "+-":
        offset = (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[-2:]))
    elif zone in _ZONES:
        offset = int(_ZONES[zone] * 60)
    else:
        return None
    tz = timezone(timedelta(minutes=offset))
    if m["year"]:
        years = [int(m["year"])]
    elif published is not None:
        years = [published.year - 1, published.year, published.year + 1]
    else:
        return None
    try:
        candidates = [datetime(y, _MONTHS[m["mon"]], int(m["day"]), int(m["hh"]), int(m["mm"]), tzinfo=tz)
                      for y in years]
    except ValueError:
        return None
    reference = published or candidates[0]
    return min(candidates, key=lambda c: abs(c - reference)).astimezone(UTC)
