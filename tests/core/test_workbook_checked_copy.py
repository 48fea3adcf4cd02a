"""calamine reads the parts the checks read, stored uncompressed (issue 14's import budget): never a
byte the checks did not see, nothing left behind, and a copy that cannot be written costs nothing."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_workbook_bombs import XLSX_HEADER, xlsx

from postmortem_desktop.importers import sheet_reader, sheet_stream
from postmortem_desktop.importers.sheet_reader import SheetError, read_sheet
from postmortem_desktop.importers.workbook_safety import check_zip


def workbook(path: Path, subject: str, rows: int = 3) -> Path:
    book = Workbook()
    book.active.append(["Id", "Subject"])
    for n in range(1, rows + 1):
        book.active.append([n, f"{subject} {n}"])
    book.save(path)
    return path


@pytest.fixture
def private_temporary(monkeypatch, tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_copy_holds_every_checked_part_byte_for_byte_uncompressed(tmp_path):
    path = workbook(tmp_path / "t.xlsx", "Charged twice", rows=500)
    folder = tmp_path / "copy"
    folder.mkdir()
    assert check_zip(path, folder) == "xlsx"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(folder / "checked.xlsx") as copy:
        assert copy.namelist() == original.namelist()
        for info in copy.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            assert copy.read(info.filename) == original.read(info.filename)


def test_a_refused_workbook_leaves_no_copy(tmp_path):
    bomb = xlsx(tmp_path / "far.xlsx", XLSX_HEADER + '<row r="2"><c r="XFD1048576"><v>1</v></c></row>')
    folder = tmp_path / "copy"
    folder.mkdir()
    with pytest.raises(SheetError, match="grid"):
        check_zip(bomb, folder)
    assert list(folder.iterdir()) == []


def test_calamine_reads_the_bytes_that_were_checked_even_if_the_file_is_swapped_after_the_check(tmp_path, monkeypatch):
    path = workbook(tmp_path / "t.xlsx", "Checked")
    swapped = workbook(tmp_path / "other.xlsx", "Never checked").read_bytes()
    real_check = sheet_reader.check_zip

    def check_then_swap(checked: Path, copy_into: Path | None = None) -> str:
        kind = real_check(checked, copy_into)
        checked.write_bytes(swapped)  # the file changes on disk between the check and the parse
        return kind

    monkeypatch.setattr(sheet_reader, "check_zip", check_then_swap)
    assert [row[1] for row in read_sheet(path).rows] == ["Checked 1", "Checked 2", "Checked 3"]
    path.write_bytes(workbook(tmp_path / "again.xlsx", "Checked").read_bytes())
    stream = sheet_stream.stream_sheet(path)
    assert [cells[1] for _, cells in stream.rows] == ["Checked 1", "Checked 2", "Checked 3"]


def test_reading_a_workbook_leaves_no_temporary_file(tmp_path, private_temporary):
    path = workbook(tmp_path / "t.xlsx", "Charged twice")
    assert len(read_sheet(path).rows) == 3
    stream = sheet_stream.stream_sheet(path)
    assert len(list(stream.rows)) == 3
    with pytest.raises(SheetError):
        read_sheet(xlsx(tmp_path / "far.xlsx", XLSX_HEADER + '<row r="2"><c r="XFD1048576"><v>1</v></c></row>'))
    assert list(private_temporary.iterdir()) == []


def test_a_copy_that_cannot_be_written_leaves_the_reader_on_the_file_itself(tmp_path, monkeypatch):
    path = workbook(tmp_path / "t.xlsx", "Charged twice")
    assert check_zip(path, tmp_path / "no such folder") == "xlsx"  # the check itself is unaffected

    def no_temporary_folder(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_temporary_folder)
    assert [row[1] for row in read_sheet(path).rows] == ["Charged twice 1", "Charged twice 2", "Charged twice 3"]


def test_a_copy_that_fails_half_way_is_dropped_and_the_file_still_reads(tmp_path, monkeypatch):
    from postmortem_desktop.importers import checked_copy

    path = workbook(tmp_path / "t.xlsx", "Charged twice", rows=2000)
    writes = []
    real_open = zipfile.ZipFile.open

    def open_part(self: zipfile.ZipFile, name: object, mode: str = "r", **kwargs: object):
        part = real_open(self, name, mode, **kwargs)
        if mode == "w":
            real_write = part.write

            def write(data: bytes) -> int:
                writes.append(len(data))
                if len(writes) > 3:
                    raise OSError(28, "No space left on device")
                return real_write(data)

            part.write = write  # type: ignore[method-assign]
        return part

    monkeypatch.setattr(checked_copy.zipfile.ZipFile, "open", open_part)
    folder = tmp_path / "copy"
    folder.mkdir()
    assert check_zip(path, folder) == "xlsx"
    assert len(writes) > 3 and list(folder.iterdir()) == []
    assert len(read_sheet(path).rows) == 2000
