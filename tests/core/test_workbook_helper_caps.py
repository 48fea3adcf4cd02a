"""Untrusted workbooks are read only in the capped helper: past the checks, a refused file, never the app."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from test_import_pipeline import ALL, fresh_incident, snapshot
from test_workbook_bombs import xlsx

from postmortem_desktop.importers.sheet_reader import SheetError
from postmortem_desktop.services import import_pipeline, spreadsheet_import
from postmortem_desktop.services.import_pipeline import HelperLimits


def wide_workbook(path: Path) -> Path:
    """83 KB that passes every check (a 610 by 16,384 grid is just under the bound) yet makes
    calamine build ten million cells: ~450 MB to read."""
    header = "".join(f'<c r="{get_column_letter(n)}1" t="inlineStr"><is><t>h{n}</t></is></c>' for n in range(1, 16385))
    return xlsx(path, f'<row r="1">{header}</row><row r="610"><c r="A610" t="inlineStr"><is><t>x</t></is></c></row>')


def small_workbook(path: Path) -> Path:
    book = Workbook()
    book.active.append(["Id", "Subject", "Created at", "Description"])
    for n in range(1, 6):
        book.active.append([n, "Charged twice", "2026-11-18 10:30", "I was charged twice"])
    book.save(path)
    return path


@pytest.fixture
def watched_helpers(monkeypatch, tmp_path):
    """Every helper process started, and a private temporary folder to prove none leaves a file."""
    started = []
    real_helper = import_pipeline._Helper

    class Watched(real_helper):
        def __init__(self, job, limits):
            super().__init__(job, limits)
            started.append(self._process)

    monkeypatch.setattr(import_pipeline, "_Helper", Watched)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return started, temporary


def test_a_workbook_past_the_checks_that_needs_more_memory_than_the_cap_is_refused(tmp_path, watched_helpers):
    started, temporary = watched_helpers
    path = wide_workbook(tmp_path / "wide.xlsx")
    limits = HelperLimits(memory_bytes=300 << 20)
    with pytest.raises(SheetError) as caught:
        spreadsheet_import.prepare_import(path, limits=limits)  # the preview
    message = str(caught.value)
    assert "needs more memory than 300 MB to read" in message and "nothing was imported" in message
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        with pytest.raises(SheetError, match="needs more memory than 300 MB"):  # the import (command line)
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, path, options=ALL,
                                                                         limits=limits))
        assert snapshot(ws) == before
    finally:
        ws.close()
    assert len(started) == 2 and all(process.poll() is not None for process in started)
    assert list(temporary.iterdir()) == []
    # the cap refused it, not a check: with room enough the same file reads
    assert len(spreadsheet_import.prepare_import(path, limits=HelperLimits(memory_bytes=2 << 30)).sheet.header) == 16384


def test_a_helper_that_exceeds_the_time_cap_is_killed_and_the_file_refused(tmp_path, watched_helpers, monkeypatch):
    started, temporary = watched_helpers
    monkeypatch.setattr(import_pipeline, "helper_command",
                        lambda: [sys.executable, "-c", "import time; time.sleep(60)"])
    path = small_workbook(tmp_path / "slow.xlsx")
    began = time.monotonic()
    with pytest.raises(SheetError, match="took longer than 0.5 seconds to read") as caught:
        spreadsheet_import.prepare_import(path, limits=HelperLimits(read_seconds=0.5))
    assert time.monotonic() - began < 10
    assert "nothing was imported" in str(caught.value)
    assert len(started) == 1 and started[0].poll() is not None  # killed, not left sleeping
    with pytest.raises(ProcessLookupError):
        os.kill(started[0].pid, 0)
    assert list(temporary.iterdir()) == []


def test_an_import_whose_helper_exceeds_the_time_cap_writes_nothing(tmp_path, watched_helpers):
    started, temporary = watched_helpers
    path = small_workbook(tmp_path / "t.xlsx")
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        # a real helper: starting Python alone takes longer than 10 ms
        with pytest.raises(SheetError, match="took longer than 0.01 seconds"):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(
                ws, incident, path, options=ALL, limits=HelperLimits(read_seconds=0.01)))
        assert snapshot(ws) == before
    finally:
        ws.close()
    assert started and all(process.poll() is not None for process in started)
    assert list(temporary.iterdir()) == []


def test_workbooks_of_any_size_are_read_only_in_the_helper_and_small_text_files_in_process(tmp_path, watched_helpers):
    started, _temporary = watched_helpers
    workbook = small_workbook(tmp_path / "small.xlsx")
    plan = spreadsheet_import.prepare_import(workbook)
    assert len(plan.sheet.rows) == 5 and len(started) == 1
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, workbook, options=ALL))
        assert summary.imported == 5 and len(started) == 2
        text = tmp_path / "small.csv"
        text.write_text("Id,Subject,Created at\n1,Help,2026-11-18 10:30\n", encoding="utf-8")
        spreadsheet_import.prepare_import(text)
        assert len(started) == 2
    finally:
        ws.close()


def test_a_memory_error_in_the_helper_comes_back_as_the_memory_refusal(tmp_path, monkeypatch):
    fake = tmp_path / "fake_helper.py"
    fake.write_text(
        "import os, pickle, sys\n"
        "from postmortem_desktop.services.import_helper import read_frame, write_frame\n"
        "read_frame(os.fdopen(0, 'rb'))\n"
        "write_frame(os.fdopen(1, 'wb'), ('error', MemoryError()))\n", encoding="utf-8")
    monkeypatch.setattr(import_pipeline, "helper_command", lambda: [sys.executable, str(fake)])
    with pytest.raises(SheetError, match="needs more memory than 2 GB"):
        spreadsheet_import.prepare_import(small_workbook(tmp_path / "m.xlsx"))


def test_a_helper_started_before_the_file_is_chosen_reads_it_and_none_is_left_waiting(tmp_path):
    spreadsheet_import.get_ready_to_read()
    waiting = import_pipeline._standby[0]._process
    spreadsheet_import.get_ready_to_read()  # asked again: the same one keeps waiting
    assert [helper._process for helper in import_pipeline._standby] == [waiting]
    plan = spreadsheet_import.prepare_import(small_workbook(tmp_path / "w.xlsx"))
    assert len(plan.sheet.rows) == 5
    assert waiting.poll() is not None and import_pipeline._standby == []  # it did the reading, and ended
    spreadsheet_import.get_ready_to_read()
    last = import_pipeline._standby[0]._process
    import_pipeline.stop_standby()
    assert last.poll() is not None
