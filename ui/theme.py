"""Themes: light, dark (following the system by default) and projector, from QSS files in resources/."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionDockWidget,
    QStylePainter,
    QWidget,
)

from postmortem_desktop.resources import resource_path

SETTINGS_KEY = "appearance/theme"
SYSTEM, LIGHT, DARK, PROJECTOR = "system", "light", "dark", "projector"
#: menu order and labels; "system" picks light or dark from the desktop's colour scheme
THEME_LABELS = {SYSTEM: "&System (light or dark)", LIGHT: "&Light", DARK: "&Dark", PROJECTOR: "&Projector"}
#: text size relative to the system font, so a user who enlarged their desktop font keeps that
FONT_SCALE = {LIGHT: 1.0, DARK: 1.0, PROJECTOR: 1.4}

# (role, light-on-dark colour) for the dark palette; the projector is black on white at full contrast
_DARK = {
    QPalette.ColorRole.Window: "#23262b", QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1b1d21", QPalette.ColorRole.AlternateBase: "#2a2d33",
    QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#2f3238",
    QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#2f6bd0",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2f3238",
    QPalette.ColorRole.ToolTipText: "#e8e8e8", QPalette.ColorRole.PlaceholderText: "#9a9ea6",
    QPalette.ColorRole.Link: "#8ab4ff", QPalette.ColorRole.LinkVisited: "#c79bff",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Mid: "#4a4e56", QPalette.ColorRole.Dark: "#15171a", QPalette.ColorRole.Light: "#3a3e45",
}
_PROJECTOR = {
    QPalette.ColorRole.Window: "#ffffff", QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f0f0f0",
    QPalette.ColorRole.Text: "#000000", QPalette.ColorRole.Button: "#f2f2f2",
    QPalette.ColorRole.ButtonText: "#000000", QPalette.ColorRole.Highlight: "#0040c0",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffe0",
    QPalette.ColorRole.ToolTipText: "#000000", QPalette.ColorRole.PlaceholderText: "#505050",
    QPalette.ColorRole.Link: "#0030a0", QPalette.ColorRole.LinkVisited: "#500080",
    QPalette.ColorRole.BrightText: "#b00020", QPalette.ColorRole.Mid: "#606060",
}
# the light theme keeps the platform's palette except where its text falls short of WCAG AA: Fusion's
# white on its pale blue selection (3.7:1), its magenta visited links (3.1:1) and white "bright" text
_LIGHT = {
    QPalette.ColorRole.Highlight: "#1f6aa8", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.LinkVisited: "#6a1b9a", QPalette.ColorRole.BrightText: "#b00020",
}
_DISABLED_TEXT = {DARK: "#80848c", PROJECTOR: "#606060"}
#: the outline of a tick box or radio button on a dark window (IndicatorOutlineStyle): 3:1 or more on the window
#: and on the base even when disabled, the enabled one plainly brighter
INDICATOR_OUTLINE = {True: "#a8acb4", False: "#70747c"}  # enabled, disabled
#: the colours each theme sets on top of the platform's palette
DEFINED_COLOURS = {LIGHT: _LIGHT, DARK: _DARK, PROJECTOR: _PROJECTOR}

_R = QPalette.ColorRole
#: the backgrounds each text role is drawn on (Qt's own pairing of roles); tests/ui/test_theme_contrast.py
#: measures every pair in every theme against WCAG AA, and fails on a role that is in neither table
TEXT_ON = {
    _R.WindowText: (_R.Window, _R.AlternateBase), _R.Text: (_R.Base, _R.AlternateBase),
    _R.ButtonText: (_R.Button,), _R.HighlightedText: (_R.Highlight,), _R.ToolTipText: (_R.ToolTipBase,),
    _R.PlaceholderText: (_R.Base, _R.AlternateBase), _R.Link: (_R.Base, _R.Window),
    _R.LinkVisited: (_R.Base, _R.Window), _R.BrightText: (_R.Window, _R.Base),
}
#: roles that are fills, frames and bevels, never text
NOT_TEXT = frozenset({_R.Window, _R.Base, _R.AlternateBase, _R.Button, _R.Highlight, _R.ToolTipBase, _R.Mid,
                      _R.Dark, _R.Light, _R.Midlight, _R.Shadow, _R.Accent, _R.NoRole})


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(name: str) -> str:
    """The concrete theme ("light", "dark" or "projector") a theme choice stands for now."""
    if name == SYSTEM:
        return DARK if system_is_dark() else LIGHT
    return name if name in FONT_SCALE else LIGHT


def style_sheet(concrete: str) -> str:
    return resource_path("themes", f"{concrete}.qss").read_text(encoding="utf-8")


def palette_for(concrete: str, app: QApplication) -> QPalette:
    colours = DEFINED_COLOURS.get(concrete, _LIGHT)
    palette = QPalette(app.style().standardPalette())
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    if concrete not in _DISABLED_TEXT:
        return palette
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT[concrete]))
    return palette


class IndicatorOutlineStyle(QProxyStyle):
    """The platform's style, with tick boxes and radio buttons outlined where the window is dark.

    Fusion outlines them in the window colour made darker, which on the dark theme's window is all but black on
    black: the boxes were barely visible, and a disabled one's outline (the close-out record's read-only ticks) not
    at all. A palette cannot say it (Fusion derives the outline from the window colour), and a style sheet that
    draws the indicator must also draw its tick."""

    _OUTLINED = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in self._OUTLINED or option.palette.color(QPalette.ColorRole.Window).lightness() >= 128:
            return
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(INDICATOR_OUTLINE[enabled]), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        side = min(option.rect.width(), option.rect.height())
        box = QRectF(option.rect.x(), option.rect.y(), side, side).adjusted(0.5, 0.5, -1.5, -1.5)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(box)
        else:
            painter.drawRoundedRect(box, 1.0, 1.0)
        painter.restore()


@dataclass(frozen=True)
class ThemeSnapshot:
    choice: str
    font: QFont
    palette: QPalette
    style_sheet: str


class ThemeManager(QObject):
    """Applies a theme to the whole application and keeps "system" in step with the desktop."""

    #: a theme was applied: (the choice, e.g. "system"; the concrete theme, e.g. "dark")
    theme_applied = Signal(str, str)

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.setObjectName("theme_manager")
        self.app = app
        self.choice = ""
        self.concrete = ""
        # the system font as the desktop gave it, before any theme scaled it
        self.base_font = QFont(app.font())
        # kept here: the application does not own a style made in Python
        current = app.style()  # the platform's, unless a proxy of it was set already (its name is then empty)
        base = current.baseStyle() if isinstance(current, QProxyStyle) else current
        self.style = IndicatorOutlineStyle(QStyleFactory.create(base.name()))
        app.setStyle(self.style)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)

    def apply(self, choice: str) -> str:
        concrete = resolve(choice)
        self.choice = choice if choice in THEME_LABELS else SYSTEM
        self.concrete = concrete
        font = QFont(self.base_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(self.base_font.pointSizeF() * FONT_SCALE[concrete])
        else:  # a pixel-sized system font: scale the pixels instead
            font.setPixelSize(round(self.base_font.pixelSize() * FONT_SCALE[concrete]))
        self._set_look(font, palette_for(concrete, self.app), style_sheet(concrete))
        self.theme_applied.emit(self.choice, concrete)
        return concrete

    def _set_look(self, font: QFont, palette: QPalette, sheet: str) -> None:
        # a widget under a style sheet ignores a new application font, and the sheet freezes fonts
        # not yet propagated: so drop the sheet, let the font reach every widget, then set the sheet
        self.app.setStyleSheet("")
        self.app.setFont(font)
        self.app.setPalette(palette)
        self.app.sendPostedEvents()
        self.app.setStyleSheet(sheet)
        refresh_link_colours(self.app)

    def snapshot(self) -> ThemeSnapshot:
        """The application's look as it is now, for putting back after a temporary theme."""
        return ThemeSnapshot(self.choice, QFont(self.app.font()), QPalette(self.app.palette()),
                             self.app.styleSheet())

    def restore(self, snapshot: ThemeSnapshot) -> None:
        self._set_look(snapshot.font, snapshot.palette, snapshot.style_sheet)
        self.choice = snapshot.choice
        self.concrete = resolve(snapshot.choice) if snapshot.choice else ""
        self.theme_applied.emit(self.choice, self.concrete)

    def _on_style_hints_color_scheme_changed(self, _scheme) -> None:  # noqa: ANN001
        if self.choice == SYSTEM:
            self.apply(SYSTEM)


