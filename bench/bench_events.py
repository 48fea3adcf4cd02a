"""System-lane import budgets (issue 17), measured on generated files in the shapes real tools write.

- A 200,000-line access log (a 20-minute 5xx storm inside normal traffic) and a 200,000-line ISO-stamped
  application log become burst events, read and stored, in ≤ 3 s each; peak memory ≤ 400 MB.
  Reference measured in the same run: reading the file and matching one regular expression per line
  (the least any line-by-line reader does), printed beside each figure with the ratio.
- A Slack export of 50,000 messages (an incident channel, 2,500 escalation threads, bot posts) is read,
  previewed and stored as conversations and events in ≤ 5 s, peak memory ≤ 400 MB. Reference: reading
  and json-parsing every member of the zip.
- The timeline's budgets hold afterwards: with 10,000 conversations and the imported events, first
  paint ≤ 500 ms and a repaint ≤ 16 ms (as bench_timeline.py).
Each import runs in a fresh child process so its peak memory (VmHWM) is its own.
Run from the repo root: python bench/bench_events.py
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LINES = 200_000
IMPORT_BUDGET_S = 3.0
SLACK_MESSAGES = 50_000
SLACK_BUDGET_S = 5.0
MEMORY_BUDGET_MB = 400
FIRST_PAINT_BUDGET_S = 0.5
REPAINT_BUDGET_S = 0.016
START = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)


def write_access_log(path: Path, seed: int = 17) -> None:
    """Four hours of traffic around START; from 10:21 to 10:40 a third of the requests fail with 5xx."""
    rng = random.Random(seed)
    t0 = START - timedelta(hours=1)
    step = 4 * 3600 / LINES
    with path.open("w", encoding="utf-8") as out:
        for i in range(LINES):
            at = t0 + timedelta(seconds=i * step)
            storm = START + timedelta(minutes=1) <= at <= START + timedelta(minutes=20)
            status = rng.choice((500, 502, 503, 200, 200, 200)) if storm else (200 if rng.random() > 0.001 else 404)
            out.write(f'10.{i % 250}.{i % 7}.{i % 200} - - [{at.strftime("%d/%b/%Y:%H:%M:%S +0000")}] '
                      f'"POST /checkout/submit?id={i} HTTP/1.1" {status} {rng.randint(200, 9000)} "-" '
                      f'"Mozilla/5.0 (X11; Linux x86_64)"\n')


def write_app_log(path: Path, seed: int = 18) -> None:
    rng = random.Random(seed)
    t0 = START - timedelta(hours=1)
    step = 4 * 3600 / LINES
    with path.open("w", encoding="utf-8") as out:
        for i in range(LINES):
            at = t0 + timedelta(seconds=i * step)
            storm = START <= at <= START + timedelta(minutes=40)
            level = "ERROR" if storm and rng.random() < 0.4 else "INFO"
            text = (f"payment gateway timeout after 60000 ms order={i}" if level == "ERROR"
                    else f"request handled in {rng.randint(5, 90)} ms order={i}")
            out.write(f"{at.strftime('%Y-%m-%d %H:%M:%S')},{i % 1000:03d} {level} [billing-api] {text}\n")


def write_slack_export(path: Path, seed: int = 19) -> None:
    """channels.json, users.json and per-day files: 20k incident-channel messages (5k of them bot posts),
    25k in 2,500 escalation threads, 5k elsewhere; three days from START."""
    import zipfile

    rng = random.Random(seed)
    users = [{"id": f"U{i}", "name": f"user{i}", "real_name": f"User {i}", "profile": {"display_name": ""}}
             for i in range(200)]
    days: dict[tuple[str, str], list] = {}

    def post(channel: str, minute: float, **fields) -> None:  # noqa: ANN003
        at = START + timedelta(minutes=minute)
        days.setdefault((channel, at.strftime("%Y-%m-%d")), []).append(
            dict(type="message", ts=f"{at.timestamp():.6f}", **fields))

    for i in range(20_000):
        if i % 4 == 0:
            post("inc-payments", i * 0.2, subtype="bot_message", username="PagerDuty", bot_id="B1",
                 text=f"Triggered #{i} Payment submit error rate above 25 %")
        else:
            post("inc-payments", i * 0.2 + 0.01, user=f"U{rng.randrange(200)}",
                 text=f"<@U{rng.randrange(200)}> looking at shard {i % 17} now &amp; rolling back")
    for t in range(2_500):
        root = t * 1.5
        for r in range(10):
            post("support-escalations", root + r * 0.1, user=f"U{rng.randrange(200)}", thread_ts=None,
                 text=f"Customer {t} says invoice {t * 10 + r} is still unpaid")
        days[("support-escalations", (START + timedelta(minutes=root)).strftime("%Y-%m-%d"))][-10]["reply_count"] = 9
    for items in days.values():  # thread replies name their root
        root_ts = None
        for m in items:
            if m.get("reply_count"):
                root_ts = m["ts"]
            if "thread_ts" in m:
                m["thread_ts"] = root_ts
    for i in range(5_000):
        post("general", i * 0.8, user=f"U{rng.randrange(200)}", text=f"unrelated chatter {i}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps([{"id": f"C{k}", "name": n} for k, n in
                                                       enumerate(("inc-payments", "support-escalations", "general"))]))
        for (channel, day), items in days.items():
            archive.writestr(f"{channel}/{day}.json", json.dumps(items))
    assert sum(len(v) for v in days.values()) == SLACK_MESSAGES


def slack_reference_seconds(path: Path) -> float:
    import zipfile

    start = time.perf_counter()
    with zipfile.ZipFile(path) as archive:
        count = sum(len(json.loads(archive.read(n))) for n in archive.namelist() if n.count("/") == 1)
    elapsed = time.perf_counter() - start
    assert count == SLACK_MESSAGES
    return elapsed


def reference_seconds(path: Path) -> float:
    """Read the file and match one regular expression per line: the floor for any line reader."""
    pattern = re.compile(r"^(\S+) .*?\[([^\]]+)\] \"[^\"]*\" (\d{3})|^(\S+ \S+) (\w+)")
    start = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    hits = sum(1 for line in text.splitlines() if pattern.match(line))
    elapsed = time.perf_counter() - start
    assert hits == LINES
    return elapsed


def child(workspace: str, log: str) -> None:
    """In a fresh process: read the file, store it (one undo step); print seconds, peak MB, events."""
    from postmortem_desktop.services.event_import import plan_file
    from postmortem_desktop.services.slack_import import SlackChoice, plan_slack_file
    from postmortem_desktop.storage.workspace import open_workspace

    ws = open_workspace(workspace)
    start = time.perf_counter()
    if log.endswith(".zip"):
        whole = plan_slack_file(ws, 1, log, SlackChoice(("inc-payments",), ("support-escalations",), True))
        plan = whole.events
        extra = {"conversations": len(whole.conversations),
                 "messages": sum(len(c.messages) for c in whole.conversations)}
    else:
        whole = plan = plan_file(ws, 1, log)
        extra = {}
    whole.command().do(ws)
    elapsed = time.perf_counter() - start
    ws.close()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so it would show the parent's size
    peak = next(int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    titles = [v["title"] for v in plan.new][:3]
    print(json.dumps({"seconds": elapsed, "peak_mb": peak, "events": len(plan.new), "titles": titles, **extra}))


def run_child(workspace: Path, log: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(workspace), str(log)], check=True,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return json.loads(out.stdout.strip().splitlines()[-1])


def timeline_after(path: Path, view: tuple[float, float] | None = None
                   ) -> tuple[list[tuple[str, float, float, str]], tuple[float, float]]:
    """First paint and repaint; the repaint over `view`, or over the fitted incident (returned for reuse)."""
    from PySide6.QtWidgets import QApplication

    from bench.bench_timeline import median_repaint
    from postmortem_desktop.storage.workspace import open_workspace
    from ui.hub import ScreenHub
    from ui.timeline.timeline_screen import TimelineScreen
    from ui.undo import WorkspaceSession

    app = QApplication.instance() or QApplication([])
    hub = ScreenHub()
    screen = TimelineScreen(hub)
    screen.resize(1600, 900)
    screen.show()
    app.processEvents()
    hub.set_session(WorkspaceSession(open_workspace(path)), "UTC")
    app.processEvents()
    start = time.perf_counter()
    hub.set_incident(1)
    screen.view.viewport().repaint()
    first = time.perf_counter() - start
    # the incident as fitted before the imports, both times: fitting afterwards would widen with the
    # imported conversations, and a wider view is a different measurement
    if view is None:
        screen.fit_incident()
        view = (screen.layout_.t0, screen.layout_.t1)
    else:
        screen.view.show_range(*view)
    app.processEvents()
    repaint = median_repaint(screen.view)
    events = len(screen.layout_.data.events)
    conversations = len(screen.layout_.data.conversations.ids)
    screen.close()
    hub.session.close()
    return [(f"timeline first paint ({conversations:,} conversations, {events:,} events)", first,
             FIRST_PAINT_BUDGET_S, "s"),
            ("timeline repaint, incident view (median)", repaint, REPAINT_BUDGET_S, "s")], view


def main() -> int:
    from bench.bench_timeline import make_workspace

    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workspace = folder / "bench.pmw"
        make_workspace(workspace, 10_000)
        before, view = timeline_after(workspace)  # the reference: the same screen before any import
        for name, write in (("access log", write_access_log), ("ISO app log", write_app_log)):
            log = folder / f"{name.replace(' ', '_')}.log"
            write(log)
            floor = reference_seconds(log)
            result = run_child(workspace, log)
            print(f"{name}: {LINES:,} lines → {result['events']} burst events, e.g. {result['titles'][:1]}")
            print(f"  reference (read + one regex per line): {floor * 1000:.0f} ms; import is "
                  f"{result['seconds'] / floor:.1f}x the reference")
            rows.append((f"{LINES:,}-line {name} → bursts, stored", result["seconds"], IMPORT_BUDGET_S, "s"))
            rows.append((f"{LINES:,}-line {name} peak memory", result["peak_mb"], MEMORY_BUDGET_MB, "MB"))
        slack = folder / "slack-export.zip"
        write_slack_export(slack)
        floor = slack_reference_seconds(slack)
        result = run_child(workspace, slack)
        print(f"Slack export: {SLACK_MESSAGES:,} messages → {result['events']:,} bot events, "
              f"{result['conversations']:,} conversations with {result['messages']:,} messages")
        print(f"  reference (read + json-parse every member): {floor * 1000:.0f} ms; import is "
              f"{result['seconds'] / floor:.1f}x the reference")
        rows.append((f"{SLACK_MESSAGES:,}-message Slack export, stored", result["seconds"], SLACK_BUDGET_S, "s"))
        rows.append((f"{SLACK_MESSAGES:,}-message Slack export peak memory", result["peak_mb"], MEMORY_BUDGET_MB,
                     "MB"))
        after, _view = timeline_after(workspace, view)
        for (name, value, _b, _u), (_n, was, _b2, _u2) in zip(after, before, strict=True):
            print(f"  {name}: {value * 1000:.1f} ms after the imports, {was * 1000:.1f} ms before (reference)")
        rows += after
    missed = 0
    for name, value, budget, unit in rows:
        shown = f"{value * 1000:8.1f} ms" if unit == "s" else f"{value:8.1f} MB"
        limit = f"{budget * 1000:.0f} ms" if unit == "s" else f"{budget:.0f} MB"
        ok = value <= budget
        missed += not ok
        print(f"{name:<58} {shown}   budget {limit:>8}   {'ok' if ok else 'MISSED'}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
