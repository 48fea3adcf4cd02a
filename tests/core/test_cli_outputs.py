"""Every export command refuses to write over a workspace, the workspace it reads or a file of another
kind (exit 3), explains bad paths (exit 4), and leaves the workspace byte-identical."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from postmortem_desktop.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, main
from postmortem_desktop.reporting.calendar_ics import WorkspaceLink, follow_up_check_event
from postmortem_desktop.services.closeout import CloseoutService
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace

COMMANDS = {"export-pdf": ".pdf", "export-xlsx": ".xlsx", "followup-ics": ".ics"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def scheduled(demo_copy):
    """The demo and its incident whose follow-up check is scheduled, so every command can export it."""
    ws = open_workspace(demo_copy)
    try:
        incident = next(s.id for s in IncidentService(ws).list_incidents()
                        if CloseoutService(ws).follow_up(s.id).scheduled_at is not None)
    finally:
        ws.close()
    return demo_copy, incident


def run(command: str, workspace: Path, incident: int, output: str) -> int:
    return main([command, str(workspace), "--incident", str(incident), "-o", output])


def no_traceback(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error" not in err
    return err


def test_followup_ics_over_its_own_workspace_is_refused(scheduled, capsys):
    workspace, incident = scheduled
    before = digest(workspace)
    assert run("followup-ics", workspace, incident, str(workspace)) == EXIT_REFUSED
    assert "the file this export reads" in no_traceback(capsys)
    assert digest(workspace) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("link", ["hard", "symbolic", "dotted"])
def test_the_open_workspace_under_another_name_is_refused(scheduled, tmp_path, capsys, monkeypatch, command, link):
    workspace, incident = scheduled
    before = digest(workspace)
    other = workspace.parent / f"report{COMMANDS[command]}"
    if link == "hard":
        os.link(workspace, other)
    elif link == "symbolic":
        other.symlink_to(workspace)
    else:  # the workspace itself, spelt through ./ and .., with the right suffix through a link
        os.link(workspace, other)
        monkeypatch.chdir(workspace.parent)
        (workspace.parent / "sub").mkdir()
        other = Path(".") / "sub" / ".." / other.name
    assert run(command, workspace, incident, str(other)) == EXIT_REFUSED
    assert "refused:" in no_traceback(capsys)
    assert digest(workspace) == before and workspace.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_another_workspace_is_refused(scheduled, tmp_path, capsys, command):
    workspace, incident = scheduled
    victim = tmp_path / f"team{COMMANDS[command]}"
    shutil.copyfile(workspace, victim)
    before = digest(victim)
    assert run(command, workspace, incident, str(victim)) == EXIT_REFUSED
    assert "is a workspace" in no_traceback(capsys)
    assert digest(victim) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_of_another_kind_is_refused(scheduled, tmp_path, capsys, command):
    workspace, incident = scheduled
    victim = tmp_path / f"notes{COMMANDS[command]}"
    victim.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)  # an image someone named like the output
    assert run(command, workspace, incident, str(victim)) == EXIT_REFUSED
    assert "is not one of the" in no_traceback(capsys)
    assert victim.read_bytes() == b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_of_the_same_kind_is_replaced(scheduled, tmp_path, capsys, command):
    workspace, incident = scheduled
    target = tmp_path / f"again{COMMANDS[command]}"
    assert run(command, workspace, incident, str(target)) == EXIT_OK
    first = target.stat().st_ino
    assert run(command, workspace, incident, str(target)) == EXIT_OK
    assert target.stat().st_ino != first  # renamed into place, not rewritten in place
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("output, message", [
    ("{tmp}", "is a folder"),
    ("{tmp}/missing/r{suffix}", "does not exist"),
    ("", "No file name"),
    ("{tmp}/{suffix}", "only a suffix"),
    ("{tmp}/r.txt", "must end in"),
    ("/sys/r{suffix}", "read-only"),
    ("{tmp}/" + "n" * 300 + "{suffix}", "too long"),
])
def test_path_problems_are_bad_input_with_a_message(scheduled, tmp_path, capsys, command, output, message):
    workspace, incident = scheduled
    before = digest(workspace)
    given = output.format(tmp=tmp_path, suffix=COMMANDS[command])
    assert run(command, workspace, incident, given) == EXIT_BAD_INPUT
    assert message in no_traceback(capsys)
    assert digest(workspace) == before


# openpyxl's ZipFile retries its write when collected and meets the full disk again: a warning only
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_full_disk_is_bad_input_and_keeps_the_old_file(scheduled, tmp_path, capsys, monkeypatch, command):
    from postmortem_desktop.reporting import output_file

    def full_temp(real: Path) -> Path:  # /dev/full answers every write with ENOSPC, as a full disk does
        temp = real.with_name(f".{real.name}.full.partial")
        temp.symlink_to("/dev/full")
        return temp

    workspace, incident = scheduled
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / f"old{COMMANDS[command]}"
    assert run(command, workspace, incident, str(target)) == EXIT_OK
    before = digest(target)
    monkeypatch.setattr(output_file, "_create_temp", full_temp)
    assert run(command, workspace, incident, str(target)) == EXIT_BAD_INPUT
    assert "disk is full" in no_traceback(capsys)
    assert digest(target) == before
    assert sorted(p.name for p in folder.iterdir()) == [target.name]


def test_the_app_and_the_command_line_write_the_same_event(scheduled, tmp_path):
    workspace, incident = scheduled
    target = tmp_path / "check.ics"
    assert run("followup-ics", workspace, incident, str(target)) == EXIT_OK
    ws = open_workspace(workspace)
    try:
        title = IncidentService(ws).get(incident).title
        start = CloseoutService(ws).follow_up(incident).scheduled_at
    finally:
        ws.close()
    expected = follow_up_check_event(incident_id=incident, incident_title=title, start=start,
                                     workspace=WorkspaceLink.of_file(workspace))
    strip = lambda text: [line for line in text.split("\r\n") if not line.startswith("DTSTAMP")]  # noqa: E731
    assert strip(target.read_bytes().decode("utf-8")) == strip(expected)


def test_a_cancelled_pdf_leaves_the_old_file(scheduled, tmp_path, monkeypatch):
    import time

    from postmortem_desktop.reporting import pdf_report
    from postmortem_desktop.reporting.exports import export_pdf

    laid_out = pdf_report._ReportTemplate.afterFlowable

    def slowly(self, flowable):  # a long report: the layout is still running when Cancel comes
        time.sleep(0.02)
        laid_out(self, flowable)

    monkeypatch.setattr(pdf_report._ReportTemplate, "afterFlowable", slowly)
    workspace, incident = scheduled
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "r.pdf"
    target.write_bytes(b"%PDF-1.4 the old report")
    ws = open_workspace(workspace)
    try:
        steps = export_pdf(ws, incident, target)
        next(steps)  # the report gathered
        done, total = next(steps)  # the layout under way
        assert done < total
        steps.close()  # what Cancel does
    finally:
        ws.close()
    assert target.read_bytes() == b"%PDF-1.4 the old report"
    assert sorted(p.name for p in folder.iterdir()) == ["r.pdf"]


def test_a_symlink_loop_as_output_is_bad_input_not_a_crash(demo_copy, tmp_path, capsys):
    # Found by the adversarial re-check: ELOOP escaped as exit 1.
    from postmortem_desktop.cli import main as run_main

    loop = tmp_path / "loop.pdf"
    loop.symlink_to(loop)
    assert run_main(["export-pdf", str(demo_copy), "--incident", "1", "-o", str(loop)]) == 4
    assert "symbolic links" in capsys.readouterr().err
