"""Every export's file: checked so it never replaces an input, written to a temporary file, renamed when complete.

One mechanism for all outputs (PDF, XLSX, calendar, CSV, PNG) from the app and the command line alike:

- `check_output` refuses a target that is a workspace (any SQLite file), the same file as one of the
  export's inputs (by identity, so a hard link, a symlink or a `./` spelling of it counts), an existing
  file of another kind, or a path that cannot be written (folder, missing folder, empty name, read-only
  place, too long). An existing file of the same kind, or an empty file, may be replaced: the save
  dialog has already asked.
- `output_file` gives the writer a temporary file beside the target and renames it over the target only
  when the writer finished (after fsync); on any failure or cancel the temporary file is removed, so the
  old file stays as it was and nothing stray is left.
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import RuleError
from ..storage.file_lock import read_start
from ..storage.workspace import SQLITE_HEADER

HEAD_BYTES = 8192  # enough to recognise any kind below
DEFAULT_NAME_MAX = 255  # bytes in one file name on every common file system
TEMP_NAME_KEEP = 40  # characters of the target's name kept in the temporary name (it must fit NAME_MAX too)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1a")  # control bytes that still occur in plain text files
# errors that come from writing the file, whatever the writer (ours, reportlab, openpyxl, Qt)
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                          errno.ENAMETOOLONG})
PLACING_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR})


class OutputError(Exception):
    """An export target that cannot be used; the message says what went wrong and what to do."""


class OutputRefused(OutputError, RuleError):
    """Writing here would replace something that must not be replaced (command line: exit 3)."""


class OutputPathError(OutputError):
    """The path cannot be written: a folder, a missing folder, a read-only place, a full disk (exit 4)."""


# ---- kinds of output ------------------------------------------------------------------------------
def _is_pdf(_path: Path, head: bytes) -> bool:
    return head.startswith(b"%PDF")


def _is_png(_path: Path, head: bytes) -> bool:
    return head.startswith(PNG_SIGNATURE)


def _is_xlsx(path: Path, head: bytes) -> bool:
    # a workbook is a zip holding [Content_Types].xml and an xl/ folder (a .docx has the first, not the second)
    if not head.startswith(ZIP_SIGNATURE):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def _is_text(head: bytes) -> bool:
    if head.startswith(UTF16_BOMS):
        return True
    return not any(byte < 0x20 and byte not in TEXT_CONTROLS for byte in head)


def _is_ics(_path: Path, head: bytes) -> bool:
    return _is_text(head) and head.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR")


def _is_csv(path: Path, head: bytes) -> bool:
    # any plain text may be a CSV, but not a calendar or a PDF (whose header is text too)
    return _is_text(head) and not _is_ics(path, head) and not _is_pdf(path, head)


@dataclass(frozen=True)
class OutputKind:
    label: str  # for messages and file dialogs: "PDF documents"
    suffix: str  # lower case, with the dot
    recognises: Callable[[Path, bytes], bool]  # (existing file, its first bytes) -> is it of this kind

    @property
    def dialog_filter(self) -> str:
        return f"{self.label} (*{self.suffix})"


PDF = OutputKind("PDF documents", ".pdf", _is_pdf)
XLSX = OutputKind("Excel workbooks", ".xlsx", _is_xlsx)
ICS = OutputKind("Calendar files", ".ics", _is_ics)
CSV = OutputKind("CSV files", ".csv", _is_csv)
PNG = OutputKind("PNG images", ".png", _is_png)


def add_missing_suffix(name: str, kind: OutputKind) -> str:
    """What a save dialog typed without the suffix means: `report` is `report.pdf`; empty stays empty."""
    if not name or name.lower().endswith(kind.suffix):
        return name
    return name + kind.suffix


# ---- checks ---------------------------------------------------------------------------------------
def check_output(path: Path | str, kind: OutputKind, *, inputs: Iterable[Path | str] = ()) -> Path:
    """Refuses a target that must not or cannot be written; returns the real path to write.

    `inputs` are the files the export reads (the open workspace, a preview being copied): the target
    may not be any of them, under any name. Run it right after the save dialog, before the export.
    """
    real = _checked_target(path, kind, inputs)
    with _explained(path):
        _create_temp(real).unlink()  # the only sure test that a file can be created there (root included)
    return real


def _checked_target(path: Path | str, kind: OutputKind, inputs: Iterable[Path | str]) -> Path:
    # protected files first: `-o w.pmw` is a refusal about the workspace, not about a wrong suffix
    with _explained(path):
        _check_name(path, kind)
        real = Path(os.path.realpath(path))  # a symlink's target is the file that would change
        _check_folder(real.parent, Path(path).parent)
        _check_protected(real, path, inputs)
        _check_suffix(path, kind)
        _check_replaceable(real, path, kind)
    return real


def _check_name(path: Path | str, kind: OutputKind) -> None:
    text = os.fspath(path)
    example = f"report{kind.suffix}"
    if not text.strip():
        raise OutputPathError(f"No file name was given. Give a file name ending in {kind.suffix}, e.g. {example}.")
    if text.endswith(tuple(filter(None, (os.sep, os.altsep)))) and not os.path.isdir(text):
        raise OutputPathError(f"{text} ends with “{text[-1]}”, so it names a folder, not a file. Give a file "
                              f"name ending in {kind.suffix}, e.g. {os.path.join(text, example)}.")
    if os.path.isdir(text):
        raise OutputPathError(f"{text} is a folder. Give a file name inside it ending in {kind.suffix}, "
                              f"e.g. {os.path.join(text, example)}.")
    name = Path(text).name
    if name.lower().endswith(kind.suffix) and not name[:-len(kind.suffix)].strip(" ."):
        raise OutputPathError(f"“{name}” is only a suffix. Put a name before it, e.g. {example}.")


def _check_suffix(path: Path | str, kind: OutputKind) -> None:
    name = Path(path).name
    if Path(name).suffix.lower() != kind.suffix:
        raise OutputPathError(f"{name}: the output file must end in {kind.suffix} ({kind.label}).")


def _check_folder(folder: Path, as_given: Path) -> None:
    if not folder.exists():
        raise OutputPathError(f"The folder {as_given} does not exist. Create it, or choose another place.")
    if not folder.is_dir():
        raise OutputPathError(f"{as_given} is a file, not a folder. Choose a folder to save into.")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # not on every platform
        return DEFAULT_NAME_MAX


def _stat(real: Path) -> os.stat_result | None:
    try:
        return os.stat(real)
    except FileNotFoundError:
        return None  # a new file: nothing to replace
    except OSError as exc:  # a symlink loop (ELOOP), a path through a file: not a place to write
        raise OutputPathError(f"{real.name} cannot be written there ({exc.strerror}). Choose another file name.") \
            from exc


def _check_protected(real: Path, as_given: Path | str, inputs: Iterable[Path | str]) -> None:
    """Refuses an input of this export (by identity), a workspace, and anything but an ordinary file."""
    info, name = _stat(real), Path(as_given).name
    if info is None:
        return
    for source in inputs:
        if _same_file(info, source):
            what = ("the file this export reads" if Path(source).name == name else
                    f"the same file as {Path(source).name}, which this export reads (under another name "
                    "or through a link)")
            raise OutputRefused(f"{name} is {what}. It was left as it was; choose another file name.")
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(f"{name} is not an ordinary file (a device, pipe or socket). It was left as it "
                            "was; choose another file name.")
    if info.st_size and _head(real).startswith(SQLITE_HEADER):
        raise OutputRefused(f"{name} is a workspace (a SQLite database); an export never replaces one. "
                            "It was left as it was; choose another file name.")


def _check_replaceable(real: Path, as_given: Path | str, kind: OutputKind) -> None:
    """An existing file may be replaced only by one of its own kind, and only if it is writable."""
    name = Path(as_given).name
    if len(os.fsencode(real.name)) > _name_max(real.parent):
        raise OutputPathError(f"The file name “{name[:40]}…” is too long for this disk. Choose a shorter name.")
    info = _stat(real)
    if info is None:
        return
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise OutputPathError(f"{name} is read-only. Choose another file name, or make the file writable "
                              "first.")
    if info.st_size and not kind.recognises(real, _head(real)):
        raise OutputRefused(f"{name} already exists and is not one of the {kind.label}, so it was left as "
                            "it was. Choose another file name, or move that file first.")


def _head(real: Path) -> bytes:
    # only ever called on an ordinary file (a pipe would block). Read through file_lock: closing a
    # second descriptor of a workspace open in this process would drop SQLite's locks on it.
    return read_start(real, HEAD_BYTES)


def _same_file(info: os.stat_result, source: Path | str) -> bool:
    try:
        other = os.stat(source)
    except OSError:
        return False  # an input that is gone cannot be replaced
    return (info.st_dev, info.st_ino) == (other.st_dev, other.st_ino)


@contextmanager
def _explained(path: Path | str, *, placing: bool = True) -> Iterator[None]:
    """Turns the operating system's errors about writing the target into messages that say what to do.

    While placing the file (checks, temporary file, rename) a missing folder is about the target too;
    while the writer runs it could be about anything the writer reads, so only writing errors count.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno in WRITE_ERRNOS or (placing and exc.errno in PLACING_ERRNOS):
            raise OutputPathError(_message(exc, path)) from exc
        raise


