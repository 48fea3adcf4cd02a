"""Applies personal-data redaction to a ReportData, with one alias table so PDF and XLSX agree."""
from __future__ import annotations

import re
from dataclasses import replace

from ..analysis import pii
from .report_data import ContactRow, QuoteRow, ReportData

PHONE_MASK = "[phone]"
_WORD = re.compile(r"\w+")


class Redactor:
    """Masks emails, phones and card numbers; replaces known customer names with Customer A, B, …

    Aliases follow the order of `known_customers` (this incident's customers by first contact), so
    the same person is the same letter everywhere in one export and across the PDF and the XLSX.
    """

    def __init__(self, known_customers: tuple[tuple[str, str], ...]):
        self.aliases: dict[str, str] = {}
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
        # Most texts mention few of the names: only those sharing a word with the text go to the
        # matcher (all of them, so a first name shared by two customers is still seen as ambiguous).
        self._by_word: dict[str, list[str]] = {}
        for name in self.aliases:
            for word in set(_WORD.findall(name.lower())):
                self._by_word.setdefault(word, []).append(name)
        self._cache: dict[str, str] = {}

    def text(self, value: str) -> str:
        if not value:
            return value
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        names = {n: self.aliases[n] for w in set(_WORD.findall(value.lower())) for n in self._by_word.get(w, ())}
        result = pii.redact(value, known_names=list(names), aliases=names)
        self._cache[value] = result
        return result

    def name(self, value: str) -> str:
        """A customer or organization field: its alias when known, else redacted as text."""
        stripped = (value or "").strip()
        return self.aliases.get(stripped) or self.text(value)

    def phone(self, value: str) -> str:
        return PHONE_MASK if (value or "").strip() else ""

    def email(self, value: str) -> str:
        masked = pii.redact(value or "")
        if masked == value and "@" in (value or ""):
            local, _, domain = value.partition("@")
            masked = f"{local[:1]}{pii.MASK}@{domain}"
        return masked


def redact_report(data: ReportData) -> ReportData:
    """A copy of the report with personal data replaced; the original is left as it was."""
    r = Redactor(data.known_customers)
    return replace(
        data,
        title=r.text(data.title),
        customer_severity_reason=r.text(data.customer_severity_reason),
        customer_damage=r.text(data.customer_damage),
        most_broken_task=r.text(data.most_broken_task),
        first_workaround=r.text(data.first_workaround),
        trust_signals=r.text(data.trust_signals),
        answers=tuple(replace(a, answer=r.text(a.answer)) for a in data.answers),
        quotes=tuple(_quote(q, r) for q in data.quotes),
        actions=tuple(replace(a, description=r.text(a.description)) for a in data.actions),
        contacts=tuple(_contact(c, r) for c in data.contacts),
        system_events=tuple(replace(e, title=r.text(e.title)) for e in data.system_events),
        conversations=tuple(replace(c, segment=r.name(c.segment), task=r.text(c.task)) for c in data.conversations),
        known_customers=(),
        redacted=True,
    )


def _quote(q: QuoteRow, r: Redactor) -> QuoteRow:
    # a segment is meant to be a plan or customer type, but imports and people put company names there
    return replace(q, text=r.text(q.text), customer=r.name(q.customer), organization=r.name(q.organization),
                   author=r.name(q.author), segment=r.name(q.segment))


def _contact(c: ContactRow, r: Redactor) -> ContactRow:
    return replace(c, customer=r.name(c.customer), organization=r.name(c.organization), email=r.email(c.email),
                   phone=r.phone(c.phone), reason=r.text(c.reason), segment=r.name(c.segment))
