"""JSON nested too deeply (100,000 brackets) is refused in words at every entry point that reads a person's
JSON, with the command line's exit code for bad input, never "unexpected error: RecursionError" (issue 14)."""
from __future__ import annotations

import sqlite3
import zipfile

import pytest

from postmortem_desktop.cli import EXIT_BAD_INPUT, main
from postmortem_desktop.domain.agenda import AgendaError
from postmortem_desktop.domain.agenda import from_json as agenda_from_json
from postmortem_desktop.importers.events.slack_export import read_slack_export
from postmortem_desktop.importers.field_mapping import FieldMapping, MappingError

ARRAYS = "[" * 100_000
OBJECTS = '{"a":' * 100_000


@pytest.mark.parametrize("deep", [ARRAYS, OBJECTS], ids=["arrays", "objects"])
def test_parse_transcript_refuses_it_as_no_chat_export_with_exit_4(tmp_path, capsys, deep):
    path = tmp_path / "nested.json"
    path.write_text(deep, encoding="utf-8")
    assert main(["parse-transcript", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "not a chat export" in err and "unexpected" not in err


def test_a_chat_zip_whose_json_nests_too_deeply_is_refused(tmp_path, capsys):
    path = tmp_path / "chat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("result.json", ARRAYS)
    assert main(["parse-transcript", str(path)]) == EXIT_BAD_INPUT
    assert "nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["import", "preview"])
def test_import_and_preview_refuse_it_as_no_ticket_export_with_exit_4(tmp_path, demo_copy, capsys, command):
    path = tmp_path / "nested.json"
    path.write_text(ARRAYS, encoding="utf-8")
    argv = ["import", str(demo_copy), str(path), "--incident", "1"] if command == "import" else ["preview", str(path)]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "Export the tickets as CSV" in err


def test_a_saved_preset_nested_too_deeply_is_a_mapping_problem_not_a_crash(tmp_path, demo_copy, capsys):
    with sqlite3.connect(demo_copy) as db:  # a workspace is a file anyone can edit
        db.execute("INSERT INTO mapping_presets (name, vendor, mapping_json) VALUES ('deep', 'generic', ?)",
                   (ARRAYS,))
    dump = tmp_path / "t.csv"
    dump.write_text("id,created,subject\nQ1,2026-11-18 10:00,Card declined\n", encoding="utf-8")
    with pytest.raises(MappingError, match="nested too deeply"):
        FieldMapping.from_json(ARRAYS, ["id"])
    assert main(["import", str(demo_copy), str(dump), "--incident", "1", "--mapping", "deep"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "the saved mapping is damaged" in err and "map the columns again" in err


def test_a_slack_export_day_file_nested_too_deeply_is_skipped_with_its_reason(tmp_path):
    export = tmp_path / "export"
    (export / "incident").mkdir(parents=True)
    (export / "channels.json").write_text('[{"id": "C1", "name": "incident"}]', encoding="utf-8")
    (export / "incident" / "2026-12-04.json").write_text(ARRAYS, encoding="utf-8")
    (export / "incident" / "2026-12-05.json").write_text('[{"type": "message", "ts": "1796378400.0", '
                                                         '"user": "U1", "text": "deploy rolled back"}]',
                                                         encoding="utf-8")
    read = read_slack_export(export)
    assert [(name, "nested too deeply" in reason) for _, name, reason in read.skipped] == [
        ("incident/2026-12-04.json", True)]
    assert [m.text for m in read.channels["incident"].messages] == ["deploy rolled back"]


def test_an_agenda_nested_too_deeply_is_refused_in_words():
    # (a phrase file is refused by suggest-tags itself: tests/core/test_cli_suggest_tags.py)
    with pytest.raises(AgendaError, match="nested too deeply"):
        agenda_from_json(ARRAYS)
