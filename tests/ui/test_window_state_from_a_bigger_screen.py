"""A window state saved on a 1920x1080 screen, the app started on a 1280x720 one: facilitator mode and every
theme change keep the process alive (it used to die with a segfault in ThemeManager._set_look).

Each run is a fresh interpreter on an offscreen screen of the size asked for, so a segfault fails the test
instead of killing pytest, and the screen size is the one of the report (the offscreen screen is 800x800).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# argv: "save" or "check", the workspace file, "as-reported", "events-first" or "reader" (check only)
CHILD = """
import faulthandler, sys
faulthandler.enable()
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from ui.app import APP_NAME
from ui.main_window import MainWindow
from ui.theme import theme_manager

app = QApplication([])
app.setOrganizationName("postmortem-desktop")
app.setApplicationName(APP_NAME)
phase, workspace = sys.argv[1], sys.argv[2]
window = MainWindow(QSettings())  # where the app keeps its settings: under XDG_CONFIG_HOME
assert window.open_path(workspace)
window.show()

def wait(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

def say(*words):
    print(*words, flush=True)

reader = window.docks["reader"]
if phase == "save":
    reader.show()  # opened at a width of the person's choosing
    window.resizeDocks([reader], [480], Qt.Orientation.Horizontal)
    wait(100)
    window.close()  # remembers the geometry and the docks, as on quitting
    say("saved", window.screen().geometry().width())
    sys.exit(0)

if sys.argv[3] == "reader":  # a conversation opened a moment after start-up
    wait(300)
    reader.show()
    wait(100)
    say("reader", reader.width())
    sys.exit(0)
if sys.argv[3] == "events-first":  # the window laid out once before F5, yet within moments of opening
    app.processEvents()
manager = theme_manager()
fonts = lambda: (app.font().pointSizeF(), window.incident_view.font().pointSizeF())
say("screen", window.screen().geometry().width(), window.screen().geometry().height())
manager.apply("system")
say("outside the mode", manager.concrete, *fonts())
QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the desktop's scheme changed
say("system scheme followed", manager.concrete)
window.facilitator.start()
manager.apply("light")  # a theme change in facilitator mode: where the process died
say("in the mode", manager.concrete, *fonts(), window.facilitator.notes.edit.font().pointSizeF())
wait(50)
stage, (header, notes) = window.centralWidget(), window.facilitator._docks
say("stage", stage is window.facilitator.stage, stage.height() > 200, header.isVisible(), notes.isVisible(),
    header.y() == 0, header.geometry().bottom() < stage.y(), stage.geometry().bottom() < notes.y(),
    notes.geometry().bottom() == window.height() - 1)
window.facilitator.stop()
wait(50)
say("left the mode", manager.choice, manager.concrete, window.isFullScreen(), window.incidents_dock.isVisible(),
    window.incidents_dock.width() > 100, window.centralWidget() is window._central)
manager.apply("projector")
QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
say("after leaving", manager.concrete, *fonts())
window.facilitator.start()
wait(50)
window.facilitator.stop()
wait(50)
say("again", manager.concrete, window.centralWidget() is window._central)
"""


def _run(args: list[str], config_home: Path, screen: tuple[int, int], tmp_path: Path) -> list[str]:
    width, height = screen
    # the offscreen platform's screens are set by a JSON file (Qt's offscreen plugin, configfile=)
    layout = tmp_path / f"screen-{width}x{height}.json"
    layout.write_text(json.dumps({"screens": [{"name": "projector", "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                               "dpr": 1}]}), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={layout}", XDG_CONFIG_HOME=str(config_home),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout.splitlines()


def _saved_on_a_big_screen(demo_copy: Path, tmp_path: Path) -> Path:
    config = tmp_path / "config"
    assert _run(["save", str(demo_copy)], config, (1920, 1080), tmp_path) == ["saved 1920"]
    assert (config / "postmortem-desktop" / "Postmortem Desktop.conf").is_file()
    return config


@pytest.mark.parametrize("when", ["as-reported", "events-first"])
def test_facilitator_mode_and_theme_changes_survive_a_state_saved_on_a_bigger_screen(demo_copy, tmp_path, when):
    config = _saved_on_a_big_screen(demo_copy, tmp_path)
    lines = _run(["check", str(demo_copy), when], config, (1280, 720), tmp_path)
    assert lines[0] == "screen 1280 720"
    outside = lines[1].split()
    assert outside[:4] == ["outside", "the", "mode", "light"] and outside[4] == outside[5]  # the list has the font
    assert lines[2] == "system scheme followed light"  # the offscreen desktop is light
    in_mode = lines[3].split()
    assert in_mode[:4] == ["in", "the", "mode", "light"]
    assert in_mode[4] == in_mode[5] == in_mode[6]  # the theme's font reached the list and the notes field
    # the room view fills the screen between the step header at the top and the notes at the bottom
    assert lines[4] == "stage True True True True True True True True"
    assert lines[5] == "left the mode system light False True True True"  # the theme and the window as they were
    after = lines[6].split()
    assert after[:3] == ["after", "leaving", "projector"]
    assert float(after[3]) == pytest.approx(float(outside[4]) * 1.4, abs=0.51) and after[3] == after[4]
    assert lines[7] == "again projector True"
    assert len(lines) == 8


def test_the_reader_comes_back_at_its_remembered_width_on_a_smaller_screen(demo_copy, tmp_path):
    # the same cause: Qt's late copy of the state put back the docks as they were before the reader was built
    config = _saved_on_a_big_screen(demo_copy, tmp_path)
    lines = _run(["check", str(demo_copy), "reader"], config, (1280, 720), tmp_path)
    width = int(lines[-1].removeprefix("reader "))
    assert abs(width - 480) <= 10, lines  # it came back 100 px wide
