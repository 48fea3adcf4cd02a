"""Every text colour every theme defines meets WCAG AA on the background it is drawn on (4.5:1).

The pairs are derived from the definitions themselves: the Qt palette of each theme (every text role
against the roles it is drawn on, ui/theme.py's TEXT_ON), every `color:` in each theme's style sheet
(against its own background, the background set for the same widget, its ancestor's, or else every
background of the palette), the reader's author colours and the board's badge ink on every tag colour.
"""
from __future__ import annotations

import json
import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from postmortem_desktop.domain.contrast import AA_TEXT, contrast_ratio
from postmortem_desktop.resources import resource_path
from ui.board.card_delegate import readable_text_color
from ui.reader.conversation_reader import ROLE_COLORS, role_color
from ui.theme import DARK, DEFINED_COLOURS, LIGHT, NOT_TEXT, PROJECTOR, TEXT_ON, palette_for, style_sheet

THEMES = (LIGHT, DARK, PROJECTOR)
BACKGROUNDS = (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase)


def hex_of(palette: QPalette, role: QPalette.ColorRole) -> str:
    return palette.color(QPalette.ColorGroup.Active, role).name()


def test_every_role_a_theme_defines_is_known_as_text_or_as_a_fill():
    for defined in DEFINED_COLOURS.values():
        unknown = [role for role in defined if role not in TEXT_ON and role not in NOT_TEXT]
        assert unknown == []


@pytest.mark.parametrize("theme", THEMES)
def test_palette_text_roles_meet_aa_on_their_backgrounds(qapp, theme):
    palette = palette_for(theme, qapp)
    failures = []
    for text_role, backgrounds in TEXT_ON.items():
        for background in backgrounds:
            ratio = contrast_ratio(hex_of(palette, text_role), hex_of(palette, background))
            if ratio < AA_TEXT:
                failures.append(f"{text_role.name} {hex_of(palette, text_role)} on {background.name} "
                                f"{hex_of(palette, background)}: {ratio:.2f}:1")
    assert failures == []


RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def parse_rules(sheet: str) -> list[tuple[list[str], dict[str, str]]]:
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    rules = []
    for selectors, body in RULE.findall(sheet):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip().lower()] = value.strip()
        rules.append(([s.strip() for s in selectors.split(",")], declarations))
    return rules


def colour_value(value: str, palette: QPalette) -> str | None:
    """A style sheet colour as #rrggbb: a hex, a named colour or palette(role); None for anything else."""
    value = value.split()[0] if value.startswith("#") else value
    named = re.fullmatch(r"palette\(([a-z-]+)\)", value)
    if named:
        role = "".join(part.capitalize() for part in named.group(1).split("-"))
        return hex_of(palette, getattr(QPalette.ColorRole, role))
    colour = QColor(value)
    return colour.name() if colour.isValid() else None


def background_of(declarations: dict[str, str], palette: QPalette) -> str | None:
    for name in ("background", "background-color"):
        if name in declarations:
            return colour_value(declarations[name], palette)
    return None


def style_sheet_pairs(theme: str, palette: QPalette) -> list[tuple[str, str, str]]:
    """(where, text colour, background) for every `color:` in the theme's style sheet."""
    rules = parse_rules(style_sheet(theme))
    pairs = []
    for selectors, declarations in rules:
        if "color" not in declarations:
            continue
        ink = colour_value(declarations["color"], palette)
        assert ink is not None, f"{theme}: unreadable colour {declarations['color']!r} in {selectors}"
        for selector in selectors:
            own = background_of(declarations, palette)
            compounds = selector.split()
            # the same widget's background set elsewhere, then its ancestor's, else every palette background
            same = [background_of(d, palette) for s, d in rules if compounds[-1] in s]
            ancestor = [background_of(d, palette) for s, d in rules if len(compounds) > 1 and compounds[0] in s]
            found = [b for b in [own, *same, *ancestor] if b]
            backgrounds = found[:1] or [hex_of(palette, role) for role in BACKGROUNDS]
            pairs += [(f"{theme}: {selector}", ink, background) for background in backgrounds]
    return pairs


