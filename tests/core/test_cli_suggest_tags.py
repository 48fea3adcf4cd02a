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
    # the phrase patterns' findings come through unchanged (the model may add its own, with their words)
    assert {"tag": "churn-risk", "phrase": "cancel my account"} in rows[0]["tags"]
    assert rows[1]["tags"] == []
    assert "trust-loss" not in [t["tag"] for t in rows[2]["tags"]]  # "not charged twice" is negated
    assert "confusion" in [t["tag"] for t in rows[2]["tags"]]


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


def test_explain_adds_the_reason_and_the_confidence(capsys, monkeypatch):
    stdin = json.dumps({"id": 1, "text": "I will cancel my subscription", "role": "customer"}) + "\n"
    _, out, _ = run(capsys, monkeypatch, stdin, "--json", "--explain")
    churn = next(t for t in json.loads(out)["tags"] if t["tag"] == "churn-risk")
    assert churn["reason"] == "the phrase “cancel my subscription”" and 0 < churn["confidence"] <= 1
    _, out, _ = run(capsys, monkeypatch, stdin, "--explain")
    assert "churn-risk" in out and "% (the phrase “cancel my subscription”)" in out


def test_workspace_examples_teach_the_command_line(capsys, monkeypatch, tmp_path):
    from postmortem_desktop.services.tagging import list_tags
    from postmortem_desktop.storage.schema import Conversation, Incident, Message, TagAssignment
    from postmortem_desktop.storage.workspace import create_workspace

    path = tmp_path / "w.pmw"
    ws = create_workspace(path)
    bodies = ["the widget export dropped every row so I rebuilt the sheet from the invoices",
              "widget export dropped rows again, rebuilt the sheet from invoices by hand",
              "the widget export dropped half the rows and we rebuilt the sheet"]
    manual = next(t.id for t in list_tags(ws) if t.name == "manual-work")
    with ws.transaction() as s:
        incident = Incident(title="Export")
        s.add(incident)
        s.flush()
        conversation = Conversation(incident_id=incident.id, channel="email", subject="export")
        s.add(conversation)
        s.flush()
        for n, body in enumerate(bodies):
            message = Message(conversation_id=conversation.id, position=n, author="c", role="customer", text=body)
            s.add(message)
            s.flush()
            s.add(TagAssignment(tag_id=manual, message_id=message.id, source="manual"))
    ws.close()
    before = path.read_bytes()
    stdin = json.dumps({"id": 1, "text": "widget export dropped all the rows, rebuilt the sheet", "role": "customer"})
    _, out, _ = run(capsys, monkeypatch, stdin + "\n", "--json", "--explain")
    assert "manual-work" not in [t["tag"] for t in json.loads(out)["tags"]]
    code, out, _ = run(capsys, monkeypatch, stdin + "\n", "--json", "--explain", "--workspace", str(path))
    assert code == 0
    learnt = next(t for t in json.loads(out)["tags"] if t["tag"] == "manual-work")
    assert learnt["reason"] == "like 3 quotes you tagged manual-work"
    assert path.read_bytes() == before  # read only


def test_a_workspace_that_is_not_one_is_bad_input(capsys, monkeypatch, tmp_path):
    bogus = tmp_path / "not.pmw"
    bogus.write_text("hello", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "text\n", "--workspace", str(bogus))
    assert code == EXIT_BAD_INPUT and "not.pmw" in err