def _message(exc: OSError, path: Path | str) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"The disk is full: {Path(path).name} could not be written. Any file of that name was left "
                "as it was. Free some space, or choose another place.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"Cannot write {path}: the folder or file is read-only (permission denied). Choose a folder "
                "you can write to, such as your Documents folder.")
    if exc.errno == errno.ENAMETOOLONG:
        return f"The name {str(path)[:60]}… is too long for this disk. Choose a shorter name or folder."
    return f"Cannot write {path}: {exc.strerror or exc}. Choose another place."


# ---- writing --------------------------------------------------------------------------------------
@contextmanager
def output_file(path: Path | str, kind: OutputKind, *, inputs: Iterable[Path | str] = ()) -> Iterator[Path]:
    """Yields a temporary path for the writer; replaces the target with it only when the block completes.

    Refusals are raised before anything is written; the target is checked again just before the rename,
    since a long export gives the target time to change. Any error or cancel removes the temporary file.
    """
    inputs = tuple(inputs)
    real = _checked_target(path, kind, inputs)
    with _explained(path):
        temp = _create_temp(real)
    try:
        with _explained(path, placing=False):
            yield temp
        with _explained(path):
            _check_protected(real, path, inputs)
            _check_replaceable(real, path, kind)
            _commit(temp, real)
    finally:
        temp.unlink(missing_ok=True)


