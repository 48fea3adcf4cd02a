"""The extra terms a person asked to mask: stored once per workspace as a JSON list in workspace_settings."""
from __future__ import annotations

import json
from collections.abc import Iterable

#: the workspace_settings key; a setting rather than a table so the schema (and its version) stays as it is
SETTING_KEY = "redaction_extra_terms"


def parse(value: str | None) -> tuple[str, ...]:
    """The stored terms from the setting's value; a missing or damaged value counts as none."""
    try:
        terms = json.loads(value) if value else []
    except ValueError:
        return ()
    return tuple(t for t in terms if isinstance(t, str) and t.strip()) if isinstance(terms, list) else ()


def dump(terms: Iterable[str]) -> str:
    """The setting's value: the terms trimmed, empty ones and case-insensitive repeats left out, in order."""
    seen: dict[str, str] = {}
    for term in terms:
        term = " ".join((term or "").split())
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return json.dumps(list(seen.values()), ensure_ascii=False)
