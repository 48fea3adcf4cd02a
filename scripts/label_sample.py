"""Chooses the passages to label and their tune/held-out split, once, with a fixed seed.

Run before any model exists; its output (tests/data/label_sample.json) is never regenerated after
labelling started, so the held-out part cannot be chosen to suit a model.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PASSAGES = REPO / ".." / "shared" / "data" / "real" / "customer-text" / "passages.jsonl"
OUT = REPO / "tests" / "data" / "label_sample.json"
SEED = 20261206
COUNTS = {"customer": 1500, "agent": 300}
HELDOUT_SHARE = 0.35


def main() -> int:
    if OUT.exists():
        print(f"{OUT} exists: the sample is fixed; delete it only to start labelling from scratch")
        return 1
    rng = random.Random(SEED)
    by_role: dict[str, list[str]] = {"customer": [], "agent": []}
    with PASSAGES.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            by_role[row["role"]].append(row["id"])
    sample = {}
    for role, count in COUNTS.items():
        chosen = rng.sample(sorted(by_role[role]), count)
        heldout = set(rng.sample(chosen, round(count * HELDOUT_SHARE)))
        sample[role] = [{"id": pid, "split": "heldout" if pid in heldout else "tune"} for pid in chosen]
    OUT.write_text(json.dumps({"seed": SEED, "heldout_share": HELDOUT_SHARE, "sample": sample}, indent=0) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
