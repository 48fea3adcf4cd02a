"""`postmortem import` into a workspace that cannot take the import says what the app says: the file, that none of
it was imported, why, and to import it again (services/import_failure.not_imported)."""
from __future__ import annotations

import contextlib
import io
from datetime import timedelta

from postmortem_desktop.cli import EXIT_REFUSED, main
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from tests.core.test_import_pipeline import T0, write_csv, zendesk_row


def test_an_import_into_a_file_another_window_holds_names_the_file_and_says_to_import_it_again(demo_copy, tmp_path):
    dump = write_csv(tmp_path / "dump.csv", [zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"))
                                             for n in range(1, 4)])
    holder = open_workspace(demo_copy)  # another window editing it: the command line's opens read-only
    try:
        incident_id = IncidentService(holder).list_incidents()[0].id
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["import", str(demo_copy), str(dump), "--incident", str(incident_id)])
    finally:
        holder.close()
    said = err.getvalue()
    assert code == EXIT_REFUSED
    assert said.startswith("refused: Nothing of dump.csv was imported.") and said.rstrip().endswith(
        "Then import dump.csv again."), said
