"""The second, independent labelling of held-out passages (issue 15): a seeded sample, one row per passage."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.shared_data import shared_file

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
ROLE_TAGS = {
    "customer": {"confusion", "trust-loss", "risky-workaround", "work-stopped", "manual-work", "data-fear",
                 "churn-risk"},
    "agent": {"calming-wording", "worsening-wording"},
}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def _sample() -> dict[str, list[str]]:
    return json.loads((DATA / "second_sample.json").read_text(encoding="utf-8"))["sample"]


def test_each_second_label_row_has_an_id_its_role_s_tags_and_the_labeller() -> None:
    first = {row["id"]: row for row in _rows("real_labels.jsonl")}
    rows = _rows("second_labels.jsonl")
    assert len({row["id"] for row in rows}) == len(rows), "a passage is labelled twice"
    for row in rows:
        assert set(row) == {"id", "tags", "labeller"}, row
        assert row["labeller"] == "second", row["id"]
        assert isinstance(row["tags"], list) and row["tags"] == sorted(set(row["tags"])), row["id"]
        assert set(row["tags"]) <= ROLE_TAGS[first[row["id"]]["role"]], row["id"]


def test_the_second_labels_cover_exactly_the_sample_and_it_is_all_held_out() -> None:
    first = {row["id"]: row for row in _rows("real_labels.jsonl")}
    sample = _sample()
    assert {role: len(ids) for role, ids in sample.items()} == {"customer": 250, "agent": 60}
    assert {row["id"] for row in _rows("second_labels.jsonl")} == {pid for ids in sample.values() for pid in ids}
    for role, ids in sample.items():
        for pid in ids:
            assert first[pid]["split"] == "heldout", pid
            assert first[pid]["role"] == role, pid


def test_every_labelled_id_is_a_passage_of_the_shared_corpus() -> None:
    passages = shared_file("real/customer-text/passages.jsonl")
    roles = {}
    with passages.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            roles[row["id"]] = row["role"]
    sample = _sample()
    for row in _rows("second_labels.jsonl"):
        assert row["id"] in roles, f"{row['id']} is not in {passages}"
        assert row["id"] in sample[roles[row["id"]]], row["id"]


def test_the_sample_is_the_script_s_seeded_draw_so_no_passage_was_picked() -> None:
    spec = importlib.util.spec_from_file_location("label_agreement", REPO / "scripts" / "label_agreement.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.draw() == _sample()