def write_output(path: Path | str, kind: OutputKind, data: bytes, *, inputs: Iterable[Path | str] = ()) -> Path:
    """Writes bytes made in memory (a calendar, a CSV, an image) as the output; returns the path as given."""
    with output_file(path, kind, inputs=inputs) as temp:
        temp.write_bytes(data)
    return Path(path)


def copy_output(source: Path | str, path: Path | str, kind: OutputKind, *, inputs: Iterable[Path | str] = ()
                ) -> Path:
    """Copies a finished file (the previewed PDF) to the output; the source counts as an input."""
    with output_file(path, kind, inputs=(*inputs, source)) as temp:
        shutil.copyfile(source, temp)
    return Path(path)


def _create_temp(real: Path) -> Path:
    """An empty new file beside the target, with permissions as the umask allows for any new file."""
    while True:
        temp = real.with_name(f".{real.name[:TEMP_NAME_KEEP]}.{secrets.token_hex(4)}.partial")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temp
        except FileExistsError:
            continue  # another writer picked the same random name: pick again


def _commit(temp: Path, real: Path) -> None:
    if real.exists():
        shutil.copymode(real, temp)  # a replaced file keeps its permissions: a private file stays private
    fd = os.open(temp, os.O_RDWR)
    try:
        os.fsync(fd)  # the bytes are on disk before the name points at them
    finally:
        os.close(fd)
    os.replace(temp, real)
    _sync_folder(real.parent)


def _sync_folder(folder: Path) -> None:
    """Makes the rename itself durable where the platform allows syncing a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename still happened
    finally:
        os.close(fd)
