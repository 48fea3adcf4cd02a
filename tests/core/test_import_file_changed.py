"""A ticket file edited, cut short or still being written while it is imported: refused whole, nothing stored."""
import csv
import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.importers.file_stamp import FileChangedError
from postmortem_desktop.services import import_pipeline, spreadsheet_import, ticket_plan, ticket_store
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.import_undo import UndoableImport
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import create_workspace, open_workspace

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
HEADER = ["Id", "Requester", "Requester email", "Subject", "Status", "Via", "Created at", "Description"]
ALL = ImportOptions(include_outside_window=True)
CHANGED = "changed while it was being imported"


def ticket(n: int) -> list[str]:
    return [str(n), f"Customer {n}", f"c{n}@example.com", f"Charged twice #{n}", "open", "Chat",
            (T0 + timedelta(minutes=n % 40)).strftime("%Y-%m-%d %H:%M"), f"I paid twice for order {n}."]


def write_dump(path: Path, first: int, last: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(ticket(n) for n in range(first, last + 1))
    return path


def append_rows(path: Path, first: int, last: int) -> None:
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(ticket(n) for n in range(first, last + 1))


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def state(ws) -> tuple:
    """Everything an import could write."""
    with ws.engine.connect() as c:
        return tuple(c.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                     for table in ("conversations", "messages", "customers", "import_batches"))


@pytest.fixture
def billing(tmp_path):
    ws = create_workspace(tmp_path / "w.pmw")
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(ws)
    yield ws, cmd.incident_id
    ws.close()


def once(action):
    """A wrapper for ``real`` that runs ``action`` the first time only, after ``real``."""
    def wrap(real):
        done = []

        def hooked(*args, **kwargs):
            result = real(*args, **kwargs)
            if not done:
                done.append(True)
                action()
            return result
        return hooked
    return wrap


@pytest.mark.parametrize("change", [append_rows, cut_in_half], ids=["appended", "truncated"])
def test_a_file_changed_between_the_helpers_chunks_is_refused_and_nothing_is_written(tmp_path, billing,
                                                                                       monkeypatch, change):
    ws, incident = billing
    source = write_dump(tmp_path / "dump.csv", 1, 3000)  # more than one chunk: FIRST_CHUNK_ROWS is 1000
    args = (source, 5001, 5100) if change is append_rows else (source,)
    # this process writes the helper's first chunk, then the file changes under the helper
    monkeypatch.setattr(ticket_store, "write_chunk", once(lambda: change(*args))(ticket_store.write_chunk))
    before = state(ws)
    with pytest.raises(FileChangedError, match=CHANGED) as refused:
        spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                     parallel=True))
    assert "Nothing was imported; try again when it is complete" in str(refused.value)
    assert state(ws) == before


@pytest.mark.parametrize("change", [append_rows, cut_in_half], ids=["appended", "truncated"])
def test_a_file_changed_between_blocks_of_the_in_process_read_is_refused(tmp_path, billing, monkeypatch, change):
    ws, incident = billing
    source = write_dump(tmp_path / "dump.csv", 1, 3000)
    args = (source, 5001, 5100) if change is append_rows else (source,)
    # the planner has taken the first block of rows when the file changes
    monkeypatch.setattr(ticket_plan.TicketPlanner, "add_many",
                        once(lambda: change(*args))(ticket_plan.TicketPlanner.add_many))
    before = state(ws)
    with pytest.raises(FileChangedError, match=CHANGED):
        spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                     parallel=False))
    assert state(ws) == before


def test_a_file_changed_while_the_dialog_reads_it_is_refused_before_any_preview(tmp_path, monkeypatch):
    source = write_dump(tmp_path / "dump.csv", 1, 50)
    monkeypatch.setattr(spreadsheet_import, "read_sheet",
                        once(lambda: append_rows(source, 100, 120))(spreadsheet_import.read_sheet))
    with pytest.raises(FileChangedError, match=CHANGED):
        spreadsheet_import.prepare_import(source)


def test_a_file_cut_mid_record_while_it_is_read_is_called_changed_not_damaged(tmp_path, monkeypatch):
    source = write_dump(tmp_path / "dump.csv", 1, 50)
    append_rows(source, 51, 51)
    whole = source.read_bytes()
    real = spreadsheet_import.read_sheet

    def cut_then_read(path, **kwargs):
        # still being written: the last record stops inside a quoted description
        source.write_bytes(whole + b'52,Late,l@example.com,"Half a subject\n53,a,b,c,d,e,f,g\n54,h,i,j,k,l,m,n\n')
        return real(path, **kwargs)

    monkeypatch.setattr(spreadsheet_import, "read_sheet", cut_then_read)
    with pytest.raises(FileChangedError, match=CHANGED) as refused:
        spreadsheet_import.prepare_import(source)
    assert "never closed" in str(refused.value.__cause__)  # what the reader saw, kept as the cause


def test_the_cli_refuses_a_file_changed_while_it_is_imported_with_exit_4(tmp_path, billing, monkeypatch, capsys):
    ws, incident = billing
    source = write_dump(tmp_path / "dump.csv", 1, 200)
    before = state(ws)
    ws.close()  # the command line is another process's view of the file
    monkeypatch.setattr(ticket_store, "write_chunk",
                        once(lambda: append_rows(source, 900, 950))(ticket_store.write_chunk))
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(incident)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error:") and "'dump.csv' " + CHANGED in err and "Nothing was imported" in err
    reopened = open_workspace(tmp_path / "w.pmw")
    try:
        assert state(reopened) == before
    finally:
        reopened.close()


def test_a_redo_whose_file_changes_while_it_is_read_again_is_refused_and_undo_then_does_nothing(
        tmp_path, billing, monkeypatch):
    ws, incident = billing
    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)  # the dialog's helper path for large CSVs
    source = write_dump(tmp_path / "dump.csv", 1, 300)
    plan = spreadsheet_import.prepare_import(source)
    summary = spreadsheet_import.run_import(ws, incident, plan, ALL)
    command = UndoableImport(incident, summary, lambda: spreadsheet_import.import_generator(ws, incident, plan, ALL))
    command.undo(ws)
    undone = state(ws)
    monkeypatch.setattr(ticket_store, "write_chunk",
                        once(lambda: append_rows(source, 900, 950))(ticket_store.write_chunk))
    with pytest.raises(RuleError, match=CHANGED):
        command.do(ws)
    assert state(ws) == undone
    command.undo(ws)  # the undo stack still holds the step: undoing it must take nothing away
    assert state(ws) == undone


def test_the_hash_recorded_is_of_the_bytes_whose_rows_were_imported(tmp_path, billing):
    ws, incident = billing
    source = write_dump(tmp_path / "dump.csv", 1, 20)
    read = hashlib.sha256(source.read_bytes()).hexdigest()
    plan = spreadsheet_import.prepare_import(source)
    append_rows(source, 30, 40)  # re-exported after the preview: the previewed rows are imported ...
    summary = spreadsheet_import.run_import(ws, incident, plan, ALL)
    assert summary.rows_read == 20
    with ws.engine.connect() as c:  # ... with the hash of the file they came from
        assert c.exec_driver_sql("SELECT file_hash FROM import_batches").scalar() == read


def test_the_refusal_crosses_from_the_helper_process_as_itself():
    import pickle

    error = pickle.loads(pickle.dumps(FileChangedError("Incident 'B' dump.csv")))
    assert isinstance(error, FileChangedError) and "'Incident 'B' dump.csv' changed while" in str(error)
