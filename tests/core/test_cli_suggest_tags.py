"""`postmortem suggest-tags`: JSON Lines or plain lines in, JSON Lines out, in input order."""
from __future__ import annotations

import io
import json

from postmortem_desktop.cli import EXIT_BAD_INPUT, main


def run(capsys, monkeypatch, stdin: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["suggest-tags", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lines_in_give_json_lines_out_in_the_same_order(capsys, monkeypatch):
    lines = [{"id": "z", "text": "Please cancel my account."}, {"id": 3, "text": "All good, thanks!"},
             {"id": "a", "text": "I was not charged twice, but did it go through?"}]
    code, out, _ = run(capsys, monkeypatch, "\n".join(json.dumps(x) for x in lines) + "\n", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["z", 3, "a"]
    assert rows[0]["tags"] == [{"tag": "churn-risk", "phrase": "cancel my account"}]
    assert rows[1]["tags"] == []
    assert [t["tag"] for t in rows[2]["tags"]] == ["confusion"]  # "not charged twice" is negated


def test_plain_lines_are_numbered_by_line_and_blank_lines_skipped(capsys, monkeypatch, tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("we did it by hand\n\nis my data safe?\n", encoding="utf-8")
    code, out, _ = run(capsys, monkeypatch, "", str(path), "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], [t["tag"] for t in r["tags"]]) for r in rows] == [(1, ["manual-work"]), (3, ["data-fear"])]


def test_role_given_drops_agent_wording_tags_from_customer_text(capsys, monkeypatch):
    text = "Your data is safe."
    stdin = json.dumps({"id": 1, "text": text, "role": "customer"}) + "\n" + json.dumps(
        {"id": 2, "text": text, "role": "agent"}) + "\n"
    _, out, _ = run(capsys, monkeypatch, stdin, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["tags"] == [] and [t["tag"] for t in rows[1]["tags"]] == ["calming-wording"]


def test_text_output_shows_tag_and_phrase(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "charged twice!\n")
    assert code == 0 and out.startswith("1\t") and "trust-loss" in out and "charged twice" in out


def test_broken_json_line_is_bad_input_naming_the_line(capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, 'fine line\n{"id": 1, "text": \n', "--json")
    assert code == EXIT_BAD_INPUT and "line 2" in err


def test_missing_file_is_bad_input(capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, monkeypatch, "", str(tmp_path / "nope.jsonl"))
    assert code == EXIT_BAD_INPUT and "nope.jsonl" in err


def test_extra_pattern_file_adds_phrases(capsys, monkeypatch, tmp_path):
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"work-stopped": ["zebra screen"]}), encoding="utf-8")
    _, out, _ = run(capsys, monkeypatch, "stuck on the zebra screen\n", "--json", "--patterns", str(extra))
    assert json.loads(out)["tags"] == [{"tag": "work-stopped", "phrase": "zebra screen"}]


def test_json_nested_too_deeply_is_bad_input_not_a_crash(capsys, monkeypatch, tmp_path):
    deep = '{"text": "hi", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    code, _, err = run(capsys, monkeypatch, deep + "\n")
    assert code == EXIT_BAD_INPUT and "line 1 nests JSON too deeply" in err
    patterns = tmp_path / "patterns.json"
    patterns.write_text('{"churn-risk": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "hi\n", "--patterns", str(patterns))
    assert code == EXIT_BAD_INPUT and "nests JSON too deeply" in err


def test_a_folder_given_as_the_pattern_file_is_bad_input(capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, monkeypatch, "hi\n", "--patterns", str(tmp_path))
    assert code == EXIT_BAD_INPUT and "cannot read the pattern file" in err


def test_a_json_number_past_the_digit_limit_is_bad_input_not_a_crash(capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, '{"id": ' + "9" * 70_000 + ', "text": "hi"}\n')
    assert code == EXIT_BAD_INPUT and "line 1 holds a number too long" in err
