"""`postmortem-desktop --self-check` passes on the source tree and would notice a blank screen."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from ui import screens
from ui.self_check import MIN_COLOURS, SelfCheck, distinct_colours

ROOT = Path(__file__).resolve().parents[2]


def test_self_check_of_the_source_tree_passes_every_check(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "ui.app", "--self-check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    keys = ([k for k, _t, _n in screens.SCREENS] + [k for k, _t, _n, _a in screens.DOCKS]
            + [k for k, _ in screens.STRIPS])
    for key in keys:
        assert any(line.startswith("ok") and f"screen {key} " in line for line in lines), key
    for name in ("resources", "keyring", "demo workspace", "themes", "facilitator mode", "PDF export",
                 "workbook preview in the capped helper"):
        assert any(line.startswith("ok") and f"  {name} " in line for line in lines), name
    assert lines[-1].startswith("self-check passed")


def test_a_flat_image_counts_as_blank():
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    assert distinct_colours(image) < MIN_COLOURS
    image.setPixelColor(199, 99, QColor("black"))
    image.setPixelColor(0, 0, QColor("red"))
    assert distinct_colours(image) >= MIN_COLOURS


def test_a_failing_check_is_reported_and_makes_the_exit_code_non_zero(tmp_path, qapp):
    lines: list[str] = []
    check = SelfCheck(tmp_path, lines.append)

    def broken() -> str:
        raise FileNotFoundError("resource missing: themes/dark.qss")

    assert check.check("resources", broken) is False
    assert lines[0].startswith("FAIL  resources") and "dark.qss" in lines[0]
    assert check.results == [("resources", False, check.results[0][2])]


def test_the_keyring_check_fails_when_a_build_lost_keyrings_backends(tmp_path, monkeypatch):
    import pytest

    from postmortem_desktop.storage import team_passwords
    from ui.self_check import CheckFailed

    check = SelfCheck(tmp_path, lambda _line: None)
    assert check.keyring().startswith("backends found")
    monkeypatch.setattr(team_passwords, "keyring_backend_names", lambda: {"chainer"})  # no package metadata
    with pytest.raises(CheckFailed, match="SecretService, Windows, macOS backends"):
        check.keyring()
