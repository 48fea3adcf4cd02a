"""Applies personal-data redaction to a ReportData, with one alias table so PDF and XLSX agree.

Redaction covers every text field by construction: `map_text_fields` walks the report's dataclasses and
hands each string to the Redactor by its field's role, so a field added to ReportData later is redacted
as free text unless it is listed in VERBATIM_FIELDS (text the program itself writes, never a person).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..analysis import pii
from ..analysis.pii_names import fold
from .report_data import ReportData

PHONE_MASK = "[phone]"

#: fields whose text the program itself composes; everything else is redacted. Fields stored in the
#: workspace (status, severity, action area, …) are redacted too, though the app only writes its own
#: words there: a workspace file from elsewhere may hold anything in them (adversarial re-check).
VERBATIM_FIELDS = frozenset({"headline", "key", "question", "label"})
#: fields that hold a person's or company's name: their alias when known, else redacted as text
# (a segment is meant to be a plan or customer type, but imports and people put company names there)
NAME_FIELDS = frozenset({"customer", "organization", "author", "owner", "segment", "severity_decided_by"})
EMAIL_FIELDS = frozenset({"email"})
PHONE_FIELDS = frozenset({"phone"})
#: the redaction's own input, emptied in the redacted copy rather than walked
INPUT_FIELDS = frozenset({"known_customers", "extra_terms"})


class Redactor:
    """Masks personal data; replaces known customer names with Customer A, B, …

    Aliases follow the order of `known_customers` (this incident's customers by first contact), so
    the same person is the same letter everywhere in one export and across the PDF and the XLSX.
    `extra_terms` are what a person asked to mask in the redaction preview.
    """

    def __init__(self, known_customers: tuple[tuple[str, str], ...], extra_terms: Iterable[str] = ()):
        self.aliases: dict[str, str] = {}
        self._organizations: set[str] = set()  # matched as written: no initials or titles for a company
        index = 0
        for name, organization in known_customers:
            name = (name or "").strip()
            if not name or name in self.aliases:
                continue
            alias = pii.default_alias(index)
            index += 1
            self.aliases[name] = alias
            organization = (organization or "").strip()
            if organization and organization not in self.aliases:
                self.aliases[organization] = f"{alias}’s company"
                self._organizations.add(organization)
        self._alias_by_folded = {" ".join(fold(n).split()): a for n, a in reversed(self.aliases.items())}
        # One table of every name and variant, built once: matching a text is a word-by-word lookup.
        people = {n: a for n, a in self.aliases.items() if n not in self._organizations}
        companies = {n: a for n, a in self.aliases.items() if n in self._organizations}
        self._names = pii.names_table(aliases=people, organizations=companies)
        self._extra = pii.extra_terms_table(extra_terms)
        self._cache: dict[str, list[pii.PiiSpan]] = {}

    def spans(self, value: str) -> list[pii.PiiSpan]:
        """What will be masked in this text, and with what."""
        if not value:
            return []
        cached = self._cache.get(value)
        if cached is None:
            cached = self._cache[value] = pii.spans(value, self._names, self._extra)
        return cached

    def text(self, value: str) -> str:
        return pii.apply(value, self.spans(value)) if value else value

    def name(self, value: str) -> str:
        """A customer or organization field: its alias when known, else redacted as text."""
        return self._alias_by_folded.get(" ".join(fold(value or "").split())) or self.text(value)

    def phone(self, value: str) -> str:
        return PHONE_MASK if (value or "").strip() else ""

    def email(self, value: str) -> str:
        masked = self.text(value or "")
        if masked == value and "@" in (value or ""):
            local, _, domain = value.partition("@")
            masked = f"{local[:1]}{pii.MASK}@{domain}"
        return masked

    def field(self, role: str, value: str) -> str:
        """One text field of the report, redacted the way its role calls for."""
        if role in VERBATIM_FIELDS:
            return value
        if role in NAME_FIELDS:
            return self.name(value)
        if role in EMAIL_FIELDS:
            return self.email(value)
        if role in PHONE_FIELDS:
            return self.phone(value)
        return self.text(value)


def map_text_fields(value: Any, change: Callable[[str, str], str], role: str = "") -> Any:
    """A copy of a report value with every string replaced by change(field name, text)."""
    if isinstance(value, str):
        return change(role, value)
    if isinstance(value, tuple):
        return tuple(map_text_fields(item, change, role) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        updates = {f.name: map_text_fields(getattr(value, f.name), change, f.name)
                   for f in fields(value) if f.name not in INPUT_FIELDS}
        return replace(value, **updates)
    return value


def text_fields(value: Any, role: str = "") -> Iterator[tuple[str, str]]:
    """(field name, text) for every string in a report value, in the order the walk meets them."""
    if isinstance(value, str):
        yield role, value
    elif isinstance(value, tuple):
        for item in value:
            yield from text_fields(item, role)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            if f.name not in INPUT_FIELDS:
                yield from text_fields(getattr(value, f.name), f.name)


def redactor_for(data: ReportData) -> Redactor:
    return Redactor(data.known_customers, data.extra_terms)


def redact_report(data: ReportData) -> ReportData:
    """A copy of the report with personal data replaced; the original is left as it was."""
    redactor = redactor_for(data)
    redacted = map_text_fields(data, redactor.field)
    return replace(redacted, known_customers=(), extra_terms=(), redacted=True)
