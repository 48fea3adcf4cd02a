"""Themes: light, dark and projector from QSS in resources/, system-following by default, relative type."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from postmortem_desktop.resources import resource_path
from ui import theme


@pytest.fixture
def manager(qapp):
    manager = theme.theme_manager(qapp)
    before = manager.snapshot()
    base = QFont(manager.base_font)
    yield manager
    manager.base_font = base
    manager.restore(before)


def window_is_dark() -> bool:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness() < 128


def test_system_choice_follows_the_desktop_colour_scheme(manager, monkeypatch):
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    assert manager.apply(theme.SYSTEM) == theme.DARK and window_is_dark()
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    manager._on_style_hints_color_scheme_changed(None)  # what Qt calls when the desktop switches
    assert manager.concrete == theme.LIGHT and not window_is_dark()


def test_an_explicit_choice_ignores_the_desktop_switching(manager, monkeypatch):
    manager.apply(theme.DARK)
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    manager._on_style_hints_color_scheme_changed(None)
    assert manager.concrete == theme.DARK and window_is_dark()


@pytest.mark.parametrize("name", [theme.LIGHT, theme.DARK, theme.PROJECTOR])
def test_each_theme_loads_its_style_sheet_without_parse_errors(manager, name, qtlog):
    manager.apply(name)
    sheet = QApplication.instance().styleSheet()
    assert sheet == resource_path("themes", f"{name}.qss").read_text(encoding="utf-8")
    label = QLabel("x")
    label.setProperty("clockPhase", "over")
    label.ensurePolished()
    assert not [m for m in qtlog.records if "parse" in m.message.lower()]


def test_projector_type_scales_with_the_system_font_size(manager):
    for system_size in (9.0, 14.0):
        font = QFont(manager.base_font)
        font.setPointSizeF(system_size)
        manager.base_font = font
        manager.apply(theme.PROJECTOR)
        assert QApplication.instance().font().pointSizeF() == pytest.approx(system_size * 1.4)
        manager.apply(theme.LIGHT)
        assert QApplication.instance().font().pointSizeF() == pytest.approx(system_size)


def test_existing_widgets_get_the_projector_type_too(manager, qtbot):
    label = QLabel("headline")
    qtbot.addWidget(label)
    manager.apply(theme.DARK)  # a style sheet is already set: the case Qt does not propagate by itself
    before = label.font().pointSizeF()
    manager.apply(theme.PROJECTOR)
    assert label.font().pointSizeF() == pytest.approx(before * 1.4)


def test_style_sheets_use_no_fixed_pixel_font_sizes():
    for name in ("light", "dark", "projector"):
        text = resource_path("themes", f"{name}.qss").read_text(encoding="utf-8")
        assert not re.search(r"font(-size)?\s*:[^;]*\d+px", text), name


def test_theme_menu_remembers_the_choice_and_follows_applied_themes(manager, qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    menu = theme.ThemeMenu(settings)
    qtbot.addWidget(menu)
    assert menu.choices[theme.SYSTEM].isChecked()
    with qtbot.waitSignal(manager.theme_applied):
        menu.choices[theme.DARK].trigger()
    assert settings.value(theme.SETTINGS_KEY) == theme.DARK and window_is_dark()
    assert theme.saved_choice(settings) == theme.DARK
    manager.apply(theme.PROJECTOR)
    assert menu.choices[theme.PROJECTOR].isChecked() and not menu.choices[theme.DARK].isChecked()


def test_an_unknown_saved_theme_falls_back_to_the_system_choice(tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(theme.SETTINGS_KEY, "neon")
    assert theme.saved_choice(settings) == theme.SYSTEM


def test_restoring_a_snapshot_puts_back_font_palette_and_sheet(manager):
    manager.apply(theme.LIGHT)
    snap = manager.snapshot()
    manager.apply(theme.PROJECTOR)
    manager.restore(snap)
    app = QApplication.instance()
    assert app.styleSheet() == snap.style_sheet and app.font() == snap.font and not window_is_dark()
