"""The redaction preview: what a redacted export will mask (counts by kind, examples in context) and what
still looks personal but will not be masked, so a person can choose to mask more before saving.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..analysis import pii, pii_candidates
from .redaction import EMAIL_FIELDS, PHONE_FIELDS, VERBATIM_FIELDS, redactor_for, text_fields
from .report_data import ReportData

CONTEXT_CHARS = 32
EXAMPLES_PER_KIND = 3
MAX_CANDIDATES = 60


@dataclass(frozen=True)
class MaskedExample:
    """One masked find in its context: before + found + after, and what replaces found."""

    kind: str
    before: str
    found: str
    replacement: str
    after: str


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class UnmaskedCandidate:
    """Something that still looks personal: how often it appears, why it was picked, and one context."""

    term: str
    reason: str
    count: int
    before: str
    after: str


@dataclass(frozen=True)
class RedactionPreview:
    counts: tuple[KindCount, ...]
    examples: tuple[MaskedExample, ...]
    candidates: tuple[UnmaskedCandidate, ...]
    extra_terms: tuple[str, ...]

    @property
    def total_masked(self) -> int:
        return sum(c.count for c in self.counts)


def build_preview(data: ReportData) -> RedactionPreview:
    """The preview for report data as gathered (not yet redacted), with its own known names and extra terms."""
    redactor = redactor_for(data)
    counts: Counter[str] = Counter()
    examples: dict[str, list[MaskedExample]] = {}
    found: dict[str, list] = {}
    seen: set[str] = set()
    for role, text in text_fields(data):
        if role in VERBATIM_FIELDS or not text or text in seen:
            continue
        seen.add(text)  # the same text (a title repeated on every row) is counted once
        spans = redactor.spans(text) or _whole_field(redactor, role, text)
        for span in spans:
            counts[span.kind] += 1
            kind_examples = examples.setdefault(span.kind, [])
            # a few more than shown, so examples in running text can be preferred over whole fields
            if len(kind_examples) < EXAMPLES_PER_KIND * 4:
                before, value, after = _context(text, span.start, span.end)
                kind_examples.append(MaskedExample(span.kind, before, value, span.replacement, after))
        for candidate in pii_candidates.candidates(text, [(s.start, s.end) for s in spans]):
            found.setdefault(candidate.term, []).append((candidate, text))
    return RedactionPreview(
        counts=tuple(KindCount(kind, pii.KIND_LABELS.get(kind, kind), n) for kind, n in counts.most_common()),
        examples=tuple(e for kind, _ in counts.most_common() for e in _in_context_first(examples[kind])),
        candidates=_ranked_candidates(found),
        extra_terms=data.extra_terms,
    )


def _in_context_first(examples: list[MaskedExample]) -> list[MaskedExample]:
    return sorted(examples, key=lambda e: not (e.before.strip() or e.after.strip()))[:EXAMPLES_PER_KIND]


def _whole_field(redactor, role: str, text: str) -> list[pii.PiiSpan]:  # noqa: ANN001
    """A contact's email or phone, or a known customer's name field, that the export masks as a whole."""
    masked = redactor.field(role, text)
    if masked == text:
        return []
    kind = pii.EMAIL if role in EMAIL_FIELDS else pii.PHONE if role in PHONE_FIELDS else pii.NAME
    return [pii.PiiSpan(kind, 0, len(text), masked)]


def _ranked_candidates(found: dict[str, list]) -> tuple[UnmaskedCandidate, ...]:
    ranked = sorted(found.items(), key=lambda item: (-len(item[1]), item[0].casefold()))[:MAX_CANDIDATES]
    out = []
    for term, occurrences in ranked:
        candidate, text = occurrences[0]
        before, _, after = _context(text, candidate.start, candidate.end)
        out.append(UnmaskedCandidate(term, candidate.reason, len(occurrences), before, after))
    return tuple(out)


def _context(text: str, start: int, end: int) -> tuple[str, str, str]:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    return (("…" if start > CONTEXT_CHARS else "") + before.replace("\n", " "),
            text[start:end], after.replace("\n", " ") + ("…" if end + CONTEXT_CHARS < len(text) else ""))
