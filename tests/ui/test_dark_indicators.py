"""Tick boxes and radio buttons are visible in the dark theme, disabled ones too: the reviewer found them barely
visible, and a disabled tick box's outline (the close-out record's "No trust signals were seen" when read-only)
almost invisible, because Fusion outlines them in the window colour made darker."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QRadioButton

from postmortem_desktop.domain.contrast import contrast_ratio
from ui.theme import DARK, theme_manager


@pytest.fixture
def themed(qapp):
    before = theme_manager(qapp).snapshot()
    yield theme_manager(qapp).apply
    theme_manager(qapp).restore(before)


def _strongest_contrast(widget) -> float:
    """The most any pixel of the widget stands out from its window colour (WCAG's ratio)."""
    window = widget.palette().color(QPalette.ColorRole.Window).name()
    image = widget.grab().toImage()
    colours = {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}
    return max(contrast_ratio(QColor(colour).name(), window) for colour in colours)


@pytest.mark.parametrize("kind", [QCheckBox, QRadioButton])
@pytest.mark.parametrize("enabled", [True, False])
def test_an_unticked_indicator_stands_out_from_the_dark_window_at_least_3_to_1(qtbot, themed, kind, enabled):
    themed(DARK)
    box = kind("")  # the indicator alone: no text to lend it contrast
    qtbot.addWidget(box)
    box.setEnabled(enabled)
    box.show()
    qtbot.waitExposed(box)
    assert _strongest_contrast(box) >= 3.0  # WCAG's least for the parts of a control
