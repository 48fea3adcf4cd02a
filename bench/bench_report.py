"""Report budgets: the demo incident's PDF under 1.5 s; 2,000 quotes and 200 action items under 5 s.

Each figure is the whole export (read, redact, lay out, write), median of 3 runs, with the appendix
and redaction on. Also prints the XLSX figure for the large incident (budget: the same 5 s).
Run from the repo root: python bench/bench_report.py
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from postmortem_desktop.reporting import exports  # noqa: E402
from postmortem_desktop.services.demo import write_demo  # noqa: E402
from postmortem_desktop.storage.schema import (  # noqa: E402
    ActionItem,
    Conversation,
    Customer,
    Incident,
    Message,
    Quote,
    Tag,
    TagAssignment,
)
from postmortem_desktop.storage.workspace import create_workspace, open_workspace  # noqa: E402

DEMO_BUDGET_S = 1.5
LARGE_BUDGET_S = 5.0
RUNS = 3
WORDS = ("payment", "invoice", "charged", "twice", "receipt", "client", "card", "failed", "again", "waiting",
         "refund", "pay", "link", "page", "error", "bank", "transfer", "meeting", "deadline", "payroll")


T = TypeVar("T")


def _run(gen: Generator[object, None, T]) -> T:
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def _median(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _large_workspace(path: Path, quotes: int = 2000, actions: int = 200) -> int:
    rng = random.Random(7)
    ws = create_workspace(path)
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with ws.transaction() as s:
        tags = list(s.scalars(select(Tag)))
        inc = Incident(title="Large incident", service="api", technical_start=start,
                       technical_end=start + timedelta(minutes=90), status_page_resolved=start + timedelta(hours=2),
                       customer_damage="Customers could not pay invoices for most of the day.")
        s.add(inc)
        s.flush()
        customers = [Customer(name=f"Person{i} Surname{i}", email=f"p{i}@example.com", phone=f"555-{i % 10000:04d}",
                              organization=f"Org {i}", segment=rng.choice(("Starter", "Growth", "Enterprise")))
                     for i in range(400)]
        s.add_all(customers)
        s.flush()
        for i in range(quotes):
            at = start + timedelta(minutes=rng.randint(0, 24 * 60))
            who = rng.choice(customers)
            conv = Conversation(incident_id=inc.id, external_id=f"T-{i}",
                                channel=rng.choice(("ticket", "chat", "call")),
                                customer_id=who.id, first_at=at, last_at=at + timedelta(minutes=rng.randint(1, 90)))
            s.add(conv)
            s.flush()
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            text += f". {who.name.split()[0]} here, call me on {who.phone} or {who.email}."
            msg = Message(conversation_id=conv.id, at=at, author=who.name, text=text)
            s.add(msg)
            s.flush()
            quote = Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=len(text), text=text)
            s.add(quote)
            s.flush()
            for tag in rng.sample(tags, rng.randint(1, 2)):
                s.add(TagAssignment(tag_id=tag.id, quote_id=quote.id, source="manual"))
        for i in range(actions):
            s.add(ActionItem(incident_id=inc.id, area=("support", "product", "engineering", "operations")[i % 4],
                             description=" ".join(rng.choice(WORDS) for _ in range(12)), owner=f"Owner {i % 9}",
                             due_date=date(2026, 3, 9) + timedelta(days=i % 30)))
        incident_id = inc.id
    ws.close()
    return incident_id


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_demo(folder / "demo.pmw")
        ws = open_workspace(folder / "demo.pmw")
        with ws.reading() as s:
            demo_id = s.scalar(select(Incident.id).where(Incident.title.like("Billing%")))
        started = time.perf_counter()
        _run(exports.export_pdf(ws, demo_id, folder / "first.pdf"))  # registers fonts, fills caches
        first = time.perf_counter() - started
        demo = _median(lambda: _run(exports.export_pdf(ws, demo_id, folder / "demo.pdf")))
        ws.close()

        large_id = _large_workspace(folder / "large.pmw")
        ws = open_workspace(folder / "large.pmw")
        large = _median(lambda: _run(exports.export_pdf(ws, large_id, folder / "large.pdf")))
        large_xlsx = _median(lambda: _run(exports.export_xlsx(ws, large_id, folder / "large.xlsx")))
        from pypdf import PdfReader

        pages = len(PdfReader(str(folder / "large.pdf")).pages)
        ws.close()

    for label, value, budget in (("demo incident PDF, first in the process", first, DEMO_BUDGET_S),
                                 ("demo incident PDF", demo, DEMO_BUDGET_S),
                                 (f"2,000 quotes + 200 action items PDF ({pages} pages)", large, LARGE_BUDGET_S),
                                 ("2,000 quotes + 200 action items XLSX", large_xlsx, LARGE_BUDGET_S)):
        ok = value <= budget
        failures += not ok
        print(f"{label:<55} {value:6.2f} s   budget {budget:.1f} s   {'ok' if ok else 'MISSED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
