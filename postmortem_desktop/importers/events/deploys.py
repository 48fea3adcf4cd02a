"""Deploys and changes → deploy events with their version: GitHub deployments, deployment statuses and
releases (webhook payloads and API lists), and pasted `git log` output."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict

from .base import ALERT, DEPLOY, EventFile, event, first_line, iso_time


def _github_items(data: Any) -> list[tuple[str, dict[str, Any]]]:
    """(what, object) pairs from a webhook payload or an API list of deployments or releases."""
    if isinstance(data, dict):
        if isinstance(data.get("deployment_status"), dict):
            return [("deployment_status", dict(data["deployment_status"], deployment=data.get("deployment") or {}))]
        if isinstance(data.get("deployment"), dict):
            return [("deployment", data["deployment"])]
        if isinstance(data.get("release"), dict):
            return [("release", data["release"])]
        return []
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        if all("tag_name" in i for i in data):
            return [("release", i) for i in data]
        if all("environment" in i and "sha" in i for i in data):
            return [("deployment", i) for i in data]
    return []


def is_github_json(data: Any) -> bool:
    return bool(_github_items(data))


def read_github_json(data: Any) -> EventFile:
    result = EventFile(source="GitHub deployments/releases JSON")
    for number, (what, item) in enumerate(_github_items(data), start=1):
        result.items_read += 1
        if what == "release":
            version = item.get("tag_name") or item.get("name") or "?"
            at = iso_time(item.get("published_at")) or iso_time(item.get("created_at"))
            title = f"Release {version}{' (pre-release)' if item.get('prerelease') else ''}"
            detail = str(item.get("body") or item.get("name") or "")
        elif what == "deployment":
            version = _version(item)
            at = iso_time(item.get("created_at"))
            title = f"Deploy {version} to {item.get('environment') or '?'} started"
            detail = str(item.get("description") or "")
        else:
            deployment = item.get("deployment") or {}
            version, state = _version(deployment), str(item.get("state") or "?")
            at = iso_time(item.get("created_at"))
            title = f"Deploy {version} to {item.get('environment') or deployment.get('environment') or '?'}: {state}"
            detail = str(item.get("description") or "")
        if at is None:
            result.skipped.append((number, title, "no readable created_at/published_at"))
            continue
        kind = ALERT if what == "deployment_status" and item.get("state") in ("failure", "error") else DEPLOY
        result.events.append(event(at, kind, title, detail))
    return result.sort()


def _version(deployment: Mapping[str, Any]) -> str:
    ref, sha = str(deployment.get("ref") or ""), str(deployment.get("sha") or "")
    if ref and sha and not sha.startswith(ref):
        return f"{ref} ({sha[:7]})"
    return ref or sha[:7] or "?"


# ---- git log ------------------------------------------------------------------------------------

_COMMIT = re.compile(r"^commit (?P<sha>[0-9a-f]{7,40})(?:\s+\((?P<refs>[^)]*)\))?\s*$")
_DATE = re.compile(r"^(?:Author|Commit)?Date:\s+(?P<date>.+?)\s*$")
# `git log --pretty='%h %ad %s' --date=iso` (or iso-strict): "a1b2c3d 2026-11-18 10:21:05 +0100 subject"
_ONE_LINE = re.compile(r"^(?P<sha>[0-9a-f]{7,40})\s+(?P<date>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}"
                       r"(?:\s?[+-]\d{2}:?\d{2}|Z)?)\s+(?:\((?P<refs>[^)]*)\)\s+)?(?P<subject>.+)$")
_TAG = re.compile(r"tag:\s*([^,\s)]+)")


def looks_like_git_log(text: str) -> bool:
    head = [line for line in text.lstrip().splitlines()[:5] if line.strip()]
    return bool(head) and (_COMMIT.match(head[0]) is not None or _ONE_LINE.match(head[0]) is not None)


class _Commit(TypedDict):
    """One commit of a pasted git log, as read so far."""
    line: int
    sha: str
    refs: str
    date: str
    message: list[str]


def read_git_log(text: str) -> EventFile:
    """The default `git log` layout (commit / Author / Date / message) or one line per commit with an ISO date."""
    result = EventFile(source="git log")
    commit: _Commit | None = None

    def flush() -> None:
        if commit is not None:
            _add_commit(result, commit)

    for number, line in enumerate(text.splitlines(), start=1):
        m = _COMMIT.match(line)
        if m:
            flush()
            commit = {"line": number, "sha": m["sha"], "refs": m["refs"] or "", "date": "", "message": []}
            continue
        one = _ONE_LINE.match(line)
        if one and commit is None:
            result.items_read += 1
            _add_commit(result, {"line": number, "sha": one["sha"], "refs": one["refs"] or "",
                                 "date": one["date"], "message": [one["subject"]]}, counted=True)
            continue
        if commit is None:
            if line.strip():
                result.skipped.append((number, line[:200], "not a git log line (use the default layout or "
                                                           "--pretty='%h %ad %s' --date=iso)"))
            continue
        d = _DATE.match(line)
        if d and not commit["date"]:
            commit["date"] = d["date"]
        elif line.startswith("    ") and line.strip():
            commit["message"].append(line.strip())
    flush()
    return result.sort()


def _add_commit(result: EventFile, commit: _Commit, counted: bool = False) -> None:
    if not counted:
        result.items_read += 1
    at = _git_date(commit["date"])
    subject = first_line(commit["message"][0] if commit["message"] else "(no message)")
    tag = _TAG.search(commit["refs"])
    version = tag.group(1) if tag else commit["sha"][:7]
    if at is None:
        result.skipped.append((commit["line"], f"{commit['sha'][:7]} {subject}",
                               f"cannot read the commit date {commit['date']!r}"))
        return
    result.events.append(event(at, DEPLOY, f"Change {version}: {subject}", "\n".join(commit["message"][1:])))


def _git_date(text: str) -> datetime | None:
    """git's default date ("Tue Nov 18 10:21:05 2026 +0100") or ISO ("2026-11-18 10:21:05 +0100")."""
    text = text.strip()
    for fmt in ("%a %b %d %H:%M:%S %Y %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt).astimezone(UTC)
        except ValueError:
            continue
    return iso_time(text)
