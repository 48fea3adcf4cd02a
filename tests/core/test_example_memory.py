"""The example memory's neighbours on real customers' words, checked against the rule written out plainly.

ExampleMemory.evidence counts shared features through an index and keeps each example's indexed size, so a
board's learning pass over a large incident stays quick; this says it still finds what the rule says.
"""
from __future__ import annotations

import json
import math
import random

from shared_data import shared_file

from postmortem_desktop.analysis.example_memory import (
    COMMON_SHARE,
    MIN_DF_CUT,
    MIN_SIMILARITY,
    NEIGHBOURS,
    Evidence,
    Example,
    ExampleMemory,
    example_features,
)

TAGS = ("trust-loss", "manual-work", "confusion", "blocked-work")


def plain_evidence(examples: list[Example], features: list[frozenset[str]], text: str) -> dict[str, Evidence]:
    """The rule, one example at a time: cosine of indexed features, the closest NEIGHBOURS of each side."""
    frequency: dict[str, int] = {}
    for names in features:
        for name in names:
            frequency[name] = frequency.get(name, 0) + 1
    cut = max(MIN_DF_CUT, COMMON_SHARE * len(examples))
    skip = {name for name, n in frequency.items() if n > cut}
    query = example_features(text) - skip
    sides: dict[str, tuple[list[float], list[float]]] = {}
    for example, names in zip(examples, features, strict=True):
        indexed = names - skip
        overlap = len(indexed & query)
        if not overlap:
            continue
        similarity = overlap / math.sqrt(len(indexed) * len(query))
        if similarity >= MIN_SIMILARITY:
            confirmed, dismissed = sides.setdefault(example.tag, ([], []))
            (confirmed if example.confirmed else dismissed).append(similarity)
    found = {}
    for tag, (confirmed, dismissed) in sides.items():
        confirmed.sort(reverse=True)
        dismissed.sort(reverse=True)
        found[tag] = Evidence(tag, sum(confirmed[:NEIGHBOURS]) - sum(dismissed[:NEIGHBOURS]), len(confirmed),
                              len(dismissed), confirmed[0] if confirmed else 0.0)
    return found


def test_evidence_on_real_passages_is_what_the_rule_says():
    lines = shared_file("real/customer-text/passages.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    rnd = random.Random(5)
    rnd.shuffle(texts)
    examples = [Example(t, rnd.choice(TAGS), rnd.random() < 0.8) for t in texts[:400]]
    memory = ExampleMemory(examples[:300])
    memory.add(examples[300:])  # grown as a person decides: the index and sizes are worked out again
    asked = texts[400:700] + [examples[3].text]  # and one the memory holds itself
    found = [memory.evidence(t) for t in asked]
    assert sum(1 for f in found if f) > 50  # real neighbours, not a memory that never answers
    features = [example_features(e.text) for e in examples]
    for text, evidence in zip(asked, found, strict=True):
        expected = plain_evidence(examples, features, text)
        assert evidence.keys() == expected.keys(), text
        for tag, seen in evidence.items():
            want = expected[tag]
            assert (seen.confirmed, seen.dismissed) == (want.confirmed, want.dismissed), text
            assert math.isclose(seen.score, want.score, abs_tol=1e-12) and math.isclose(seen.best, want.best), text
