"""Redaction quality: how much ordinary customer text it changes, and how many personal-data shapes it masks.

Run: python bench/bench_redaction.py [passages.jsonl] [count]
The passages are real customer text (../shared/data/real/customer-text/); they were anonymised by their
publishers (XXXX), so nearly everything redaction changes in them is a false positive. Each change is
printed so a person can judge it.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "core"))

from pii_shapes import KNOWN_CUSTOMERS, NOT_PII, PII_SHAPES  # noqa: E402

from postmortem_desktop.reporting.redaction import Redactor  # noqa: E402

DEFAULT_PASSAGES = ROOT.parent / "shared" / "data" / "real" / "customer-text" / "passages.jsonl"


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PASSAGES
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    if not path.exists():
        print(f"no customer passages at {path}: measuring the shapes only")
        passages = []
    else:
        with path.open(encoding="utf-8") as handle:
            every = [json.loads(line)["text"] for line in handle]
        # spread over the whole file: its sources (complaints, app reviews, chats) come in blocks
        passages = every[::max(1, len(every) // count)][:count]
    redactor = Redactor(KNOWN_CUSTOMERS)
    started = time.perf_counter()
    changed_passages = masked_chars = total_chars = 0
    for text in passages:
        found = redactor.spans(text)
        total_chars += len(text)
        if found:
            changed_passages += 1
            masked_chars += sum(s.end - s.start for s in found)
            for s in found:
                print(f"  {s.kind:14} {text[max(0, s.start - 30):s.end + 20]!r}")
    elapsed = time.perf_counter() - started
    leaks = [text for text, fragments in PII_SHAPES
             if any(f in Redactor(KNOWN_CUSTOMERS).text(text) for f in fragments)]
    mangled = [text for text in NOT_PII if Redactor(KNOWN_CUSTOMERS).text(text) != text]
    if passages:
        print(f"passages: {len(passages)}; changed: {changed_passages} "
              f"({100 * changed_passages / len(passages):.1f}%); "
              f"characters masked: {masked_chars} of {total_chars} ({100 * masked_chars / max(total_chars, 1):.2f}%); "
              f"{1000 * elapsed / len(passages):.2f} ms a passage")
    print(f"recall on our shapes: {len(PII_SHAPES) - len(leaks)} of {len(PII_SHAPES)} masked; "
          f"look-alikes changed: {len(mangled)} of {len(NOT_PII)}")
    for text in leaks + mangled:
        print(f"  FAILED: {text!r}")
    return 0 if not leaks and not mangled else 1


if __name__ == "__main__":
    raise SystemExit(main())
