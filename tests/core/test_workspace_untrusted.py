"""Untrusted workspace files: refused untouched (exit 4) unless their schema is exactly this app's; read
commands never modify a file; names with URL characters; not-a-file paths."""
import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.storage.workspace import (
    AlteredWorkspaceError,
    DamagedWorkspaceError,
    NotAWorkspaceError,
    open_workspace,
)

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def alter(path: Path, *statements: str) -> Path:
    """Changes a closed workspace with plain SQLite, the way another program (or an attacker) could."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def action_item_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM action_items").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("statement, complaint", [
    ("CREATE TRIGGER wipe AFTER INSERT ON conversations BEGIN DELETE FROM action_items; END",
     "trigger `wipe` that this app did not create"),
    ("CREATE VIEW everything AS SELECT * FROM messages", "view `everything`"),
    ("CREATE TABLE extra (x)", "table `extra` that this app did not create"),
    ("CREATE INDEX sneaky ON messages(text)", "table `messages` was changed"),
    ("DROP TABLE quotes", "table `quotes` is missing"),
    ("ALTER TABLE incidents ADD COLUMN note TEXT", "table `incidents` was changed"),
    ("DROP TRIGGER messages_search_insert", "trigger `messages_search_insert` is missing"),
])
def test_a_workspace_whose_schema_was_altered_is_refused_untouched(demo_copy, statement, complaint, capsys):
    # Before: a workspace carrying its own trigger ran it on the next import (it deleted every action item).
    path = alter(demo_copy, statement)
    before = digest(path)
    with pytest.raises(AlteredWorkspaceError, match=complaint.replace("`", ".")):
        open_workspace(path)
    assert main(["incidents", str(path)]) == 4
    assert "left untouched" in capsys.readouterr().err
    assert digest(path) == before


def test_the_trigger_attack_through_an_import_never_runs(demo_copy, tmp_path, capsys):
    path = alter(demo_copy, "CREATE TRIGGER wipe AFTER INSERT ON conversations BEGIN DELETE FROM action_items; END")
    actions = action_item_count(path)
    tickets = tmp_path / "t.csv"
    tickets.write_text("Ticket ID,Subject,Created at,Description\n1,Down,2026-11-18 10:00,It is down\n")
    assert main(["import", str(path), str(tickets), "--incident", "1"]) == 4
    assert action_item_count(path) == actions > 0


@pytest.mark.parametrize("version", [-1, 0])
def test_a_current_file_with_a_wrong_format_number_is_refused_without_a_backup(demo_copy, version, capsys):
    # Before: exit 1, and a new .bak file on every attempt.
    path = alter(demo_copy, f"PRAGMA user_version = {version}")
    before = digest(path)
    for _attempt in range(2):
        assert main(["incidents", str(path)]) == 4
        assert "left untouched" in capsys.readouterr().err
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_stamped_file_with_no_tables_at_the_current_format_is_refused(tmp_path):
    path = tmp_path / "hollow.pmw"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1347245892")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(AlteredWorkspaceError, match="is missing"):
        open_workspace(path)


def test_a_corrupted_search_index_is_refused_before_anything_writes(demo_copy, capsys):
    path = alter(demo_copy, "UPDATE message_search_data SET block = zeroblob(length(block)) "
                            "WHERE id = (SELECT max(id) FROM message_search_data)")
    before = digest(path)
    with pytest.raises(DamagedWorkspaceError, match="search index"):
        open_workspace(path)
    assert main(["close", str(path), "--incident", "1"]) == 4
    assert "search index" in capsys.readouterr().err
    assert digest(path) == before


def test_read_commands_never_modify_the_file(demo_copy, tmp_path):
    # Before: a read command switched a file's journal mode to WAL (it opened the file for writing).
    path = alter(demo_copy, "PRAGMA journal_mode = DELETE")
    before = digest(path)
    assert main(["incidents", str(path), "--json"]) == 0
    assert main(["checklist", str(path), "--incident", "1", "--json"]) == 0
    assert main(["export-pdf", str(path), "--incident", "1", "-o", str(tmp_path / "r.pdf")]) == 0
    assert digest(path) == before
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


@pytest.mark.parametrize("name", ["Incident #42.pmw", "q?.pmw", "50%25.pmw", "a&b=c;d.pmw", "file:x.pmw"])
def test_names_with_url_characters_open_the_file_they_name(tmp_path, name, capsys):
    # Before: "Incident #42.pmw" was written, then opening it made a stray file "Incident "; "q?.pmw"
    # wrote "q"; "50%25.pmw" wrote "50%.pmw".
    folder = tmp_path / "names"
    folder.mkdir()
    path = folder / name
    assert main(["demo", str(path)]) == 0
    assert main(["incidents", str(path), "--json"]) == 0
    assert main(["close", str(path), "--incident", "1"]) == 3  # a write: refused by the close-out rule only
    capsys.readouterr()
    assert sorted(p.name for p in folder.iterdir()) == [name]


def test_a_folder_or_a_pipe_is_refused_at_once(tmp_path, capsys):
    folder = tmp_path / "folder.pmw"
    folder.mkdir()
    assert main(["incidents", str(folder)]) == 4
    assert "is a folder" in capsys.readouterr().err
    pipe = tmp_path / "pipe.pmw"
    os.mkfifo(pipe)
    # a named pipe hung the command: run it in a process with a deadline
    out = subprocess.run([sys.executable, "-m", "postmortem_desktop.cli", "incidents", str(pipe)], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 4 and "not a regular file" in out.stderr
    with pytest.raises(NotAWorkspaceError):
        open_workspace(pipe)


def test_an_import_file_that_is_a_folder_or_pipe_exits_4(demo_copy, tmp_path, capsys):
    assert main(["import", str(demo_copy), str(tmp_path), "--incident", "1"]) == 4
    assert "is a folder" in capsys.readouterr().err
    pipe = tmp_path / "dump.csv"
    os.mkfifo(pipe)
    assert main(["import", str(demo_copy), str(pipe), "--incident", "1"]) == 4
    assert main(["parse-transcript", str(pipe)]) == 4


@pytest.mark.parametrize("value", ["99999999999999999999999", "0", "-3", "x"])
def test_an_impossible_incident_id_is_a_usage_error(demo_copy, value, capsys):
    # Before: 99999999999999999999999 overflowed inside SQLite (exit 1).
    with pytest.raises(SystemExit) as exit_:
        main(["checklist", str(demo_copy), "--incident", value])
    assert exit_.value.code == 2
    assert "not an incident id" in capsys.readouterr().err


def test_a_workspace_that_does_not_exist_exits_4_and_is_not_created(tmp_path, capsys):
    assert main(["incidents", str(tmp_path / "missing.pmw")]) == 4
    assert "does not exist" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_demo_killed_half_way_leaves_nothing_under_its_name(tmp_path):
    # Before: a killed `demo` left an empty workspace that blocked the next `demo`.
    target = tmp_path / "demo.pmw"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from postmortem_desktop.services import demo
        def stall(workspace, content, clock):
            print("filling", flush=True)
            time.sleep(60)
        demo.fill_demo = stall
        demo.write_demo({str(target)!r})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "filling"
    process.kill()
    process.wait(timeout=30)
    assert not target.exists()
    assert main(["demo", str(target)]) == 0
    assert main(["incidents", str(target)]) == 0


def test_small_exit_codes_from_the_adversarial_re_check(demo_copy, tmp_path, capsys):
    # suggest-tags on a named pipe hung; parse-transcript on a binary file exited 0 with nothing;
    # --incident ١ (an Arabic-Indic one) was read as incident 1.
    pipe = tmp_path / "lines.jsonl"
    os.mkfifo(pipe)
    out = subprocess.run([sys.executable, "-m", "postmortem_desktop.cli", "suggest-tags", str(pipe)], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 4 and "not a regular file" in out.stderr
    binary = tmp_path / "chat.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["parse-transcript", str(binary)]) == 4
    assert "is not text" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["checklist", str(demo_copy), "--incident", "\u0661"])
    assert exit_.value.code == 2


def test_stored_vocabulary_fields_from_a_hand_edited_workspace_never_reach_an_export(demo_copy, tmp_path, capsys):
    # A workspace file can hold anything in fields the app fills from its own words; they reached the
    # PDF and XLSX word for word. Such a file is now refused at open (storage/value_check.py), so no
    # export of it is written at all.
    alter(demo_copy, "UPDATE incidents SET technical_severity = 'boss@example.com', "
                     "customer_severity = 'call 07700 900123'",
          "UPDATE action_items SET area = 'jane.doe@example.com'")
    xlsx = tmp_path / "r.xlsx"
    assert main(["export-xlsx", str(demo_copy), "--incident", "1", "-o", str(xlsx)]) == 4
    assert "holds a value this app never writes" in capsys.readouterr().err
    assert not xlsx.exists()


@pytest.mark.parametrize("column, altered", [
    ("external_id VARCHAR,", "external_id VARCHAR COLLATE NOCASE,"),
    ("text TEXT NOT NULL", "text TEXT NOT NULL CHECK (text NOT LIKE '%row 1999%')"),
])
def test_a_collation_or_check_slipped_into_a_table_is_refused(demo_copy, column, altered):
    # Found by the adversarial re-check: PRAGMA table_info shows neither, so the altered file opened and
    # an import failed later with a raw IntegrityError (exit 1).
    conn = sqlite3.connect(demo_copy)
    table = "conversations" if "external_id" in column else "messages"
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    if column not in sql:
        conn.close()
        pytest.fail(f"the fixture's column text changed: {column!r} not in {sql!r}")
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql.replace(column, altered, 1), table))
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(AlteredWorkspaceError, match=f"table `{table}` was changed"):
        open_workspace(demo_copy)