def refresh_link_colours(app: QApplication) -> None:
    """Re-reads every rich-text label's HTML so its links take the new palette's link colour.

    Qt colours a link when it parses the label's HTML, from the palette of that moment, and keeps that
    colour through later palette changes: after projector -> dark the links stayed #0030a0 on #23262b.
    """
    for widget in app.allWidgets():
        if isinstance(widget, QLabel) and "<a" in widget.text() and widget.textFormat() != Qt.TextFormat.PlainText:
            text = widget.text()
            widget.setText("")  # setText() with the same text does nothing, so clear it first
            widget.setText(text)


class ThemedDockWidget(QDockWidget):
    """A dock whose title is drawn in the theme's font of now.

    QDockWidget keeps the title font the application had when the dock was made, and draws its title in that one
    while the dock's own font is the application's: made under the projector theme, the "Incidents" title kept
    the projector's large font after a switch to dark or light (its title bar's height did follow). Here the title
    is drawn with the dock's own font, which follows the application's."""

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.titleBarWidget() is not None or self.isFloating():
            super().paintEvent(event)  # a custom title bar, or a window's own decoration, draws its title itself
            return
        painter = QStylePainter(self)
        title = QStyleOptionDockWidget()
        self.initStyleOption(title)
        painter.drawControl(QStyle.ControlElement.CE_DockWidgetTitle, title)


