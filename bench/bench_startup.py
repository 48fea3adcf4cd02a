"""Startup budget: main window with the demo workspace shown within 1.0 s median (whole process).

Prints the app's figure beside a bare QApplication + QMainWindow measured the same way, same run.
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
BUDGET_S = 1.0
RUNS = 7

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show()
app.processEvents()
print("shown", flush=True)
"""

APP = """
import sys
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from ui.app import build_window
app = QApplication([])
app.setOrganizationName("postmortem-desktop-bench")
w = build_window(app, {workspace!r})
w.show()
app.processEvents()
assert w.incident_model.rowCount() > 0
print("shown", flush=True)
"""


def time_to_shown(code: str, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    if line.strip() != "shown" or proc.returncode != 0:
        raise SystemExit(f"child failed (exit {proc.returncode})")
    return elapsed


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from postmortem_desktop.services.demo import write_demo

    tmp = Path(tempfile.mkdtemp())
    workspace = tmp / "demo.pmw"
    write_demo(workspace)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
               XDG_STATE_HOME=str(tmp / "state"))
    time_to_shown(BARE, env)  # warm the OS file cache for both
    bare = [time_to_shown(BARE, env) for _ in range(RUNS)]
    app = [time_to_shown(APP.format(root=str(ROOT), workspace=str(workspace)), env) for _ in range(RUNS)]
    bare_med, app_med = statistics.median(bare), statistics.median(app)
    print(f"bare QApplication + QMainWindow shown: median {bare_med * 1000:6.0f} ms  (reference)")
    print(f"main window with demo workspace shown: median {app_med * 1000:6.0f} ms  "
          f"budget {BUDGET_S * 1000:.0f} ms  -> {'ok' if app_med <= BUDGET_S else 'OVER BUDGET'}")
    print(f"app over bare: {(app_med - bare_med) * 1000:.0f} ms")
    return 0 if app_med <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
