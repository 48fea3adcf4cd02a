"""The hand-labelled real passages: texts from ../shared, labels and splits from tests/data (dev only)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PASSAGES = REPO / ".." / "shared" / "data" / "real" / "customer-text" / "passages.jsonl"
LABELS = REPO / "tests" / "data" / "real_labels.jsonl"
CUSTOMER_TAGS = ("confusion", "trust-loss", "risky-workaround", "work-stopped", "manual-work", "data-fear",
                 "churn-risk")
AGENT_TAGS = ("calming-wording", "worsening-wording")


@dataclass(frozen=True)
class LabelledPassage:
    id: str
    source: str
    role: str
    text: str
    tags: frozenset[str]
    split: str


def load(split: str | None = None, role: str | None = None) -> list[LabelledPassage]:
    """Labelled passages in label-file order, optionally one split ("tune"/"heldout") and one role."""
    if not PASSAGES.exists():
        raise FileNotFoundError(f"the real-passage corpus is not at {PASSAGES.resolve()}: the shared data "
                                "folder must sit beside the checkout")
    texts = {}
    with PASSAGES.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[row["id"]] = row["text"]
    found = []
    with LABELS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if (split and row["split"] != split) or (role and row["role"] != role):
                continue
            found.append(LabelledPassage(row["id"], row["id"].split(":")[0], row["role"], texts[row["id"]],
                                         frozenset(row["tags"]), row["split"]))
    return found


def micro(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (expected, found) tag sets."""
    tp = sum(len(e & f) for e, f in pairs)
    fp = sum(len(f - e) for e, f in pairs)
    fn = sum(len(e - f) for e, f in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def confirmed_session(passages: list[LabelledPassage], per_tag: int, seed: int):  # noqa: ANN201
    """A simulated support lead: confirms `per_tag` random passages of each tag, in a fixed random order.

    Returns (confirmed examples as (text, tag), the passages left to suggest on).
    """
    import random

    rng = random.Random(seed)
    order = list(passages)
    rng.shuffle(order)
    chosen: set[str] = set()
    examples: list[tuple[str, str]] = []
    for tag in CUSTOMER_TAGS + AGENT_TAGS:
        having = [p for p in order if tag in p.tags and p.id not in chosen]
        for passage in having[:per_tag]:
            chosen.add(passage.id)
            examples.extend((passage.text, t) for t in passage.tags)
    return examples, [p for p in passages if p.id not in chosen]
