"""The redaction preview (what will be masked, what still looks personal) and masking more terms."""
from __future__ import annotations

from dataclasses import replace

from openpyxl import load_workbook

from postmortem_desktop.cli import main
from postmortem_desktop.reporting.redaction import redact_report, text_fields
from postmortem_desktop.reporting.redaction_preview import build_preview
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.redaction import MaskTerms, UnmaskTerms, extra_terms, redaction_preview
from postmortem_desktop.storage.workspace import open_workspace


def _data(ws):
    data = gather(ws, 1)
    quote = data.quotes[0]
    text = "Hi Priya, call me on (020) 7946 0111. Ask Bartholomew Quill about order 88213374 please."
    return replace(data, quotes=(replace(quote, text=text), *data.quotes[1:]))


def test_preview_counts_what_will_be_masked_by_kind_with_examples_in_context(demo):
    preview = build_preview(_data(demo))
    counts = {c.kind: c.count for c in preview.counts}
    assert counts["phone"] >= 1 and counts["unknown_name"] >= 1 and counts["name"] >= 1
    phone = next(e for e in preview.examples if e.kind == "phone")
    assert (phone.found, phone.replacement) == ("(020) 7946 0111", "[phone]")
    assert phone.before.endswith("call me on ") and phone.after.startswith(". Ask")


def test_preview_lists_what_still_looks_personal_but_is_not_masked(demo):
    terms = {c.term: c for c in build_preview(_data(demo)).candidates}
    assert "Bartholomew Quill" in terms and "88213374" in terms
    assert "Priya" not in terms and "7946 0111" not in " ".join(terms)  # already masked: not a candidate
    assert terms["Bartholomew Quill"].before.endswith("Ask ")


def test_masked_terms_persist_in_the_workspace_and_undo_takes_them_back(demo):
    MaskTerms((), ["Bartholomew Quill", " bartholomew quill ", ""]).do(demo)
    assert extra_terms(demo) == ("Bartholomew Quill",)
    command = MaskTerms(extra_terms(demo), ["88213374"])
    command.do(demo)
    assert extra_terms(demo) == ("Bartholomew Quill", "88213374")
    command.undo(demo)
    assert extra_terms(demo) == ("Bartholomew Quill",)
    UnmaskTerms(extra_terms(demo), ["BARTHOLOMEW QUILL"]).do(demo)
    assert extra_terms(demo) == ()


def test_masked_terms_are_masked_in_any_case_and_no_longer_candidates(demo):
    MaskTerms((), ["Bartholomew Quill", "88213374"]).do(demo)
    data = replace(_data(demo), extra_terms=extra_terms(demo))
    redacted = redact_report(data)
    assert not [t for _, t in text_fields(redacted) if "Bartholomew" in t or "88213374" in t]
    assert "[redacted]" in redacted.quotes[0].text
    preview = build_preview(data)
    assert {"Bartholomew Quill", "88213374"}.isdisjoint(c.term for c in preview.candidates)
    assert any(c.kind == "extra_term" for c in preview.counts)


def test_the_command_line_exports_honour_the_masked_terms(demo_copy, tmp_path):
    ws = open_workspace(demo_copy)
    try:
        agent = next(c.term for c in redaction_preview(ws, 1).candidates if " " in c.term)
        MaskTerms((), [agent]).do(ws)
    finally:
        ws.close()
    out = tmp_path / "r.xlsx"
    assert main(["export-xlsx", str(demo_copy), "--incident", "1", "-o", str(out)]) == 0
    cells = [str(c.value) for sheet in load_workbook(out) for row in sheet.iter_rows() for c in row if c.value]
    assert not [c for c in cells if agent in c] and any("[redacted]" in c for c in cells)


def test_a_damaged_setting_counts_as_no_terms(demo):
    from postmortem_desktop.reporting import redaction_terms
    from postmortem_desktop.services.settings import SetSetting

    SetSetting(redaction_terms.SETTING_KEY, "{not json").do(demo)
    assert extra_terms(demo) == () and gather(demo, 1).extra_terms == ()
