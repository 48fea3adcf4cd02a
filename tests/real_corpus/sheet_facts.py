"""What the product says about a real sheet file, asked the way a person or a script would: the CLI.

Shared by checks_csv and checks_ticket_files (not a checks_ module itself). Every answer comes from
`postmortem preview --json` or `postmortem import --dry-run --json`, run in-process; the truths they
are compared with come from expected.json, never from the product.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from postmortem_desktop.cli import main
from tests.real_corpus.check import real_file


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)


def run_cli(args: list[str]) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return CliRun(code, out.getvalue(), err.getvalue())


@cache
def preview(relative: str) -> CliRun:
    return run_cli(["preview", str(real_file(relative)), "--json"])


@cache
def dry_run_import(relative: str) -> CliRun:
    with tempfile.TemporaryDirectory() as folder:
        workspace = str(Path(folder) / "w.pmw")
        run_cli(["demo", workspace])
        return run_cli(["import", workspace, str(real_file(relative)), "--incident", "1", "--dry-run", "--json",
                        "--include-outside-window"])


def no_crash(run: CliRun, broken_reason: str | None) -> None:
    """Exit 1 is a crash (raised as RuntimeError, not a failed check); exit 4 is fine only for a broken file."""
    if run.code == 1:
        raise RuntimeError(f"exit 1 (unexpected error): {run.err.strip()[:200]}")
    if run.code == 4:
        message = run.err.strip()
        assert message, "exit 4 without a message saying what went wrong"
        assert broken_reason is not None, f"refused a file the truth does not call broken: {message[:160]}"
    else:
        assert run.code == 0, f"exit {run.code}: {run.err.strip()[:160]}"


def product_sheet(relative: str, has_header: bool | None = None) -> tuple[list[str], list[list[str]], Any]:
    """(columns, rows as text, the sheet) read as `preview` reads it: the same reader, asked for its rows."""
    from postmortem_desktop.importers.sheet_errors import SheetError
    from postmortem_desktop.services import spreadsheet_import

    try:
        plan = spreadsheet_import.prepare_import(real_file(relative), has_header=has_header)
    except SheetError as error:  # a refusal with its reason: the check fails, nothing crashed
        raise AssertionError(f"refused: {error}") from error
    return plan.sheet.header, [[cell_text(cell) for cell in row] for row in plan.sheet.rows], plan.sheet


def cell_text(cell: object) -> str:
    """A cell as a CSV writer of the truth's tools prints it (integral floats without .0, ISO times)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return str(cell)


def csv_records(text: str) -> list[list[str]]:
    return [record for record in csv.reader(io.StringIO(text, newline="")) if record]


# expected.json names a BOM as "utf-8", "utf-16le"...; the product names the codec that reads it.
BOM_CODECS = {"utf-8": "utf-8-sig", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "utf-32le": "utf-32-le",
              "utf-32be": "utf-32-be"}


def encoding_check(relative: str, truth: dict[str, Any], encoding: str | None) -> None:
    """The product's encoding agrees with the bytes' truth: the BOM's codec, UTF-8, or not UTF-8."""
    bom = truth.get("bom")
    if bom:
        assert encoding == BOM_CODECS[bom], f"BOM {bom}: read as {encoding}"
    elif truth.get("valid_utf8"):
        assert encoding == "utf-8", f"valid UTF-8 without BOM read as {encoding}"
    else:
        assert encoding not in ("utf-8", "utf-8-sig"), f"not UTF-8, yet read as {encoding}"


def guessed_encoding_check(relative: str, guessed: str, encoding: str | None) -> None:
    """The product reads the bytes to the same text as the truth's encoding does (cp949 reads euc-kr alike)."""
    codec = guessed.split(" ")[0].replace("utf-8-bom", "utf-8-sig").replace("utf-16be", "utf-16").replace(
        "utf-16le", "utf-16")
    data = real_file(relative).read_bytes()
    assert encoding is not None, "no encoding reported"
    expected = data.decode(codec).lstrip("\ufeff")
    got = data.decode(encoding).lstrip("\ufeff")
    assert got == expected, f"read as {encoding}, which gives other text than {guessed.split(' ')[0]}"
