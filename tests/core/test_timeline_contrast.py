"""Every text the timeline draws (screen, room and PDF share the drawing) meets WCAG AA on what lies under it."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.contrast import (
    AA_TEXT,
    BLACK,
    WHITE,
    best_text_on,
    blend,
    contrast_ratio,
    readable_on,
)
from postmortem_desktop.timeline.drawing import Theme, draw_timeline
from postmortem_desktop.timeline.layout import SystemEventMark, TagInfo, TimelineLayout
from tests.core.test_timeline_layout import T0, columns, data

KINDS = ["alert", "deploy", "mitigation", "recovery", "status-page", "note"]


class PaintingCanvas:
    """Keeps every filled rectangle in paint order, so the colour under each text can be worked out."""

    def __init__(self, background: str):
        self.background = background
        self.fills: list[tuple[float, float, float, float, str, float]] = []
        self.texts: list[tuple[float, float, str, str, float, str, int]] = []

    def rect(self, x, y, w, h, *, fill=None, alpha=1.0, **_style):
        if fill:
            self.fills.append((x, y, w, h, fill, alpha))

    def text(self, x, y, text, *, color, size, bold=False, anchor="start"):
        # the fills painted so far are under the text; later ones (a translucent window shade) over it
        self.texts.append((x, y, text, color, size, anchor, len(self.fills)))

    def text_width(self, text, size, bold=False):
        return len(text) * size * 0.55

    def colour_at(self, x, y, painted):
        """The colour at a point after the first `painted` fills, each blended over what was there."""
        colour = self.background
        for fx, fy, fw, fh, fill, alpha in self.fills[:painted]:
            if fx <= x <= fx + fw and fy <= y <= fy + fh:
                colour = blend(fill, colour, alpha)
        return colour

    def __getattr__(self, name):  # lines, polygons, clipping: they leave no fill under text
        if name == "rects":  # no batching: every bar comes through rect(), so it is under its label
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def busy_layout() -> TimelineLayout:
    spans = [(T0 + 900 * i, T0 + 900 * i + 2400) for i in range(24)]
    tags = [TagInfo(f"tag-{n}", n) for n in range(12)]
    cols = columns(spans, channels=[["ticket", "chat", "call"][i % 3] for i in range(24)],
                   tags=[i % 12 for i in range(24)], tag_infos=tags)
    events = [SystemEventMark(n, T0 + 700 * n, KINDS[n % len(KINDS)], f"{KINDS[n % len(KINDS)]} event {n}")
              for n in range(12)]
    layout = TimelineLayout(data(cols, events))
    layout.set_view(T0 - 1800, T0 + 8 * 3600)
    return layout


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("height", [360, 900])
def test_every_timeline_text_meets_aa_on_the_fill_under_it(dark, height):
    theme = Theme.default(dark=dark)
    canvas = PaintingCanvas(theme.background)
    draw_timeline(busy_layout(), canvas, 1600, height, theme)
    assert len(canvas.texts) > 20
    failures = []
    for x, y, text, colour, _size, anchor, painted in canvas.texts:
        probe_x = x - 2 if anchor == "end" else x + 2
        under = canvas.colour_at(probe_x, y, painted)
        ratio = contrast_ratio(colour, under)
        if ratio < AA_TEXT:
            failures.append(f"{text!r} {colour} on {under}: {ratio:.2f}:1")
    assert failures == []


def test_contrast_ratio_follows_wcag():
    assert round(contrast_ratio(BLACK, WHITE), 2) == 21.0
    assert contrast_ratio("#777777", "#777777") == 1.0
    assert round(contrast_ratio("#0B5394", "#1B1D21"), 2) == 2.15  # the reader's name in dark, as filed


def test_best_text_on_a_mid_orange_is_black_where_a_luminance_cut_said_white():
    assert best_text_on("#D55E00") == BLACK  # white on it is 3.8:1, black 5.5:1
    assert best_text_on("#0072B2") == WHITE


def test_readable_on_keeps_a_good_colour_and_shifts_a_weak_one_just_enough():
    assert readable_on("#0B5394", WHITE) == "#0B5394"
    shifted = readable_on("#0072B2", "#1E1E1E")
    assert contrast_ratio(shifted, "#1E1E1E") >= AA_TEXT
    assert shifted != WHITE  # still the window's blue, lighter
