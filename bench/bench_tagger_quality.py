"""Benchmark: suggested-tag precision/recall on the labeled set and tagging throughput, with budgets."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from postmortem_desktop.analysis.tagger import Tagger  # noqa: E402

LABELED_SET = REPO_ROOT / "tests" / "data" / "tagger_labeled.jsonl"
MIN_MESSAGES_PER_SECOND = 5_000
MIN_HELDOUT_PRECISION = 0.85
TARGET_HELDOUT_PRECISION = 0.90
TARGET_HELDOUT_RECALL = 0.60
THROUGHPUT_ROUNDS = 30


def load_rows(path: Path = LABELED_SET) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(tagger: Tagger, rows: list[dict]) -> tuple[Counter, Counter, Counter, list[str]]:
    """True positives, false positives and false negatives per tag, plus readable mistakes."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    mistakes: list[str] = []
    for row in rows:
        found = {s.tag: s.phrase for s in tagger.suggest(row["text"])}
        expected = set(row["tags"])
        for tag in found.keys() & expected:
            tp[tag] += 1
        for tag in found.keys() - expected:
            fp[tag] += 1
            mistakes.append(f"FP {tag:18} {found[tag]!r:28} {row['id']}: {row['text']}")
        for tag in expected - found.keys():
            fn[tag] += 1
            mistakes.append(f"FN {tag:18} {'':28} {row['id']}: {row['text']}")
    return tp, fp, fn, mistakes


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def print_table(title: str, tags: tuple[str, ...], tp: Counter, fp: Counter, fn: Counter) -> tuple[float, float]:
    print(f"\n{title}")
    print(f"  {'tag':20} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for tag in tags:
        p = ratio(tp[tag], tp[tag] + fp[tag])
        r = ratio(tp[tag], tp[tag] + fn[tag])
        print(f"  {tag:20} {p:9.2f} {r:7.2f} {tp[tag]:4} {fp[tag]:4} {fn[tag]:4}")
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = ratio(total_tp, total_tp + total_fp)
    recall = ratio(total_tp, total_tp + total_fn)
    print(f"  {'overall (micro)':20} {precision:9.2f} {recall:7.2f} {total_tp:4} {total_fp:4} {total_fn:4}")
    return precision, recall


def messages_per_second(tagger: Tagger, texts: list[str]) -> float:
    started = time.perf_counter()
    for _ in range(THROUGHPUT_ROUNDS):
        for text in texts:
            tagger.suggest(text)
    elapsed = time.perf_counter() - started
    return THROUGHPUT_ROUNDS * len(texts) / elapsed


def mean_chars(texts: list[str]) -> float:
    return sum(map(len, texts)) / len(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", choices=["tune", "heldout"], help="list mistakes on one split")
    args = parser.parse_args(argv)

    tagger = Tagger.from_patterns()
    rows = load_rows()
    results = {}
    for split in ("tune", "heldout"):
        part = [r for r in rows if r["split"] == split]
        tp, fp, fn, mistakes = score(tagger, part)
        results[split] = print_table(f"{split} part ({len(part)} messages)", tagger.tags, tp, fp, fn)
        if args.show_errors == split:
            print("\n".join(mistakes))
    tp, fp, fn, _ = score(tagger, rows)
    print_table(f"all ({len(rows)} messages)", tagger.tags, tp, fp, fn)

    texts = [r["text"] for r in rows]
    # The labeled messages are short; joining four at a time gives the typical 100-400 char message.
    typical = [" ".join(texts[i : i + 4]) for i in range(0, len(texts), 4)]
    short_speed = messages_per_second(tagger, texts)
    speed = messages_per_second(tagger, typical)
    held_precision, held_recall = results["heldout"]
    print()
    print(f"held-out precision {held_precision:.3f}  "
          f"(budget >= {MIN_HELDOUT_PRECISION}, target {TARGET_HELDOUT_PRECISION})")
    print(f"held-out recall    {held_recall:.3f}  (target >= {TARGET_HELDOUT_RECALL})")
    print(f"throughput         {speed:,.0f} messages/s at mean {mean_chars(typical):.0f} chars  "
          f"(budget >= {MIN_MESSAGES_PER_SECOND:,})")
    print(f"                   {short_speed:,.0f} messages/s at mean {mean_chars(texts):.0f} chars "
          "(labeled messages as they are)")

    failed = speed < MIN_MESSAGES_PER_SECOND or held_precision < MIN_HELDOUT_PRECISION
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
