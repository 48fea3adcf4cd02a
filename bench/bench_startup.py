"""Start-up budgets, whole process, median of 7, against a bare window measured the same way in the same run.

- first paint: the main window on screen (menus, incident list, tabs) within 3x a bare
  QApplication + QMainWindow's first paint;
- workspace shown: the demo workspace's incidents listed and its timeline drawn within 3x the bare
  window's first paint (issue 16), whether or not the workspace has been opened for writing yet.

Children run as an installed app does: bytecode compiled once (into a temporary cache, so a
PYTHONDONTWRITEBYTECODE in the shell does not make every run compile the tree from source).
Run from the repo root: python bench/bench_startup.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAINT_OVER_BARE = 3.0
SHOWN_OVER_BARE = 3.0
RUNS = 7

# Both children say "painted" when their window's first paint is done (the next turn of the event loop).
FIRST_PAINT = """
from PySide6.QtCore import QEvent, QObject, QTimer
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: print("painted", flush=True))
        return False
first_paint = FirstPaint()
"""

BARE = FIRST_PAINT + """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800)
w.installEventFilter(first_paint)
w.show()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, app.quit))
QTimer.singleShot(5000, app.quit)
app.exec()
"""

APP = FIRST_PAINT + """
import sys
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from ui.app import build_window
app = QApplication([])
app.setOrganizationName("postmortem-desktop-bench")
w = build_window(app, {workspace!r})
w.installEventFilter(first_paint)
w.show()

def shown():
    # what the person sees, not how far opening has got: the rows listed and the timeline laid out
    timeline = w.screen_widgets["timeline"] if w.screen_widgets.is_built("timeline") else None
    if w.incident_model.rowCount() > 0 and timeline is not None and timeline.layout_ is not None:
        poll.stop()
        w.repaint()  # the list and the timeline drawn
        print("shown", flush=True)
        app.quit()
poll = QTimer(); poll.setInterval(1); poll.timeout.connect(shown); poll.start()
QTimer.singleShot(20000, app.quit)
app.exec()
"""


def run_child(code: str, env: dict, marks: tuple[str, ...]) -> list[float]:
    """Seconds from the process start to each mark printed by the child."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    times = []
    for mark in marks:
        line = proc.stdout.readline()
        if line.strip() != mark:
            proc.kill()
            raise SystemExit(f"child said {line.strip()!r}, expected {mark!r}")
        times.append(time.perf_counter() - start)
    proc.wait(timeout=60)
    if proc.returncode != 0:
        raise SystemExit(f"child failed (exit {proc.returncode})")
    return times


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from postmortem_desktop.services.demo import write_demo

    tmp = Path(tempfile.mkdtemp())
    workspace = tmp / "demo.pmw"
    write_demo(workspace)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), PYTHONPYCACHEPREFIX=str(tmp / "pyc"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
               XDG_STATE_HOME=str(tmp / "state"))
    app_code = APP.format(root=str(ROOT), workspace=str(workspace))
    run_child(BARE, env, ("painted",))  # warm the OS file cache and the bytecode cache for both
    run_child(app_code, env, ("painted", "shown"))
    bare = [run_child(BARE, env, ("painted",))[0] for _ in range(RUNS)]
    app = [run_child(app_code, env, ("painted", "shown")) for _ in range(RUNS)]
    load = os.getloadavg()[0]  # the machine may be shared: read the figures beside it
    bare_med = statistics.median(bare)
    paint_med = statistics.median(t[0] for t in app)
    shown_med = statistics.median(t[1] for t in app)
    paint_ok = paint_med <= PAINT_OVER_BARE * bare_med
    shown_ok = shown_med <= SHOWN_OVER_BARE * bare_med
    print(f"bare QApplication + QMainWindow first paint:  median {bare_med * 1000:6.0f} ms  (reference)")
    print(f"main window first paint:                      median {paint_med * 1000:6.0f} ms  "
          f"= {paint_med / bare_med:.1f}x bare, budget {PAINT_OVER_BARE:.0f}x  -> {'ok' if paint_ok else 'MISSED'}")
    print(f"demo workspace shown (incidents, timeline):   median {shown_med * 1000:6.0f} ms  "
          f"= {shown_med / bare_med:.1f}x bare, budget {SHOWN_OVER_BARE:.0f}x  "
          f"-> {'ok' if shown_ok else 'MISSED'}")
    print(f"load average (1 min) during the runs:         {load:.2f}")
    return 0 if paint_ok and shown_ok else 1


if __name__ == "__main__":
    sys.exit(main())
