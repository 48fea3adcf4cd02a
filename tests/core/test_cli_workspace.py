"""The command line over the same services: demo, incidents, exit codes."""
import json
import subprocess
import sys
from pathlib import Path

from postmortem_desktop.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_incidents_json_lists_both_durations(demo_copy, capsys):
    assert main(["incidents", str(demo_copy), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    billing = next(r for r in rows if "Billing" in r["title"] or "billing" in r["title"].lower())
    assert set(billing) >= {"id", "title", "status", "technical_minutes", "customer_minutes"}
    assert billing["technical_minutes"] == 40
    assert billing["customer_minutes"] > billing["technical_minutes"]
    assert {r["status"] for r in rows} == {"in_review", "closed"}


def test_incidents_table_is_readable(demo_copy, capsys):
    assert main(["incidents", str(demo_copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "title", "status", "technical_minutes", "customer_minutes"]
    assert len(out) == 3


def test_demo_refuses_to_overwrite_and_bad_file_exits_4(demo_copy, tmp_path, capsys):
    assert main(["demo", str(demo_copy)]) == 4
    bad = tmp_path / "bad.pmw"
    bad.write_text("not a db")
    assert main(["incidents", str(bad)]) == 4
    assert "not a workspace" in capsys.readouterr().err


def test_usage_errors_exit_2_through_the_console_entry_point(tmp_path):
    out = subprocess.run([sys.executable, "-m", "postmortem_desktop.cli", "incidents"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "usage" in out.stderr


def test_demo_writes_a_workspace_that_lists(tmp_path, capsys):
    path = tmp_path / "fresh.pmw"
    assert main(["demo", str(path)]) == 0
    capsys.readouterr()
    assert main(["incidents", str(path), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_reader_that_stops_reading_is_no_error(demo_copy):
    # Before: `postmortem … --json | head -1` ended with "unexpected error: BrokenPipeError", exit 1.
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    out = subprocess.run([sys.executable, "-m", "postmortem_desktop.cli", "incidents", str(demo_copy), "--json"],
                         cwd=ROOT, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(write_end)
    assert out.returncode == 0, out.stderr
    assert "BrokenPipeError" not in out.stderr and "unexpected" not in out.stderr
