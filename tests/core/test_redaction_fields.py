"""Every text field that reaches an export is redacted, including fields added to ReportData later."""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime, timezone

from postmortem_desktop.domain import timing
from postmortem_desktop.reporting import report_data
from postmortem_desktop.reporting.redaction import VERBATIM_FIELDS, redact_report, text_fields
from postmortem_desktop.reporting.report_data import ReportData

# Each text field gets all of these; none may survive redaction.
SECRETS = ("Sarah Connor", "sarah.connor@example.com", "+44 20 7946 0958", "4111 1111 1111 1111", "07700 900123")
PERSONAL_TEXT = "Sarah Connor <sarah.connor@example.com>, +44 20 7946 0958, card 4111 1111 1111 1111, 07700 900123"
MOMENT = datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc)


def _value(annotation: typing.Any, name: str) -> typing.Any:
    """A value of the annotated type whose every string is PERSONAL_TEXT."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        return PERSONAL_TEXT
    if origin in (typing.Union, types.UnionType):
        return _value(next(a for a in args if a is not type(None)), name)
    if origin is tuple:
        return tuple(_value(a, name) for a in args if a is not Ellipsis)
    if annotation is bool:
        return False
    if annotation in (int, float):
        return annotation(1)
    if annotation is datetime:
        return MOMENT
    if annotation is date:
        return MOMENT.date()
    if annotation is timing.Window:
        return timing.Window(MOMENT, MOMENT)
    if dataclasses.is_dataclass(annotation):
        return _instance(annotation)
    raise AssertionError(f"the test does not know how to fill {name}: {annotation!r}")


def _instance(cls: type) -> typing.Any:
    hints = typing.get_type_hints(cls, vars(report_data))
    return cls(**{f.name: _value(hints[f.name], f.name) for f in dataclasses.fields(cls) if f.init})


def _every_field_personal() -> ReportData:
    data = _instance(ReportData)
    return dataclasses.replace(data, known_customers=(("Sarah Connor", "Cyberdyne"),), extra_terms=(), redacted=False)


def test_every_text_field_of_the_report_is_filled_by_this_test():
    # if a new field's type is unknown to _value the builder fails, so no field escapes the next test
    strings = list(text_fields(_every_field_personal()))
    assert len(strings) > 30 and {text for _, text in strings} == {PERSONAL_TEXT}


def test_every_text_field_but_the_programs_own_vocabulary_is_redacted():
    redacted = redact_report(_every_field_personal())
    leaks = [(role, text) for role, text in text_fields(redacted)
             if role not in VERBATIM_FIELDS and any(s in text for s in SECRETS)]
    assert leaks == []


def test_only_fields_the_program_writes_itself_are_left_verbatim():
    # Adding a field here lets its text reach exports unredacted: it must never hold what a person typed.
    # Stored vocabulary fields (status, severity, area, …) are no longer trusted: a hand-edited workspace
    # put an email in them and it reached the PDF (adversarial re-check).
    assert VERBATIM_FIELDS == {"headline", "key", "question", "label"}


def test_fields_the_issue_found_unredacted_are_redacted():
    data = _every_field_personal()
    redacted = redact_report(data)
    quote, action, event = redacted.quotes[0], redacted.actions[0], redacted.system_events[0]
    for text in (redacted.title, redacted.service, quote.external_id, action.owner, event.title,
                 redacted.contacts[0].reason, quote.author, redacted.conversations[0].task):
        assert not any(s in text for s in SECRETS), text
    assert redacted.known_customers == () and redacted.redacted
