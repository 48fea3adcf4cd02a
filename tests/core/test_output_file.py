"""The one output mechanism: it never replaces an input or a file of another kind, explains bad paths,
and writes through a temporary file, so a failed or cancelled export leaves the old file and no stray one."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import sqlite3
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from openpyxl import Workbook

from postmortem_desktop.reporting import output_file as out
from postmortem_desktop.reporting.output_file import (
    CSV,
    ICS,
    PDF,
    PNG,
    XLSX,
    OutputPathError,
    OutputRefused,
    check_output,
    output_file,
    write_output,
)

KINDS = {"pdf": PDF, "xlsx": XLSX, "ics": ICS, "csv": CSV, "png": PNG}


def sample(kind: str) -> bytes:
    """A small file of each kind, written here (no third-party files)."""
    if kind == "xlsx":
        buffer = io.BytesIO()
        Workbook().save(buffer)
        return buffer.getvalue()
    return {
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        "ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        "csv": "name,reason\r\nZoë,lost money\r\n".encode("utf-8-sig"),
        "png": b"\x89PNG\r\n\x1a\n" + bytes(range(64)),
    }[kind]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


# ---- what may be replaced -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("existing", sorted(KINDS))
def test_an_existing_file_is_replaced_only_by_its_own_kind(tmp_path, kind, existing):
    target = tmp_path / f"out{KINDS[kind].suffix}"
    target.write_bytes(sample(existing))
    before = digest(target)
    if kind == existing:
        write_output(target, KINDS[kind], b"new")
        assert target.read_bytes() == b"new"
    else:
        with pytest.raises(OutputRefused, match="is not one of the"):
            write_output(target, KINDS[kind], b"new")
        assert digest(target) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_empty_file_may_be_replaced(tmp_path, kind):
    target = tmp_path / f"out{KINDS[kind].suffix}"
    target.touch()
    write_output(target, KINDS[kind], b"x")
    assert target.read_bytes() == b"x"


def test_a_word_document_is_not_a_workbook(tmp_path):
    import zipfile

    target = tmp_path / "minutes.xlsx"
    with zipfile.ZipFile(target, "w") as archive:  # a .docx's shape: content types, but no xl/ folder
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(OutputRefused):
        check_output(target, XLSX)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_any_workspace_is_refused_whatever_its_name(tmp_path, kind):
    target = sqlite_file(tmp_path / f"data{KINDS[kind].suffix}")
    before = digest(target)
    with pytest.raises(OutputRefused, match="is a workspace"):
        write_output(target, KINDS[kind], b"x")
    assert digest(target) == before and leftovers(tmp_path) == []


# ---- the export's inputs, by identity -------------------------------------------------------------
def test_an_input_is_refused_through_a_hard_link(tmp_path):
    source = tmp_path / "tickets.csv"
    source.write_text("id,subject\n1,x\n")  # same kind: only identity can tell that it is the input
    link = tmp_path / "contacts.csv"
    os.link(source, link)
    with pytest.raises(OutputRefused, match="same file as tickets.csv"):
        write_output(link, CSV, b"a,b\n", inputs=(source,))
    assert source.read_text() == "id,subject\n1,x\n"
    write_output(tmp_path / "other.csv", CSV, b"a,b\n", inputs=(source,))  # any other name is fine


def test_an_input_is_refused_through_a_symlink_and_a_dotted_path(tmp_path, monkeypatch):
    source = tmp_path / "tickets.csv"
    source.write_text("id\n1\n")
    (tmp_path / "link.csv").symlink_to(source)
    monkeypatch.chdir(tmp_path)
    for spelling in ("link.csv", "./tickets.csv", str(tmp_path / "sub" / ".." / "tickets.csv")):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputRefused):
            write_output(spelling, CSV, b"x", inputs=(source,))
    assert source.read_text() == "id\n1\n"


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    result: list[BaseException] = []
    worker = threading.Thread(target=lambda: result.append(pytest.raises(OutputRefused, check_output, fifo, CSV)))
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and result and "not an ordinary file" in str(result[0].value)


# ---- paths that cannot be written ------------------------------------------------------------------
@pytest.mark.parametrize("given, message", [
    ("", "No file name was given"),
    ("   ", "No file name was given"),
    ("{tmp}", "is a folder"),
    ("{tmp}/new/", "names a folder"),
    ("{tmp}/missing/r.pdf", "does not exist"),
    ("{tmp}/plain.txt/r.pdf", "is a file, not a folder"),
    ("{tmp}/.pdf", "only a suffix"),
    ("{tmp}/ .pdf", "only a suffix"),
    ("{tmp}/r.txt", "must end in .pdf"),
    ("{tmp}/" + "n" * 300 + ".pdf", "too long"),
    ("{tmp}/" + "deep/" * 1000 + "r.pdf", "too long"),
])
def test_bad_paths_get_a_message_saying_what_to_do(tmp_path, given, message):
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(OutputPathError, match=message):
        check_output(given.format(tmp=tmp_path), PDF)
    assert leftovers(tmp_path) == []


def test_a_folder_named_like_the_output_is_a_folder_not_a_file(tmp_path):
    (tmp_path / "report.pdf").mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        write_output(tmp_path / "report.pdf", PDF, b"%PDF")
    assert (tmp_path / "report.pdf").is_dir()


def test_a_read_only_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "r.pdf"
    target.write_bytes(sample("pdf"))
    target.chmod(0o444)  # mode bits are honoured even for root, who could write anyway
    with pytest.raises(OutputPathError, match="read-only"):
        write_output(target, PDF, b"%PDF new")
    assert target.read_bytes() == sample("pdf")


def test_a_place_where_no_file_can_be_created_is_explained():
    # real, even for root: sysfs refuses new files with EACCES
    with pytest.raises(OutputPathError, match="read-only"):
        check_output("/sys/report.pdf", PDF)


def test_a_refused_create_is_explained(tmp_path, monkeypatch):
    real_open = os.open

    def no_new_files(path, flags, *args, **kwargs):  # a read-only folder, as a normal user meets it
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(out.os, "open", no_new_files)
    with pytest.raises(OutputPathError, match="read-only .permission denied"):
        check_output(tmp_path / "r.pdf", PDF)
    with pytest.raises(OutputPathError, match="read-only"):
        write_output(tmp_path / "r.pdf", PDF, b"%PDF")
    assert list(tmp_path.iterdir()) == []


def _in_read_only_folder() -> str:
    folder = Path(tempfile.mkdtemp(prefix="pm-readonly-"))
    folder.chmod(0o555)
    try:
        check_output(folder / "r.pdf", PDF)
        return "written"
    except OutputPathError as exc:
        return str(exc)
    finally:
        folder.chmod(0o755)
        folder.rmdir()


def test_a_real_read_only_folder_is_explained_to_a_normal_user():
    """As a normal user the real folder permissions apply. Root ignores them, so as root the check runs
    in a forked child that has dropped to the unprivileged `nobody` user (uid 65534) first."""
    if os.geteuid() != 0:
        assert "read-only" in _in_read_only_folder()
        return
    folder = Path(tempfile.mkdtemp(prefix="pm-readonly-"))
    folder.chmod(0o555)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, try, report, leave without running pytest's cleanup
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                check_output(folder / "r.pdf", PDF)
                answer = "written"
            except OutputPathError as exc:
                answer = str(exc)
            os.write(writer, answer.encode())
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    with os.fdopen(reader) as fh:
        answer = fh.read()
    folder.chmod(0o755)
    folder.rmdir()
    assert "read-only" in answer


# ---- temporary file, rename, and nothing half-written ---------------------------------------------
def _temps_on_a_full_disk(monkeypatch):
    """Every temporary file is /dev/full, which answers each write with ENOSPC, as a full disk does."""
    def full_temp(real: Path) -> Path:
        temp = real.with_name(f".{real.name}.full.partial")
        temp.symlink_to("/dev/full")
        return temp

    monkeypatch.setattr(out, "_create_temp", full_temp)


def test_a_full_disk_is_explained_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "contacts.csv"
    target.write_text("old\n")
    _temps_on_a_full_disk(monkeypatch)
    with pytest.raises(OutputPathError, match="disk is full"):
        write_output(target, CSV, b"new\n" * 10000)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


# openpyxl's ZipFile tries to finish the file once more when collected, and meets the full disk again
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_during_a_real_workbook_save(tmp_path, monkeypatch):
    from postmortem_desktop.reporting.report_data import ReportData
    from postmortem_desktop.reporting.xlsx_export import xlsx_steps

    target = tmp_path / "data.xlsx"
    target.write_bytes(sample("xlsx"))
    before = digest(target)
    _temps_on_a_full_disk(monkeypatch)
    data = ReportData.__new__(ReportData)  # only the fields the workbook reads
    for name, value in dict(quotes=(), actions=(), contacts=(), zone_name="UTC", title="T").items():
        object.__setattr__(data, name, value)
    with pytest.raises(OutputPathError, match="disk is full"):
        list(xlsx_steps(data, target))
    assert digest(target) == before and leftovers(tmp_path) == [] and len(list(tmp_path.iterdir())) == 1


def test_a_failing_writer_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "r.pdf"
    target.write_bytes(sample("pdf"))
    with pytest.raises(ZeroDivisionError):
        with output_file(target, PDF) as temp:
            temp.write_bytes(b"%PDF half")
            1 / 0  # noqa: B018 - the failure under test, midway through the write
    assert target.read_bytes() == sample("pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


def test_the_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "r.ics"
    with output_file(target, ICS) as temp:
        temp.write_bytes(b"BEGIN:VCALENDAR\r\n")
        assert not target.exists() and temp.parent == tmp_path  # same folder: the rename is atomic
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\n" and leftovers(tmp_path) == []


def test_a_target_that_became_a_workspace_meanwhile_is_not_replaced(tmp_path):
    target = tmp_path / "r.pdf"
    with pytest.raises(OutputRefused, match="is a workspace"):
        with output_file(target, PDF) as temp:
            temp.write_bytes(b"%PDF")
            sqlite_file(target)  # someone saved a workspace under that name during a long export
    assert target.read_bytes().startswith(b"SQLite format 3\x00") and leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "contacts.csv"
    target.write_text("old\n")
    target.chmod(0o600)  # kept private by its owner: the new contact list must stay private
    write_output(target, CSV, b"new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text() == "new\n"


def test_a_long_name_still_gets_a_temporary_file(tmp_path):
    target = tmp_path / ("n" * 240 + ".csv")  # a valid name; the temporary one must fit as well
    write_output(target, CSV, b"x")
    assert target.read_bytes() == b"x"


def test_the_suffix_is_added_to_a_typed_name_only():
    assert out.add_missing_suffix("report", PDF) == "report.pdf"
    assert out.add_missing_suffix("report.PDF", PDF) == "report.PDF"
    assert out.add_missing_suffix("", PDF) == ""
