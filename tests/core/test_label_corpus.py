"""The hand-labelled real passages: the second batch was split by its ids and labelled as a prefix of a fixed order."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
CUSTOMER_TAGS = {"confusion", "trust-loss", "risky-workaround", "work-stopped", "manual-work", "data-fear",
                 "churn-risk"}
AGENT_TAGS = {"calming-wording", "worsening-wording"}


def _labels() -> list[dict]:
    return [json.loads(line) for line in (DATA / "real_labels.jsonl").read_text(encoding="utf-8").splitlines()]


def test_second_batch_split_is_the_hash_of_the_id_and_about_a_third_is_held_out() -> None:
    batch = [row for row in _labels() if row.get("batch") == 2]
    assert len(batch) >= 1000
    for row in batch:
        bucket = int(hashlib.sha256(row["id"].encode("utf-8")).hexdigest()[:8], 16)
        assert row["split"] == ("heldout" if bucket < 0.35 * 16**8 else "tune"), row["id"]
    share = sum(row["split"] == "heldout" for row in batch) / len(batch)
    assert 0.30 <= share <= 0.40


def test_second_batch_is_a_prefix_of_the_fixed_order_so_no_passage_was_picked() -> None:
    order = json.loads((DATA / "label_sample_2.json").read_text(encoding="utf-8"))["order"]
    batch = [row for row in _labels() if row.get("batch") == 2]
    for role in ("customer", "agent"):
        labelled = [row["id"] for row in batch if row["role"] == role]
        assert labelled == [entry["id"] for entry in order[role][: len(labelled)]]


def test_every_passage_is_labelled_once_with_its_role_s_tags_only() -> None:
    rows = _labels()
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        allowed = CUSTOMER_TAGS if row["role"] == "customer" else AGENT_TAGS
        assert set(row["tags"]) <= allowed, row["id"]
        assert row["split"] in ("tune", "heldout")
