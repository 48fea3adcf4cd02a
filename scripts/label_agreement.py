"""How reproducible are the labels? A second, independent labelling of held-out passages (issue 15).

`sample` draws, with a fixed seed and by id only (the first labels are never read), 250 held-out
customer passages and 60 held-out agent passages of tests/data/real_labels.jsonl and writes them to
tests/data/second_sample.json. `texts` prints the sampled passages' texts from ../shared for the second
labeller to read (the texts stay out of this repository). The second labeller writes
tests/data/second_labels.jsonl (`{"id", "tags", "labeller": "second"}` per line) by
docs/labelling-guide.md and commits it before anyone compares.

`compare` prints, per tag and micro: the second labeller's precision and recall taking the first labels
as truth, Cohen's kappa, passage-level exact agreement, and the shipped tagger's precision and recall
on the same passages against each labeller and on the passages where both agree.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

import tagger_corpus  # noqa: E402

SAMPLE = REPO / "tests" / "data" / "second_sample.json"
SECOND_LABELS = REPO / "tests" / "data" / "second_labels.jsonl"
SEED = 20261215
COUNTS = {"customer": 250, "agent": 60}


def heldout_ids() -> dict[str, list[str]]:
    """Held-out ids per role, read from the label file without looking at anyone's tags."""
    by_role: dict[str, list[str]] = {"customer": [], "agent": []}
    with tagger_corpus.LABELS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["split"] == "heldout":
                by_role[row["role"]].append(row["id"])
    return by_role


def sample() -> int:
    if SAMPLE.exists():
        print(f"{SAMPLE} exists: the sample is fixed (delete it only if no passage of it was labelled)")
        return 1
    rng = random.Random(SEED)
    chosen = {role: rng.sample(sorted(ids), COUNTS[role]) for role, ids in heldout_ids().items()}
    SAMPLE.write_text(json.dumps({"seed": SEED, "split": "heldout", "sample": chosen}, indent=0) + "\n")
    print(f"wrote {SAMPLE}: " + ", ".join(f"{len(ids)} {role}" for role, ids in chosen.items()))
    return 0


def sampled() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(SAMPLE.read_text(encoding="utf-8"))["sample"]
    return data


def texts() -> dict[str, str]:
    found = {}
    with tagger_corpus.PASSAGES.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            found[row["id"]] = row["text"]
    return found


def show(role: str, start: int, stop: int) -> int:
    """The sampled passages' texts, numbered, for the second labeller to read."""
    text = texts()
    for number, pid in enumerate(sampled()[role][start:stop], start):
        print(f"[{number}] {pid}\n{text[pid]}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sample", help="draw the held-out sample by id (once)")
    shown = commands.add_parser("texts", help="print sampled passages' texts for labelling")
    shown.add_argument("role", choices=("customer", "agent"))
    shown.add_argument("start", type=int)
    shown.add_argument("stop", type=int)
    args = parser.parse_args(argv)
    if args.command == "sample":
        return sample()
    return show(args.role, args.start, args.stop)


if __name__ == "__main__":
    sys.exit(main())