def theme_manager(app: QApplication | None = None) -> ThemeManager:
    """The application's one ThemeManager, made on first use."""
    if app is None:
        instance = QApplication.instance()
        if not isinstance(instance, QApplication):
            raise RuntimeError("the theme needs the running QApplication")
        app = instance
    manager = app.findChild(ThemeManager, "theme_manager")
    return manager if manager is not None else ThemeManager(app)


def saved_choice(settings: QSettings) -> str:
    value = str(settings.value(SETTINGS_KEY, SYSTEM) or SYSTEM)
    return value if value in THEME_LABELS else SYSTEM


def apply_saved_theme(settings: QSettings, app: QApplication | None = None) -> str:
    return theme_manager(app).apply(saved_choice(settings))


class ThemeMenu(QMenu):
    """View › Theme: the checked entry follows the applied theme; a choice is remembered."""

    def __init__(self, settings: QSettings, parent=None):  # noqa: ANN001
        super().__init__("T&heme", parent)
        self.settings = settings
        self.manager = theme_manager()
        group = QActionGroup(self)
        self.choices: dict[str, QAction] = {}
        for key, label in THEME_LABELS.items():
            action = self.addAction(label)
            action.setCheckable(True)
            action.setData(key)
            group.addAction(action)
            self.choices[key] = action
        group.triggered.connect(self._on_group_triggered)
        self.choices[self.manager.choice or saved_choice(settings)].setChecked(True)
        self.manager.theme_applied.connect(self._on_manager_theme_applied)

    def _on_group_triggered(self, action: QAction) -> None:
        self.settings.setValue(SETTINGS_KEY, action.data())
        self.manager.apply(action.data())

    def _on_manager_theme_applied(self, choice: str, _concrete: str) -> None:
        if choice in self.choices:
            self.choices[choice].setChecked(True)
