"""Chooses the passages to label and their tune/held-out split, once, with a fixed seed.

Run before any model exists; its output (tests/data/label_sample.json) is never regenerated after
labelling started, so the held-out part cannot be chosen to suit a model.

`--second-batch` writes tests/data/label_sample_2.json: every passage not in the first sample, per
role in a seeded random order, each with its split fixed by a hash of its id (held out when the first
eight hex digits of its SHA-256, as a number, are below 35 % of their range). The annotator labels a
prefix of each order, never picking passages, so the split of a newly labelled passage was known
before anyone read it and does not depend on how far labelling got.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PASSAGES = REPO / ".." / "shared" / "data" / "real" / "customer-text" / "passages.jsonl"
OUT = REPO / "tests" / "data" / "label_sample.json"
OUT_2 = REPO / "tests" / "data" / "label_sample_2.json"
SEED = 20261206
SEED_2 = 20261207
COUNTS = {"customer": 1500, "agent": 300}
HELDOUT_SHARE = 0.35


def hashed_split(passage_id: str) -> str:
    """The second batch's split: a fixed function of the id alone, 35 % held out."""
    bucket = int(hashlib.sha256(passage_id.encode("utf-8")).hexdigest()[:8], 16)
    return "heldout" if bucket < HELDOUT_SHARE * 16**8 else "tune"


def second_batch() -> int:
    if OUT_2.exists():
        print(f"{OUT_2} exists: the order is fixed")
        return 1
    first = {row["id"] for rows in json.loads(OUT.read_text())["sample"].values() for row in rows}
    by_role: dict[str, list[str]] = {"customer": [], "agent": []}
    with PASSAGES.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] not in first:
                by_role[row["role"]].append(row["id"])
    rng = random.Random(SEED_2)
    order = {role: [{"id": pid, "split": hashed_split(pid)} for pid in rng.sample(sorted(ids), len(ids))]
             for role, ids in by_role.items()}
    OUT_2.write_text(json.dumps({"seed": SEED_2, "heldout_share": HELDOUT_SHARE, "split": "sha256(id)[:8] < 35 %",
                                 "order": order}, indent=0) + "\n")
    print(f"wrote {OUT_2}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--second-batch", action="store_true", help="order and split the passages not yet sampled")
    if parser.parse_args(argv).second_batch:
        return second_batch()
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