@pytest.mark.parametrize("theme", THEMES)
def test_style_sheet_text_colours_meet_aa(qapp, theme):
    pairs = style_sheet_pairs(theme, palette_for(theme, qapp))
    assert pairs  # every theme colours some text: the clocks at least
    failures = [f"{where}: {ink} on {background} {contrast_ratio(ink, background):.2f}:1"
                for where, ink, background in pairs if contrast_ratio(ink, background) < AA_TEXT]
    assert failures == []


@pytest.mark.parametrize("theme", THEMES)
def test_reader_author_colours_meet_aa_in_every_theme(qapp, theme):
    palette = palette_for(theme, qapp)
    base = palette.color(QPalette.ColorRole.Base)
    for role in ROLE_COLORS:
        ink = role_color(role, base, palette.color(QPalette.ColorRole.Text)).name()
        assert contrast_ratio(ink, base.name()) >= AA_TEXT, (theme, role, ink, base.name())


def test_badge_ink_meets_aa_on_every_tag_colour():
    palette = json.loads(resource_path("palette.json").read_text(encoding="utf-8"))
    fills = [entry[shade] for entry in [*palette["tags"], palette["untagged"]] for shade in ("light", "dark")]
    for fill in fills:
        ink = readable_text_color(QColor(fill)).name()
        assert contrast_ratio(ink, fill) >= AA_TEXT, (fill, ink)


def test_the_reader_redraws_author_names_for_the_new_background_when_the_theme_changes(main_window, qtbot):
    from ui.theme import theme_manager

    reader = main_window.screen_widgets["reader"]
    board = main_window.show_screen("board")
    if board.model.rowCount() == 0:
        board.reload()
    reader.show_conversation(board.model.cards[0].conversation_id)
    before = theme_manager().snapshot()
    try:
        theme_manager().apply(LIGHT)
        theme_manager().apply(DARK)
        QApplication.processEvents()
        document = reader.text.document()
        base = reader.text.viewport().palette().color(reader.text.viewport().backgroundRole()).name()
        names = [document.findBlock(span.header).begin().fragment().charFormat().foreground().color().name()
                 for span in reader.spans]
        assert names
        assert all(contrast_ratio(ink, base) >= AA_TEXT for ink in names), (names, base)
    finally:
        theme_manager().restore(before)


def link_colours(label) -> list[str]:
    """The colour each link in a rich-text label is drawn in, as its text document holds it."""
    from PySide6.QtGui import QTextDocument

    document = label.findChild(QTextDocument)
    colours = []
    block = document.begin() if document is not None else None
    while block is not None and block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isAnchor():
                colours.append(fragment.charFormat().foreground().color().name())
            fragments += 1
        block = block.next()
    return colours


@pytest.mark.parametrize(("first", "then"), [(PROJECTOR, DARK), (DARK, PROJECTOR), (LIGHT, DARK)])
def test_links_in_every_label_take_the_new_theme_s_colour_on_a_live_switch(main_window, qtbot, first, then):
    from PySide6.QtWidgets import QLabel

    from ui.theme import theme_manager

    before = theme_manager().snapshot()
    try:
        theme_manager().apply(first)
        for screen in ("board", "review", "timeline"):  # the screens whose labels carry links
            main_window.show_screen(screen)
            QApplication.processEvents()
        theme_manager().apply(then)
        QApplication.processEvents()
        labels = [w for w in QApplication.allWidgets() if isinstance(w, QLabel) and "<a" in w.text()]
        assert labels  # the close-out strip has links at least
        failures = []
        for label in labels:
            label.grab()  # a hidden label lays its text out when it is next painted: paint it, as a user would
            background = label.palette().color(label.backgroundRole()).name()
            for ink in link_colours(label):
                if contrast_ratio(ink, background) < AA_TEXT:
                    failures.append(f"{label.objectName() or label.text()[:40]}: {ink} on {background}")
        assert failures == []
    finally:
        theme_manager().restore(before)
