"""Start-up: the window is painted before anything heavy is imported, then a first look shows the
workspace (incident list, timeline) before the storage layer loads, then the workspace opens."""
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
# what the first look may not wait for: the ORM, its drivers, the writers, the exporters
HEAVY_WHEN_SHOWN = ("sqlalchemy", "psycopg", "reportlab", "openpyxl", "python_calamine", "pypdfium2",
                    "postmortem_desktop.analysis", "postmortem_desktop.reporting",
                    "postmortem_desktop.storage.workspace", "postmortem_desktop.storage.schema",
                    "postmortem_desktop.services.timeline", "postmortem_desktop.services.incidents")
PACKAGES_WHEN_SHOWN = tuple(name + "." for name in HEAVY_WHEN_SHOWN)

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
    timeline = w.screen_widgets["timeline"] if w.screen_widgets.is_built("timeline") else None
    if not shown and w.incident_model.rowCount() and timeline is not None and timeline.layout_ is not None:
        shown.append(True)
        loaded = sorted(m for m in sys.modules if m in HEAVY_WHEN_SHOWN or m.startswith(PACKAGES_WHEN_SHOWN))
        print("when shown:", " ".join(loaded) or "-", "| open:", w.hub.session is not None, "| incidents:",
              w.incident_model.rowCount(), flush=True)
    if w.hub.session is not None and w.incident_model.rowCount():
        print("then incidents:", w.incident_model.rowCount(), "| timeline:",
              w.screen_widgets["timeline"].layout_ is not None, flush=True)
        app.quit()
shown = []
poll = QTimer(); poll.timeout.connect(check); poll.start(1)
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
    assert lines[1] == "when shown: - | open: False | incidents: 2", done.stdout
    assert lines[2] == "then incidents: 2 | timeline: True", done.stdout


def test_the_first_look_shows_what_the_opened_workspace_shows(qtbot, qapp, demo_copy, settings, monkeypatch):
    from postmortem_desktop.services.first_look import first_look
    from ui import app

    monkeypatch.setattr(app, "QSettings", lambda: settings)
    window = app.MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    look = first_look(demo_copy)
    assert look is not None
    assert window.show_first_look(look) is not None
    timeline = window.screen_widgets["timeline"]
    assert window.hub.session is None and timeline.layout_ is not None
    rows = [window.incident_model.summary(r) for r in range(window.incident_model.rowCount())]
    selected = window.incident_view.currentIndex().row()
    image = timeline.render_image(900, 500)
    assert not timeline.toolbar.isEnabled() and timeline.view.read_only  # nothing to edit before it is open

    assert window.open_path(demo_copy)
    assert [window.incident_model.summary(r) for r in range(window.incident_model.rowCount())] == rows
    assert len(rows) == 2 and window.incident_view.currentIndex().row() == selected == 0
    assert timeline.layout_.data == look.timeline
    assert timeline.render_image(900, 500) == image  # the same timeline, pixel for pixel
    assert timeline.toolbar.isEnabled() and not timeline.view.read_only
    window.close()


def test_a_window_that_is_never_painted_still_opens_its_workspace(qtbot, qapp, demo_copy, settings, monkeypatch):
    from ui import app

    monkeypatch.setattr(app, "QSettings", lambda: settings)
    window = app.build_window(qapp, str(demo_copy))  # built, never shown (a window opened minimised)
    qtbot.addWidget(window)
    assert window.hub.session is None
    qtbot.waitUntil(lambda: window.hub.session is not None and window.incident_model.rowCount() == 2,
                    timeout=app._AfterFirstPaint.FALLBACK_MS + 5000)
    window.close()


def test_an_incident_picked_in_the_first_look_stays_picked_once_the_workspace_is_open(qtbot, demo_copy, settings):
    from postmortem_desktop.services.first_look import first_look
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    look = first_look(demo_copy)
    assert look is not None
    window.show_first_look(look)
    second = window.incident_model.summary(1).id
    window.select_incident(second)  # clicked before the workspace was open
    assert window.open_path(demo_copy)
    assert window.hub.incident_id == second
    assert window.screen_widgets["timeline"].layout_.data.incident_id == second
    window.close()
