"""The words of an undo or redo refused over a teammate's change (domain/errors.ChangedSince)."""
from __future__ import annotations

from postmortem_desktop.domain.errors import ChangedSince


def test_a_refusal_does_not_quote_an_edit_name_that_quotes_what_it_names():
    """Found in a user's trial: “Merge “trust-loss” into “churn-risk”” cannot be undone."""
    assert str(ChangedSince("Merge “trust-loss” into “churn-risk”", undoing=True)).startswith(
        "Merge “trust-loss” into “churn-risk” cannot be undone")
    assert str(ChangedSince('Add System Event "Ben: macro updated"', undoing=True, depends="x")).startswith(
        'Add System Event "Ben: macro updated" cannot be undone')
    assert str(ChangedSince("Edit title", undoing=False)).startswith("“Edit title” cannot be redone")
