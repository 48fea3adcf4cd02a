"""JSON given to the ticket import: recognised, described, and refused with what to export instead.

The ticket import reads tables (CSV, TSV, XLSX, ODS). A help desk's REST API answer (a Jira
search page, a Redmine issue) or a research data set of conversations is JSON: read as text it
became "a header but no rows" or a mapping with no ticket id, which told the person nothing.
Now the refusal names what the file is, what it holds, and which export to make instead.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from postmortem_desktop.domain.json_input import NestedTooDeeply, load_json
from postmortem_desktop.importers.sheet_errors import SheetError

_MAX_PARSED = 64 << 20  # a larger JSON file is refused without reading what it holds


def refuse_json(path: Path) -> None:
    """Raises SheetError saying what the JSON file is, when ``path`` holds JSON; does nothing otherwise."""
    try:
        with path.open("rb") as fh:
            start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return  # the reader says why it cannot open the file
    if not start.startswith((b"{", b"[")):
        return
    if path.stat().st_size > _MAX_PARSED:
        if path.suffix.lower() == ".json":
            raise SheetError(f"'{path.name}' is a JSON file, not a ticket export. {_EXPORT_CSV}")
        return
    try:
        data = load_json(path.read_bytes().decode("utf-8-sig"))
    except NestedTooDeeply as exc:
        raise SheetError(f"'{path.name}' is not a ticket export: {exc}. {_EXPORT_CSV}") from exc
    except (ValueError, UnicodeDecodeError):
        return  # not JSON after all (a CSV whose first cell starts with a bracket)
    if not isinstance(data, (dict, list)):
        return
    raise SheetError(f"'{path.name}' is {describe(data)}, not a ticket export. {advice(data)}")


_EXPORT_CSV = "Export the tickets as CSV (or XLSX) from the help desk and import that file."


def describe(data: dict[str, Any] | list[Any]) -> str:
    """What a JSON document holds, in a few words a support lead recognises."""
    if isinstance(data, dict):
        issues = data.get("issues")
        if isinstance(issues, list) and all(isinstance(issue, dict) and "key" in issue for issue in issues):
            keys = ", ".join(str(issue["key"]) for issue in issues[:5]) + (", …" if len(issues) > 5 else "")
            return f"a page of Jira's REST search results (JSON: {len(issues)} issues, {keys})"
        comments = data.get("comments")
        if isinstance(comments, list) and all(isinstance(c, dict) and "body" in c for c in comments):
            return f"a page of one Jira issue's comments from its REST API (JSON: {len(comments)} comments)"
        issue = data.get("issue")
        if isinstance(issue, dict) and "journals" in issue:
            journals = issue.get("journals") or []
            return (f"one Redmine issue as its REST API returns it (JSON: issue {issue.get('id')}, "
                    f"“{issue.get('subject', '')}”, {len(journals)} journal entries)")
        return f"a JSON document (keys: {', '.join(list(map(str, data))[:6])})"
    turns = [len(parts) for item in data if isinstance(item, dict)
             and isinstance(parts := item.get("original") or item.get("turns") or item.get("messages"), list)]
    if data and len(turns) == len(data):  # every item is a conversation with its turns
        conversations = turns
        return (f"a JSON list of {len(conversations)} conversations "
                f"({', '.join(str(count) for count in turns[:5])}{', …' if len(turns) > 5 else ''} turns)")
    return f"a JSON list of {len(data)} items"


def advice(data: dict[str, Any] | list[Any]) -> str:
    """Which export to make instead."""
    if isinstance(data, dict) and ("issues" in data or "comments" in data):
        return "In Jira, export the issues with Export › CSV (all fields) and import that file."
    if isinstance(data, dict) and "issue" in data:
        return "In Redmine, export the issues as CSV (Issues › Also available in: CSV) and import that file."
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return ("The ticket import reads CSV, TSV, XLSX or ODS; a single conversation can be pasted with "
                "Paste Conversation. " + _EXPORT_CSV)
    return _EXPORT_CSV
