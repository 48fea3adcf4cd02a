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


def draw() -> dict[str, list[str]]:
    """The sample: per role, COUNTS[role] held-out ids in a seeded random draw (nobody picks a passage)."""
    rng = random.Random(SEED)
    return {role: rng.sample(sorted(ids), COUNTS[role]) for role, ids in heldout_ids().items()}


def sample() -> int:
    if SAMPLE.exists():
        print(f"{SAMPLE} exists: the sample is fixed (delete it only if no passage of it was labelled)")
        return 1
    chosen = draw()
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


def first_labels() -> dict[str, frozenset[str]]:
    with tagger_corpus.LABELS.open(encoding="utf-8") as handle:
        return {row["id"]: frozenset(row["tags"]) for row in map(json.loads, handle)}


def second_labels() -> dict[str, frozenset[str]]:
    with SECOND_LABELS.open(encoding="utf-8") as handle:
        return {row["id"]: frozenset(row["tags"]) for row in map(json.loads, handle)}


Pairs = list[tuple[frozenset[str], frozenset[str]]]  # (truth, found) tag sets, one per passage


def counts(pairs: Pairs, tag: str | None = None) -> tuple[int, int, int]:
    """tp, fp, fn of one tag, or of every tag pooled (micro) when `tag` is None."""
    def only(tags: frozenset[str]) -> frozenset[str]:
        return tags if tag is None else tags & {tag}

    tp = sum(len(only(truth) & only(found)) for truth, found in pairs)
    fp = sum(len(only(found) - only(truth)) for truth, found in pairs)
    fn = sum(len(only(truth) - only(found)) for truth, found in pairs)
    return tp, fp, fn


def pr(pairs: Pairs, tag: str | None = None) -> str:
    """Precision and recall as two table cells, a dash where there is nothing to divide."""
    tp, fp, fn = counts(pairs, tag)
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return f"{precision:>7} {recall:>7}"


def kappa(pairs: Pairs, tag: str) -> str:
    """Cohen's kappa of the two labellers on one tag (yes/no per passage): scikit-learn's, not a copy."""
    from sklearn.metrics import cohen_kappa_score  # the `train` extra: only this dev script needs it

    first = [tag in a for a, _ in pairs]
    second = [tag in b for _, b in pairs]
    return f"{cohen_kappa_score(first, second):.2f}" if first != second else "1.00"


def interval(pairs: Pairs) -> str:
    """95 % bootstrap interval (over passages, scipy) of the micro precision and recall: 300 passages are few."""
    import numpy as np
    from scipy.stats import bootstrap

    tp, fp, fn = (np.array(column) for column in zip(*(counts([pair]) for pair in pairs), strict=True))
    found = []
    for share in (lambda t, f, _n: t.sum() / (t.sum() + f.sum()), lambda t, _f, n: t.sum() / (t.sum() + n.sum())):
        low, high = bootstrap((tp, fp, fn), share, paired=True, vectorized=False, n_resamples=2000,
                              method="percentile", random_state=np.random.default_rng(SEED)).confidence_interval
        found.append(f"{low:.2f}-{high:.2f}")
    return f"precision {found[0]}, recall {found[1]}"


def tagger_tags(passages: dict[str, tuple[str, str]]) -> dict[str, frozenset[str]]:
    """What the shipped suggester shows by default (low confidence hidden), as bench_tagger_quality counts it."""
    from postmortem_desktop.analysis.suggester import Suggester
    from postmortem_desktop.analysis.tag_model import TagModel
    from postmortem_desktop.analysis.tagger import Tagger

    suggester = Suggester(Tagger.from_patterns(), TagModel.load())
    return {pid: frozenset(s.tag for s in suggester.suggest(text, role) if not s.low_confidence)
            for pid, (text, role) in passages.items()}


def compare() -> int:
    second, first, chosen = second_labels(), first_labels(), sampled()
    missing = [pid for ids in chosen.values() for pid in ids if pid not in second]
    if missing:
        print(f"{len(missing)} sampled passages have no second label (the first: {missing[0]}): label them, "
              f"in {SECOND_LABELS}, before comparing")
        return 1
    text = texts()
    found = tagger_tags({pid: (text[pid], role) for role, ids in chosen.items() for pid in ids})
    for role, ids in chosen.items():
        same = sum(first[p] == second[p] for p in ids)
        print(f"{role} passages: {len(ids)}; the two labellers gave exactly the same tags to {same} "
              f"({same / len(ids):.0%}), no tag at all to {sum(not first[p] and not second[p] for p in ids)}")
    every = [pid for ids in chosen.values() for pid in ids]
    agreed = [pid for pid in every if first[pid] == second[pid]]

    def columns(on: list[str], tag: str | None) -> str:
        both = [p for p in on if p in agreed]
        return (f"{pr([(first[p], second[p]) for p in on], tag)} |"
                f" {pr([(first[p], found[p]) for p in on], tag)} |"
                f" {pr([(second[p], found[p]) for p in on], tag)} |"
                f" {pr([(first[p], found[p]) for p in both], tag)}")

    print(f"\n{'':18} {'first':>5} {'second':>6} {'':5} | {'second vs first':^15} | {'tagger vs first':^15} |"
          f" {'tagger vs second':^15} | tagger where both agree ({len(agreed)})")
    print(f"{'tag':18} {'n':>5} {'n':>6} {'kappa':>5} |" + " |".join([f" {'P':>7} {'R':>7}"] * 4))
    for role, tags in (("customer", tagger_corpus.CUSTOMER_TAGS), ("agent", tagger_corpus.AGENT_TAGS)):
        on = chosen[role]
        for tag in tags:
            print(f"{tag:18} {sum(tag in first[p] for p in on):5} {sum(tag in second[p] for p in on):6} "
                  f"{kappa([(first[p], second[p]) for p in on], tag):>5} | {columns(on, tag)}")
    print(f"{'micro':18} {sum(len(first[p]) for p in every):5} {sum(len(second[p]) for p in every):6} {'':5} | "
          f"{columns(every, None)}")
    print(f"\nsecond vs first, micro, 95 % bootstrap over passages: {interval([(first[p], second[p]) for p in every])}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sample", help="draw the held-out sample by id (once)")
    commands.add_parser("compare", help="agreement of the two labellers, and the tagger against each")
    shown = commands.add_parser("texts", help="print sampled passages' texts for labelling")
    shown.add_argument("role", choices=("customer", "agent"))
    shown.add_argument("start", type=int)
    shown.add_argument("stop", type=int)
    args = parser.parse_args(argv)
    if args.command == "sample":
        return sample()
    if args.command == "compare":
        return compare()
    return show(args.role, args.start, args.stop)


if __name__ == "__main__":
    sys.exit(main())
