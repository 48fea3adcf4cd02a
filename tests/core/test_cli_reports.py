"""`postmortem export-pdf` and `export-xlsx`: files written, redaction by default, clear refusals."""
from __future__ import annotations

import re

from openpyxl import load_workbook
from pypdf import PdfReader

from postmortem_desktop.cli import EXIT_BAD_INPUT, EXIT_OK, main


def text_of(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(str(path)).pages))


def test_export_pdf_writes_a_redacted_report_by_default(demo_copy, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["export-pdf", str(demo_copy), "--incident", "1", "-o", str(out)]) == EXIT_OK
    text = text_of(out)
    assert "Customer damage" in text and "Appendix: all quotes" in text
    assert "Postmortem report · redacted" in text
    assert "warning" not in capsys.readouterr().err


def test_no_redact_warns_and_keeps_names(demo_copy, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["export-pdf", str(demo_copy), "--incident", "1", "-o", str(out), "--no-redact",
                 "--no-appendix"]) == EXIT_OK
    assert "warning" in capsys.readouterr().err
    text = text_of(out)
    assert "NOT REDACTED" in text and "Appendix: all quotes" not in text
    assert "Priscilla" in text or "Nwosu" in text or "Marco" in text


def test_export_xlsx_writes_the_three_sheets(demo_copy, tmp_path):
    out = tmp_path / "data.xlsx"
    assert main(["export-xlsx", str(demo_copy), "--incident", "1", "-o", str(out)]) == EXIT_OK
    wb = load_workbook(out)
    assert wb.sheetnames == ["Quotes", "Action items", "Contact list"]
    assert wb["Quotes"].max_row > 10


def test_unknown_incident_is_a_usage_error(demo_copy, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["export-pdf", str(demo_copy), "--incident", "99", "-o", str(out)]) == 2
    assert "no incident 99" in capsys.readouterr().err
    assert not out.exists()


def test_bad_output_paths_are_bad_input(demo_copy, tmp_path):
    assert main(["export-pdf", str(demo_copy), "--incident", "1", "-o", str(tmp_path / "r.txt")]) == EXIT_BAD_INPUT
    assert main(["export-xlsx", str(demo_copy), "--incident", "1",
                 "-o", str(tmp_path / "missing" / "r.xlsx")]) == EXIT_BAD_INPUT


def test_a_file_that_is_not_a_workspace_is_bad_input(tmp_path):
    bogus = tmp_path / "x.pmw"
    bogus.write_text("not a database")
    assert main(["export-pdf", str(bogus), "--incident", "1", "-o", str(tmp_path / "r.pdf")]) == EXIT_BAD_INPUT
