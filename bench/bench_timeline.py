"""Timeline budgets, measured through the real TimelineScreen offscreen with 10k and 100k conversations.

First paint ≤ 500 ms (10k) / ≤ 1.5 s (100k); viewport repaint ≤ 16 ms median at several zoom levels;
one zoom step ≤ 50 ms; memory for 100k < 600 MB. Conversations are generated with bulk SQL into a
temporary workspace. Run from the repo root: python bench/bench_timeline.py
`--team`: the same on a team workspace (a throwaway PostgreSQL cluster, seeded by COPY), same budgets.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIRST_PAINT_BUDGET_S = {10_000: 0.5, 100_000: 1.5}
REPAINT_BUDGET_S = 0.016
ZOOM_BUDGET_S = 0.050
MEMORY_BUDGET_MB = 600
SIZE = (1600, 900)
START = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)


def db_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def make_workspace(target: Path | str, count: int, seed: int = 4) -> int:
    """A workspace with one incident and `count` conversations spread over its 72-hour review window.

    target: a file (sqlite3 executemany) or a team workspace's URL (psycopg COPY).
    """
    from bench_seed import RowWriter

    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.storage.workspace import create_workspace

    ws = create_workspace(target)
    create = CreateIncident(title="Generated outage", technical_start=START,
                            technical_end=START + timedelta(minutes=40),
                            status_page_resolved=START + timedelta(minutes=45))
    create.do(ws)
    ws.close()
    rng = random.Random(seed)
    writer = RowWriter(target)
    tag_ids = [row[0] for row in writer.query("SELECT id FROM tags ORDER BY position")]
    channels = ("ticket", "chat", "call", "email", "internal")
    segments = ("Starter", "Growth", "Agency", "Enterprise", "")
    writer.write("customers", ("id", "name", "email", "phone", "organization", "segment"),
                 [(i, f"Customer {i}", f"c{i}@example.com", "", f"Org {i % 900}", segments[i % 5])
                  for i in range(1, 5001)])
    rows, quotes, tags = [], [], []
    for i in range(1, count + 1):
        # Most arrive in the hours after the failure, a long tail across the review window.
        offset = abs(rng.lognormvariate(8.2, 1.1)) if rng.random() < 0.85 else rng.uniform(-3600, 72 * 3600)
        first = START + timedelta(seconds=min(offset, 72 * 3600))
        last = first + timedelta(seconds=rng.expovariate(1 / 2400))
        rows.append((i, create.incident_id, f"G-{i}", channels[rng.randrange(5)], rng.randint(1, 5000),
                     f"Subject {i}", "", f"task {rng.randrange(12)}", "", False, "", db_time(first), db_time(last)))
        if rng.random() < 0.6:
            quotes.append((i, i, None, 0, 10, "quoted text", db_time(first)))
            tags.append((len(tags) + 1, rng.choice(tag_ids), i, None, "manual", "", db_time(first)))
    writer.write("conversations", ("id", "incident_id", "external_id", "channel", "customer_id", "subject", "status",
                                   "customer_task", "symptom", "pre_existing", "vendor_tags", "first_at", "last_at"),
                 rows)
    writer.write("quotes", ("id", "conversation_id", "message_id", "start", "end", "text", "created_at"), quotes)
    writer.write("tag_assignments", ("id", "tag_id", "quote_id", "message_id", "source", "phrase", "created_at"),
                 tags)
    writer.close()
    return create.incident_id


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def median_repaint(view, runs: int = 25) -> float:  # noqa: ANN001
    """Full redraw of the viewport (the item's pixmap cache invalidated each time: the honest worst case)."""
    times = []
    for _ in range(runs):
        view.item.update()
        start = time.perf_counter()
        view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(count: int, app, cluster_url: str | None = None) -> list[tuple[str, float, float, str]]:  # noqa: ANN001
    from postmortem_desktop.storage.workspace import open_workspace
    from ui.hub import ScreenHub
    from ui.timeline.timeline_screen import TimelineScreen
    from ui.undo import WorkspaceSession

    results = []
    with contextlib.ExitStack() as stack:
        if cluster_url is not None:
            from bench_seed import new_database

            path: Path | str = new_database(cluster_url)
        else:
            path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / f"bench_{count}.pmw"
        incident_id = make_workspace(path, count)
        hub = ScreenHub()
        screen = TimelineScreen(hub)
        screen.resize(*SIZE)
        screen.show()
        app.processEvents()
        hub.set_session(WorkspaceSession(open_workspace(path)), "UTC")
        app.processEvents()
        start = time.perf_counter()
        hub.set_incident(incident_id)  # loads the data, lays it out
        screen.view.viewport().repaint()
        first_paint = time.perf_counter() - start
        results.append((f"{count:>7,} first paint", first_paint, FIRST_PAINT_BUDGET_S[count], "s"))
        view, layout = screen.view, screen.layout_
        views = (("review window", None, None), ("incident", "fit", None), ("1 hour", 3600, 1800),
                 ("10 minutes", 600, 1800), ("20 minutes, 30 h later", 1200, 30 * 3600))
        for label, span, centre in views:
            if span is None:
                screen.fit_review_window()
            elif span == "fit":
                screen.fit_incident()
            else:
                view.show_range(START.timestamp() + centre - span / 2, START.timestamp() + centre + span / 2)
            app.processEvents()
            mode = "bins" if any(layout.row_uses_bins(r, layout.scale(view.geometry_()), layout.visible_total(
                layout.scale(view.geometry_()))) for r in layout.subrows) else "bars"
            results.append((f"{count:>7,} repaint, {label} ({mode})", median_repaint(view), REPAINT_BUDGET_S, "s"))
        screen.fit_review_window()
        zooms = []
        for k in range(12):
            start = time.perf_counter()
            view.zoom(1.25 if k < 6 else 0.8, SIZE[0] / 2)
            view.viewport().repaint()
            zooms.append(time.perf_counter() - start)
        results.append((f"{count:>7,} zoom step (median of 12)", statistics.median(zooms), ZOOM_BUDGET_S, "s"))
        results.append((f"{count:>7,} zoom step (worst of 12)", max(zooms), ZOOM_BUDGET_S, "s"))
        if count >= 100_000:
            current, peak = rss_mb()
            results.append((f"{count:>7,} memory (peak RSS)", peak, MEMORY_BUDGET_MB, "MB"))
        screen.close()
        hub.session.close()
    return results


def main() -> int:
    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--team", action="store_true",
                        help="on a team workspace (PostgreSQL) too, beside the file's figures of the same run; the "
                             "team's figures are held to the budgets")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with contextlib.ExitStack() as stack:
        cluster = None
        if args.team:
            from bench_seed import throwaway_cluster

            cluster = stack.enter_context(throwaway_cluster())
            print("team workspace (PostgreSQL, seeded by COPY); (file …): the same on a file, this run", flush=True)
        return report(app, cluster)


def report(app, cluster: str | None) -> int:  # noqa: ANN001
    def shown(value: float, unit: str) -> str:
        return f"{value * 1000:8.1f} ms" if unit == "s" else f"{value:8.1f} MB"

    missed = 0
    for count in (10_000, 100_000):
        on_file = measure(count, app)
        figures = measure(count, app, cluster) if cluster else on_file
        for (name, value, budget, unit), (_name, file_value, _budget, _unit) in zip(figures, on_file, strict=True):
            limit = (f"{budget * 1000:.0f} ms" if unit == "s" else f"{budget:.0f} MB")
            ok = value <= budget
            missed += not ok
            beside = f" (file {shown(file_value, unit)})" if cluster else ""
            print(f"{name:<44} {shown(value, unit)}{beside}   budget {limit:>8}   {'ok' if ok else 'MISSED'}",
                  flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
