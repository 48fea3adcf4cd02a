"""Start-up: the window is painted before anything heavy is imported, then the workspace opens."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this test process has long imported everything.
CHILD = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from ui.app import build_window

HEAVY = ("sqlalchemy", "reportlab", "openpyxl", "python_calamine", "pypdfium2", "postmortem_desktop.analysis",
         "postmortem_desktop.storage", "postmortem_desktop.services", "postmortem_desktop.reporting")

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            loaded = sorted({m.split(".")[0] if not m.startswith("postmortem") else ".".join(m.split(".")[:2])
                             for m in sys.modules if m.startswith(HEAVY)})
            print("at first paint:", " ".join(loaded) or "-", "| incidents:", w.incident_model.rowCount(), flush=True)
        return False

app = QApplication([])
app.setOrganizationName("postmortem-desktop-test")
w = build_window(app, sys.argv[1])
first = FirstPaint()
w.installEventFilter(first)
w.show()

def check():
    if w.hub.session is not None and w.incident_model.rowCount():
        print("then incidents:", w.incident_model.rowCount(), "| timeline:",
              w.screen_widgets["timeline"].layout_ is not None, flush=True)
        app.quit()
poll = QTimer(); poll.timeout.connect(check); poll.start(5)
QTimer.singleShot(30000, app.quit)
app.exec()
"""


def test_the_window_is_painted_before_the_storage_layer_is_imported_then_the_workspace_opens(demo_copy, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CHILD, str(demo_copy)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[0] == "at first paint: - | incidents: 0", done.stdout
    assert lines[1] == "then incidents: 2 | timeline: True", done.stdout


def test_a_window_that_is_never_painted_still_opens_its_workspace(qtbot, qapp, demo_copy, settings, monkeypatch):
    from ui import app

    monkeypatch.setattr(app, "QSettings", lambda: settings)
    window = app.build_window(qapp, str(demo_copy))  # built, never shown (a window opened minimised)
    qtbot.addWidget(window)
    assert window.hub.session is None
    qtbot.waitUntil(lambda: window.hub.session is not None and window.incident_model.rowCount() == 2,
                    timeout=app._AfterFirstPaint.FALLBACK_MS + 5000)
    window.close()
