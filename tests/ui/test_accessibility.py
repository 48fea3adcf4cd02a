"""Every interactive widget on every registered screen, dock and strip says what it is to a screen reader."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ui import screens

INTERACTIVE = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QPlainTextEdit,
               QTextEdit, QAbstractSlider, QGraphicsView)

#: unnamed widgets tolerated for now, as "screen key: class(object name)"; it is empty and may
#: only stay so: a new unnamed widget fails the test.
KNOWN_UNNAMED: set[str] = set()


def _buddied(root: QWidget) -> set[int]:
    """Widgets a label points at (QFormLayout rows and &-mnemonic labels): the label names them."""
    return {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}


def _has_name(widget: QWidget, buddied: set[int]) -> bool:
    if widget.accessibleName().strip() or id(widget) in buddied:
        return True
    if isinstance(widget, QAbstractButton) and (widget.text().strip() or widget.toolTip().strip()):
        return True
    if isinstance(widget, QLineEdit) and widget.placeholderText().strip():
        return True
    return False


def _is_internal(widget: QWidget) -> bool:
    """Qt's own parts of a compound widget (a spin box's line edit, a field's clear button, tab scrollers)."""
    if isinstance(widget, QHeaderView):  # a table's header is announced with its table
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QTabBar, QLineEdit)):
            return True
        parent = parent.parentWidget()
    return widget.objectName().startswith("qt_") or isinstance(widget, QAbstractSlider) and \
        widget.parentWidget() is not None and widget.parentWidget().objectName().startswith("qt_scrollarea")


def unnamed_widgets(key: str, root: QWidget) -> list[str]:
    buddied = _buddied(root)
    found = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, INTERACTIVE) and not _is_internal(widget) and not _has_name(widget, buddied):
            found.append(f"{key}: {type(widget).__name__}({widget.objectName()})")
    return sorted(set(found))


def registered_keys() -> list[str]:
    return ([key for key, _t, _n in screens.SCREENS] + [key for key, _t, _n, _a in screens.DOCKS]
            + [key for key, _t in screens.STRIPS])


def test_every_registered_screen_dock_and_strip_names_its_interactive_widgets(main_window):
    offenders: list[str] = []
    for key in registered_keys():
        offenders += unnamed_widgets(key, main_window.screen_widgets[key])
    new = sorted(set(offenders) - KNOWN_UNNAMED)
    assert new == [], "interactive widgets without an accessible name or text:\n" + "\n".join(new)
    fixed = sorted(KNOWN_UNNAMED - set(offenders))
    assert fixed == [], f"now named, take them off KNOWN_UNNAMED: {fixed}"


def test_the_walk_would_catch_an_unnamed_field(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    QLineEdit(root)
    named = QLineEdit(root)
    named.setAccessibleName("Owner")
    assert unnamed_widgets("probe", root) == ["probe: QLineEdit()"]


def test_facilitator_overlay_names_its_fields_and_clocks(main_window, qtbot):
    controller = main_window.facilitator
    with qtbot.waitSignal(controller.mode_started):
        controller.start()
    assert unnamed_widgets("facilitator", controller.header) == []
    assert unnamed_widgets("facilitator", controller.notes) == []
    assert controller.notes.edit.accessibleName() == "Notes for this step"
    assert controller.header.step_clock.accessibleName() and controller.header.total_clock.accessibleName()
    with qtbot.waitSignal(controller.mode_ended):
        controller.stop()
