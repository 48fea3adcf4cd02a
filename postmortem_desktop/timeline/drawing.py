"""Qt-free drawing of a laid-out timeline onto any `Canvas` (Qt painter, image, PDF).

The one entry point, kept stable for the report and the screen alike::

    draw_timeline(layout: TimelineLayout, canvas: Canvas, width: float, height: float, theme: Theme) -> Geometry

draws the whole timeline (headline band, window strip, axis, system lane, customer lane with level of
detail, legend) into the rectangle (0, 0, width, height) and returns the `Geometry` it used.

Canvas contract (implement these and nothing else; an adapter may ignore `alpha` or `dash` if its
backend cannot do them, but must honour the rest):

* Coordinates are in points/pixels, origin at the top-left, y growing downwards.
* Colours are "#RRGGBB" strings; `alpha` is 0.0–1.0 and applies to that one call.
* ``rect(x, y, w, h, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,
  pattern_color=None)`` — a rectangle; `pattern` is one of PATTERNS drawn as a hatch in
  `pattern_color` over the fill ("solid" or None means no hatch).
* ``line(x1, y1, x2, y2, *, color, width=1.0, dash=None, alpha=1.0)`` — `dash` is a tuple of on/off
  lengths or None for a solid line.
* ``polygon(points, *, fill, stroke=None, stroke_width=1.0, alpha=1.0)`` — a closed polygon (markers).
* ``text(x, y, text, *, color, size, bold=False, anchor="start")`` — one line of text; `y` is the
  vertical *middle* of the line; `anchor` is "start", "middle" or "end" for x.
* ``text_width(text, size, bold=False) -> float`` — the width `text` would take.
* ``clip(x, y, w, h)`` / ``unclip()`` — restrict drawing to a rectangle until the matching unclip.

Optional, for speed: ``rects(boxes, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,
pattern_color=None)`` draws many (x, y, w, h) boxes in one style. A canvas without it gets one
``rect`` call per box instead, with the same result.
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from ..domain.contrast import best_text_on, readable_on
from ..domain.timing import format_duration
from .layout import (
    Band,
    Bin,
    Geometry,
    SubRow,
    SystemEventMark,
    TimelineLayout,
    TimeScale,
    axis_ticks,
    bin_seconds,
    format_time,
    histogram,
    track_height,
    visible_bars,
)

Box = tuple[float, float, float, float]  # x, y, w, h
PATTERNS = ("solid", "diagonal", "backdiagonal", "cross", "diagcross", "horizontal", "vertical", "dots",
            "dense", "sparse", "grid")
KIND_LABELS = {"alert": "Alert", "deploy": "Deploy", "mitigation": "Mitigation", "recovery": "Recovery",
               "status-page": "Status page", "note": "Note"}
LABEL_LINE = 1.3  # the height a line of label text takes, in font sizes (the text's size plus leading)
SYSTEM_LABEL_ROWS = 3     # label rows under the System lane's markers, when it has its full height
SYSTEM_LABEL_ROW_MIN = 16  # the least height one label row needs (at scale 1): fewer rows rather than piled up


class Canvas(Protocol):
    def rect(self, x: float, y: float, w: float, h: float, *, fill: str | None = None, stroke: str | None = None,
             stroke_width: float = 1.0, alpha: float = 1.0, pattern: str | None = None,
             pattern_color: str | None = None) -> None: ...

    def line(self, x1: float, y1: float, x2: float, y2: float, *, color: str, width: float = 1.0,
             dash: tuple[float, ...] | None = None, alpha: float = 1.0) -> None: ...

    def polygon(self, points: Sequence[tuple[float, float]], *, fill: str | None, stroke: str | None = None,
                stroke_width: float = 1.0, alpha: float = 1.0) -> None: ...

    def text(self, x: float, y: float, text: str, *, color: str, size: float, bold: bool = False,
             anchor: str = "start") -> None: ...

    def text_width(self, text: str, size: float, bold: bool = False) -> float: ...

    def clip(self, x: float, y: float, w: float, h: float) -> None: ...

    def unclip(self) -> None: ...


@dataclass(frozen=True)
class Theme:
    """Colours and sizes; `from_palette` reads resources/palette.json's shape."""

    dark: bool = False
    scale: float = 1.0
    background: str = "#FFFFFF"
    panel: str = "#F2F2F2"
    lane_alt: str = "#F7F7F7"
    text: str = "#1A1A1A"
    muted: str = "#5A5A5A"
    grid: str = "#D9D9D9"
    tag_fills: tuple[str, ...] = ("#E69F00",)
    tag_patterns: tuple[str, ...] = ("diagonal",)
    untagged_fill: str = "#8C8C8C"
    untagged_pattern: str = "solid"
    system: dict[str, str] = field(default_factory=lambda: {"note": "#666666"})
    windows: dict[str, str] = field(default_factory=lambda: {
        "technical": "#0072B2", "customer_impact": "#D55E00", "status_page": "#CC79A7"})
    font_size: float = 13.0

    @classmethod
    def from_palette(cls, palette: dict[str, Any], *, dark: bool = False, scale: float = 1.0) -> Theme:
        shade = "dark" if dark else "light"
        base: dict[str, Any] = dict(background="#1E1E1E", panel="#2A2A2A", lane_alt="#252525", text="#F0F0F0",
                    muted="#B5B5B5", grid="#404040") if dark else {}
        return cls(dark=dark, scale=scale, tag_fills=tuple(t[shade] for t in palette["tags"]),
                   tag_patterns=tuple(t.get("pattern", "solid") for t in palette["tags"]),
                   untagged_fill=palette["untagged"][shade], untagged_pattern=palette["untagged"]["pattern"],
                   system=dict(palette["system"]), windows=dict(palette["windows"]), **base)

    @classmethod
    def default(cls, *, dark: bool = False, scale: float = 1.0) -> Theme:
        from ..resources import resource_path

        palette = json.loads(resource_path("palette.json").read_text(encoding="utf-8"))
        return cls.from_palette(palette, dark=dark, scale=scale)

    def size(self, factor: float = 1.0) -> float:
        return self.font_size * self.scale * factor

    def ink(self, colour: str) -> str:
        """A window's or event kind's colour, made readable as text on the background (WCAG AA)."""
        return readable_on(colour, self.background)

    def tag_style(self, layout: TimelineLayout, code: int) -> tuple[str, str]:
        """(fill, pattern) of a dominant-tag code (-1: untagged)."""
        tags = layout.data.conversations.tags
        if code < 0 or code >= len(tags):
            return self.untagged_fill, self.untagged_pattern
        index = tags[code].color % len(self.tag_fills)
        return self.tag_fills[index], self.tag_patterns[index]


def contrast_text(fill: str) -> str:
    """Black or white, whichever contrasts more with the fill (WCAG contrast ratio)."""
    return best_text_on(fill)


def draw_timeline(layout: TimelineLayout, canvas: Canvas, width: float, height: float, theme: Theme) -> Geometry:
    """Draws the whole timeline into (0, 0, width, height); returns the geometry used."""
    layout.scale_factor = theme.scale
    geo = layout.geometry(width, height)
    scale = layout.scale(geo)
    canvas.rect(0, 0, width, height, fill=theme.background)
    draw_headline(layout, canvas, geo, theme)
    draw_axis(layout, canvas, geo, scale, theme)
    draw_customer_lane(layout, canvas, geo, scale, theme)
    draw_system_lane(layout, canvas, geo, scale, theme)
    draw_windows(layout, canvas, geo, scale, theme)
    draw_legend(layout, canvas, geo, theme)
    return geo


def draw_headline(layout: TimelineLayout, canvas: Canvas, geo: Geometry, theme: Theme) -> None:
    band = geo.headline
    canvas.rect(0, band.y, geo.width, band.h, fill=theme.panel)
    room = geo.width - 24 * theme.scale
    text = layout.data.headline
    for factor in (1.45, 1.3, 1.15, 1.0):  # the headline is the point of the screen: shrink before cutting
        if canvas.text_width(text, theme.size(factor), True) <= room:
            canvas.text(12 * theme.scale, band.y + band.h / 2, text, color=theme.text, size=theme.size(factor),
                        bold=True)
            return
    # Too long for one line: wrap at words (never cut a word), in as few lines as the band holds.
    for count in (2, 3):
        size = min(theme.size(1.0), band.h / (1.3 * count))
        lines = _wrap(canvas, text, room, size, True)
        if len(lines) <= count:
            break
    if len(lines) > count:  # a very narrow view: the last line says there is more
        lines = [*lines[:count - 1], _fit(canvas, " ".join(lines[count - 1:]), room, size, True)]
    for k, line in enumerate(lines):
        canvas.text(12 * theme.scale, band.y + band.h * (k + 0.5) / len(lines), line, color=theme.text, size=size,
                    bold=True)


def _wrap(canvas: Canvas, text: str, width: float, size: float, bold: bool) -> list[str]:
    """text broken at spaces into lines no wider than width (a single over-long word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and canvas.text_width(joined, size, bold) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


def draw_axis(layout: TimelineLayout, canvas: Canvas, geo: Geometry, scale: TimeScale, theme: Theme) -> None:
    band = geo.axis
    s = theme.scale
    zone_label = f"Times: {layout.zone_name}"
    canvas.text(10 * s, band.y + band.h / 2, zone_label, color=theme.muted, size=theme.size(0.85))
    # a tick's label is centred on its line; one that would reach into the zone label is left out
    free_from = 10 * s + canvas.text_width(zone_label, theme.size(0.85), False) + 8 * s
    top, bottom = band.bottom, geo.customers.bottom
    # larger type (projector) needs ticks further apart; a label that would still touch the one before
    # it ("Fri 04 Dec 14:00" into "20:00") is left out, its grid line kept
    for tick in axis_ticks(scale.t0, scale.t1, scale.x1 - scale.x0, layout.zone_name, 100 * s):
        x = scale.x(tick.t)
        canvas.line(x, top - 5 * s, x, bottom, color=theme.grid, width=(2.0 if tick.major else 1.0) * s)
        size = theme.size(0.92)
        half = canvas.text_width(tick.label, size, tick.major) / 2
        if x - half < free_from or x + half > geo.width:
            continue
        free_from = x + half + 8 * s
        canvas.text(x, band.y + band.h / 2 - 2 * s, tick.label, color=theme.text if tick.major else theme.muted,
                    size=size, bold=tick.major, anchor="middle")


def draw_windows(layout: TimelineLayout, canvas: Canvas, geo: Geometry, scale: TimeScale, theme: Theme) -> None:
    """The technical window, the customer impact window, the status-page marker and the gap between."""
    s, d = theme.scale, layout.data
    band, top, bottom = geo.windows, geo.axis.y, geo.customers.bottom
    row_h = band.h / 2
    tech, cust, page = theme.windows["technical"], theme.windows["customer_impact"], theme.windows["status_page"]
    canvas.text(10 * s, band.y + row_h / 2, "Logs", color=theme.ink(tech), size=theme.size(1.05), bold=True)
    canvas.text(10 * s, band.y + row_h * 1.5, "Customers", color=theme.ink(cust), size=theme.size(1.05), bold=True)
    canvas.clip(geo.plot_x0, band.y, geo.plot_x1 - geo.plot_x0, bottom - band.y)
    t_start, t_end = layout.marker_time("technical_start"), layout.marker_time("technical_end")
    page_t = layout.marker_time("status_page_resolved")
    # the status-page flag sits at the top of this row: the technical window's label keeps clear of it
    flag = (scale.x(page_t) - 2 * s, scale.x(page_t) + 14 * s) if page_t is not None else None
    label_right = impact_right = float("-inf")
    if t_start is not None and t_end is not None and t_end >= t_start:
        x0, x1 = scale.x(t_start), max(scale.x(t_end), scale.x(t_start) + 2)
        canvas.rect(x0, top, x1 - x0, bottom - top, fill=tech, alpha=0.10)
        label_right = _window_bar(canvas, x0, x1, band.y + 3 * s, row_h - 6 * s, tech,
                                  _technical_label(canvas, geo, theme, x0, flag, _duration(t_end - t_start),
                                                   layout.zone_name if page_t is not None else None, page_t),
                                  theme, geo.plot_x0, flag)
    for t in (t_start, t_end):
        if t is not None:
            x = scale.x(t)
            canvas.line(x, band.y, x, bottom, color=tech, width=2.5 * s)
            canvas.rect(x - 4 * s, band.y + 2 * s, 8 * s, row_h - 4 * s, fill=tech, stroke=theme.background)
    if d.customer_start is not None and d.customer_end is not None:
        x0, x1 = scale.x(d.customer_start), max(scale.x(d.customer_end), scale.x(d.customer_start) + 2)
        impact_right = _window_bar(canvas, x0, x1, band.y + row_h + 3 * s, row_h - 6 * s, cust,
                                   f"Customer impact {_duration(d.customer_end - d.customer_start)}", theme,
                                   geo.plot_x0)
        for x in (x0, x1):
            canvas.line(x, band.y + row_h, x, bottom, color=cust, width=2.0 * s, dash=(6 * s, 4 * s))
    if page_t is not None:
        _status_page_marker(layout, canvas, geo, scale, theme, page_t, page, label_right, impact_right)
    canvas.unclip()


def _window_bar(canvas: Canvas, x0: float, x1: float, y: float, h: float, color: str, label: str,
                theme: Theme, left_limit: float, flag: tuple[float, float] | None = None) -> float:
    """Draws a window as a bar with its label, clear of the status-page flag's span; returns the label's
    right edge."""
    s = theme.scale
    canvas.rect(x0, y, x1 - x0, h, fill=color)
    size = theme.size(0.95)
    width = canvas.text_width(label, size, True)

    def clear_of_flag(lx: float) -> float:
        """lx, or just right of the flag when the label would run under it."""
        if flag is not None and lx < flag[1] and lx + width > flag[0]:
            return flag[1] + 4 * s
        return lx

    inside = clear_of_flag(max(x0, left_limit) + 6 * s)  # zoomed in, the bar starts off screen; its label must not
    if inside + width + 4 * s < x1:
        canvas.text(inside, y + h / 2, label, color=contrast_text(color), size=size, bold=True)
        return inside + width
    left = x0 - 12 * s  # a short window: label on its left, clear of the status-page flag
    if left - width >= left_limit and clear_of_flag(left - width) == left - width:
        canvas.text(left, y + h / 2, label, color=theme.ink(color), size=size, bold=True, anchor="end")
        return float("-inf")
    right = clear_of_flag(x1 + 6 * s)
    canvas.text(right, y + h / 2, label, color=theme.ink(color), size=size, bold=True)
    return right + width


def _status_page_marker(layout: TimelineLayout, canvas: Canvas, geo: Geometry, scale: TimeScale, theme: Theme,
                        page_t: float, color: str, avoid_x: float = float("-inf"),
                        impact_label_right: float = float("-inf")) -> None:
    s, d = theme.scale, layout.data
    band, bottom = geo.windows, geo.customers.bottom
    row_h = band.h / 2
    x = scale.x(page_t)
    if d.customer_end is not None and d.customer_end > page_t:
        # The gap: customers still asking after the status page said resolved; hatched so it reads in grey.
        x1 = scale.x(d.customer_end)
        canvas.rect(x, geo.system.y, x1 - x, bottom - geo.system.y, fill=color, alpha=0.07)
        canvas.rect(x, band.y + row_h + 3 * s, x1 - x, row_h - 6 * s, fill=None, pattern="backdiagonal",
                    pattern_color=theme.background, alpha=0.6)
        # Labelled inside the customer impact bar, at the gap's end: over the customer lane it hid tickets.
        gap = _duration(d.customer_end - page_t)
        size = theme.size(0.9)
        room_from = max(x + 16 * s, impact_label_right + 12 * s, geo.plot_x0)
        right = min(x1, geo.plot_x1) - 6 * s
        for label in (f"Customers kept asking {gap} after “resolved”", f"+{gap} after “resolved”"):
            w = canvas.text_width(label, size, True)
            if right - w - 8 * s >= room_from:
                canvas.rect(right - w - 8 * s, band.y + row_h + 4 * s, w + 8 * s, row_h - 8 * s,
                            fill=theme.background, stroke=color, stroke_width=1.5 * s, alpha=0.92)
                canvas.text(right - 4 * s, band.y + row_h * 1.5, label, color=theme.text, size=size, bold=True,
                            anchor="end")
                break
    canvas.line(x, band.y, x, bottom, color=color, width=3.0 * s, dash=(8 * s, 4 * s))
    flag = [(x, band.y), (x + 12 * s, band.y + 6 * s), (x, band.y + 12 * s)]
    canvas.polygon(flag, fill=color, stroke=theme.text, stroke_width=0.8 * s)
    lx, label = _status_label_place(canvas, geo, theme, x, avoid_x,
                                    format_time(page_t, layout.zone_name, with_day=False))
    size = theme.size(0.9)
    w = canvas.text_width(label, size, True)
    canvas.rect(lx, band.y + 2 * s, w + 8 * s, row_h - 4 * s, fill=theme.background, stroke=color,
                stroke_width=1.5 * s, alpha=0.95)
    canvas.text(lx + 4 * s, band.y + row_h / 2, label, color=theme.text, size=size, bold=True)


def _technical_label(canvas: Canvas, geo: Geometry, theme: Theme, x0: float, flag: tuple[float, float] | None,
                     duration: str, zone_name: str | None, page_t: float | None) -> str:
    """'Technical window 40 min', or just '40 min' (the row is labelled 'Logs') when the long form would
    leave the status-page label, beside it in the same row, no room but an ellipsis."""
    label = f"Technical window {duration}"
    if zone_name is None or page_t is None or flag is None:
        return label
    s, size = theme.scale, theme.size(0.95)
    status = canvas.text_width(f"Resolved {format_time(page_t, zone_name, with_day=False)}", theme.size(0.9), True)
    starts = max(x0, geo.plot_x0, flag[1]) + 6 * s
    if starts + canvas.text_width(label, size, True) + 8 * s + status + 16 * s > geo.plot_x1:
        return duration
    return label


def _status_label_place(canvas: Canvas, geo: Geometry, theme: Theme, x: float, avoid_x: float,
                        time: str) -> tuple[float, str]:
    """Where the status-page label starts, and its words: right of the flag, else left of it (clear of
    the technical window's label), else the short form, shortened with an ellipsis as a last resort (past
    the lane's edge the clip cut it to 'Status page: r'); the marker's tooltip always says it whole."""
    s, size = theme.scale, theme.size(0.9)
    right_x = max(x + 14 * s, avoid_x + 8 * s)
    for label in (f"Status page: resolved {time}", f"Resolved {time}"):
        w = canvas.text_width(label, size, True) + 8 * s
        if right_x + w <= geo.plot_x1:
            return right_x, label
        if x - 6 * s - w >= max(avoid_x + 8 * s, geo.plot_x0):
            return x - 6 * s - w, label
    return right_x, _fit(canvas, f"Resolved {time}", geo.plot_x1 - right_x - 10 * s, size, True)


def draw_system_lane(layout: TimelineLayout, canvas: Canvas, geo: Geometry, scale: TimeScale, theme: Theme) -> None:
    band, s = geo.system, theme.scale
    canvas.rect(0, band.y, geo.plot_x0, band.h, fill=theme.panel)
    canvas.text(10 * s, band.y + band.h / 2, "System", color=theme.text, size=theme.size(1.1), bold=True)
    canvas.line(0, band.bottom, geo.width, band.bottom, color=theme.grid, width=1.5 * s)
    marker_y = band.y + 13 * s
    # as many label rows as the lane has room for (three when it has its full height), so labels never pile up
    rows = max(1, min(SYSTEM_LABEL_ROWS, int((band.h - 28 * s) // (SYSTEM_LABEL_ROW_MIN * s))))
    rows_right = [float("-inf")] * rows
    row_h = (band.h - 28 * s) / rows
    size = theme.size(0.9)
    canvas.clip(geo.plot_x0 - 8 * s, band.y, geo.plot_x1 - geo.plot_x0 + 16 * s, band.h)
    for x, ev in _visible_markers(layout, scale, 3.5 * s):
        color = theme.system.get(ev.kind, theme.system.get("note", "#666666"))
        # never past the lane's right edge, where the clip cut 'Duplicate-payment reconciliat' bare: a
        # label with too little room on the right of its marker goes on the left of it
        room_right = geo.plot_x1 + 8 * s - x - 3 * s
        leftwards = room_right < min(canvas.text_width(ev.title, size), 120 * s)
        text = _fit(canvas, ev.title, min(230 * s, x - geo.plot_x0 - 3 * s if leftwards else room_right), size, False)
        starts_at = x - 3 * s - canvas.text_width(text, size) if leftwards else x
        row = next((r for r in range(rows) if rows_right[r] < starts_at), None)
        if row is not None:
            y = band.y + 28 * s + row_h * (row + 0.5)
            canvas.line(x, marker_y + 7 * s, x, y, color=color, width=1.0 * s, alpha=0.7)
            if leftwards:
                canvas.text(x - 3 * s, y, text, color=theme.text, size=size, anchor="end")
                rows_right[row] = x + 10 * s
            else:
                canvas.text(x + 3 * s, y, text, color=theme.text, size=size)
                rows_right[row] = x + canvas.text_width(text, size) + 10 * s
        draw_marker(canvas, ev.kind, x, marker_y, 7 * s, color, theme.text, s)
    canvas.unclip()


def _visible_markers(layout: TimelineLayout, scale: TimeScale, gap: float) -> list[tuple[float, SystemEventMark]]:
    """(x, event) for the markers to draw, in time order.

    An imported chat or paging history can hold thousands of events (5,000 bot posts took a repaint
    from 10 ms to 130 ms). Per kind, only the visible range is visited, and from each drawn marker the
    next one of its kind is found by bisection at least `gap` pixels on: a dense run reads the same,
    a rare kind still shows, and a paint costs the markers drawn, not the events held.
    """
    by_kind = layout.cached("events_by_kind", frozenset(layout.overrides.items()), lambda: _by_kind(layout))
    t_lo, t_hi, dt = scale.t0 - 3600, scale.t1, gap / max(scale.px_per_s, 1e-12)
    chosen: list[tuple[float, SystemEventMark]] = []
    for times, events in by_kind.values():
        i, end = bisect_left(times, t_lo), bisect_right(times, t_hi)
        while i < end:
            chosen.append((times[i], events[i]))
            i = max(i + 1, bisect_left(times, times[i] + dt, i, end))
    chosen.sort(key=lambda pair: (pair[0], pair[1].id))
    return [(scale.x(t), ev) for t, ev in chosen]


def _by_kind(layout: TimelineLayout) -> dict[str, tuple[list[float], list[SystemEventMark]]]:
    """Each kind's events in time order (any being dragged at their new time), with their times."""
    groups: dict[str, list[SystemEventMark]] = {}
    for ev in sorted(layout.data.events, key=layout.event_time):
        groups.setdefault(ev.kind, []).append(ev)
    return {kind: ([layout.event_time(ev) for ev in evs], evs) for kind, evs in groups.items()}


def draw_marker(canvas: Canvas, kind: str, x: float, y: float, r: float, fill: str, stroke: str,
                s: float = 1.0) -> None:
    """A shape per system-event kind, so the kind reads without colour."""
    if kind == "alert":
        pts = [(x, y - r), (x + r, y + r), (x - r, y + r)]
    elif kind == "deploy":
        pts = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    elif kind == "mitigation":
        pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif kind == "recovery":
        pts = [(x - r, y + r * 0.2), (x - r * 0.3, y + r), (x + r, y - r * 0.8), (x - r * 0.3, y + r * 0.3)]
    elif kind == "status-page":
        pts = [(x - r * 0.6, y - r), (x + r, y - r * 0.4), (x - r * 0.6, y + r * 0.2), (x - r * 0.6, y + r)]
    else:
        c = r * 0.6
        pts = [(x - c, y - r), (x + c, y - r), (x + r, y - c), (x + r, y + c), (x + c, y + r), (x - c, y + r),
               (x - r, y + c), (x - r, y - c)]
    canvas.polygon(pts, fill=fill, stroke=stroke, stroke_width=1.0 * s)


def draw_customer_lane(layout: TimelineLayout, canvas: Canvas, geo: Geometry, scale: TimeScale,
                       theme: Theme) -> None:
    s = theme.scale
    lane = geo.customers
    caption_y = lane.y - 2 * s + 12 * s
    canvas.text(10 * s, caption_y, "Customers", color=theme.text, size=theme.size(1.1), bold=True)
    if not layout.subrows:
        canvas.text(geo.plot_x0 + 10 * s, lane.y + lane.h / 2, "No customer conversations yet: import tickets "
                    "or paste a transcript.", color=theme.muted, size=theme.size())
        return
    total = layout.visible_total(scale)
    width_s = bin_seconds(scale.px_per_s)
    binned = [layout.row_uses_bins(row, scale, total) for row in layout.subrows]
    bins = layout.cached("bins", (scale.t0, scale.t1, width_s, tuple(binned)), lambda: [
        histogram(row, scale.t0, scale.t1, width_s) if b else None
        for row, b in zip(layout.subrows, binned, strict=True)])
    peak = layout.cached("bin peak", (scale.t0, scale.t1, width_s, tuple(binned)), lambda: max(
        (b.total for rows in bins if rows for b in rows), default=1))
    counts = layout.review_counts()
    # row labels sit at their rows' middles, but never over the caption or the label above: on a short
    # lane (a 1280x720 projector) a label that no longer fits is left out rather than piled on another
    line_h = theme.size() * LABEL_LINE
    next_free = caption_y + theme.size(1.1) * LABEL_LINE / 2 + line_h / 2
    for k, (row, band) in enumerate(zip(layout.subrows, geo.subrows, strict=True)):
        if k % 2:
            canvas.rect(geo.plot_x0, band.y, geo.plot_x1 - geo.plot_x0, band.h, fill=theme.lane_alt)
        canvas.line(geo.plot_x0, band.bottom, geo.plot_x1, band.bottom, color=theme.grid, width=1.0)
        label_y = max(band.y + band.h / 2, next_free)
        if label_y + line_h / 2 <= lane.bottom:
            canvas.text(14 * s, label_y,
                        _fit(canvas, f"{row.label} ({counts[k][0]})", geo.plot_x0 - 20 * s, theme.size(), False),
                        color=theme.text, size=theme.size())
            next_free = label_y + line_h
        canvas.clip(geo.plot_x0, band.y, geo.plot_x1 - geo.plot_x0, band.h)
        row_bins = bins[k]
        if row_bins is not None:
            # the boxes depend only on the view, the band and the peak: a repaint of an unchanged view
            # (hover, the reader's ring, a theme's redraw) reuses them instead of rebuilding thousands
            groups = layout.cached(f"bin boxes {k}", (scale, band, peak, id(row_bins)),
                                   partial(_bin_boxes, row_bins, band, peak, scale))
            _draw_styled(layout, canvas, theme, groups, None)
        else:
            _draw_bars(layout, canvas, band, row, scale, theme)
        canvas.unclip()
    if any(binned):
        canvas.text(geo.plot_x1, lane.bottom - 8 * s, f"Bars: conversations started per {_duration(width_s)}",
                    color=theme.muted, size=theme.size(0.8), anchor="end")


def _rects(canvas: Canvas, boxes: list[Box], **style: Any) -> None:
    """Many boxes in one style, batched when the canvas can (thousands of bars per paint)."""
    batch = getattr(canvas, "rects", None)
    if batch is not None:
        batch(boxes, **style)
        return
    for x, y, w, h in boxes:
        canvas.rect(x, y, w, h, **style)


def _draw_styled(layout: TimelineLayout, canvas: Canvas, theme: Theme,
                 groups: dict[int, list[Box]], stroke: str | None) -> None:
    for code, boxes in groups.items():
        fill, pattern = theme.tag_style(layout, code)
        _rects(canvas, boxes, fill=fill, stroke=stroke, stroke_width=0.5, pattern=pattern,
               pattern_color=contrast_text(fill) if pattern != "solid" else None)


def _draw_bars(layout: TimelineLayout, canvas: Canvas, band: Band, row: SubRow, scale: TimeScale, theme: Theme) -> None:
    s = theme.scale
    convs = layout.data.conversations
    track_h = min(track_height(band, row), 26 * s)
    h = max(track_h - 1.5, 1.0)
    size = min(theme.size(0.8), track_h * 0.62)
    groups: dict[int, list[Box]] = {}
    older: list[Box] = []
    labels: list[tuple[Box, int]] = []
    highlighted: Box | None = None
    x_of, starts, ends, tracks, index, tags = scale.x, row.starts, row.ends, row.tracks, row.index, convs.tag
    for i in visible_bars(row, scale.t0, scale.t1):
        p = index[i]
        x0 = x_of(starts[i])
        box = (x0, band.y + 2 + tracks[i] * track_h, max(x_of(ends[i]) - x0, 3.0), h)
        if convs.ids[p] == layout.highlighted:
            highlighted = box
        if convs.pre_existing[p]:
            older.append(box)
            continue
        groups.setdefault(tags[p], []).append(box)
        if tags[p] >= 0 and h >= 11 and box[2] > 40 * s:
            labels.append((box, tags[p]))
    if older:
        _rects(canvas, older, fill=None, stroke=theme.muted, stroke_width=1.0, pattern="dots",
               pattern_color=theme.muted, alpha=0.8)
    _draw_styled(layout, canvas, theme, groups, theme.background)
    for (x0, y, w, h), code in labels:
        name = convs.tags[code].name
        text_w = canvas.text_width(name, size, True)
        w -= max(scale.x0 - x0, 0)
        x0 = max(x0, scale.x0)
        if text_w + 6 < w:
            fill = theme.tag_style(layout, code)[0]
            canvas.rect(x0 + 2, y + 1, text_w + 4, h - 2, fill=fill, alpha=0.85)
            canvas.text(x0 + 4, y + h / 2, name, color=contrast_text(fill), size=size, bold=True)
    if highlighted is not None:  # the reader's conversation: a ring in the text colour, drawn last
        x0, y, w, h = highlighted
        canvas.rect(x0 - 2.5 * s, y - 2.5 * s, w + 5 * s, h + 5 * s, fill=None, stroke=theme.text, stroke_width=2.5 * s)


def _bin_boxes(bins: list[Bin], band: Band, peak: int, scale: TimeScale) -> dict[int, list[Box]]:
    """Each bin's bar, stacked by tag from the band's bottom, grouped by tag for one batched draw per style."""
    usable = band.h - 6
    groups: dict[int, list[Box]] = {}
    per_count = usable / peak
    for b in bins:
        x0 = scale.x(b.t0)
        w = max(scale.x(b.t1) - x0 - 1, 1.0)
        y = band.bottom - 2
        for tag, count in b.counts:
            h = per_count * count
            y -= h
            groups.setdefault(tag, []).append((x0, y, w, h))
    return groups


def draw_legend(layout: TimelineLayout, canvas: Canvas, geo: Geometry, theme: Theme) -> None:
    band, s = geo.legend, theme.scale
    canvas.rect(0, band.y, geo.width, band.h, fill=theme.panel)
    y, x, size = band.y + band.h / 2, 10 * s, theme.size(0.85)
    right = geo.width - 10 * s
    # the row counts leave out conversations wholly outside the review window: the legend says so, at its
    # right end (drawn over the lane it covered the bars), and the keys keep clear of it
    left_out = sum(outside for _within, outside in layout.review_counts())
    if left_out:
        note = f"+{left_out} outside the review window, not counted"
        note_size = theme.size(0.8)
        if canvas.text_width(note, note_size) > right - x - 120 * s:
            note = f"+{left_out} outside the review window"
        canvas.text(right, y, note, color=theme.muted, size=note_size, anchor="end")
        right -= canvas.text_width(note, note_size) + 16 * s
    convs = layout.data.conversations
    present = layout.cached("tags present", None, lambda: sorted(set(convs.tag) - {-1}))  # 100k codes: once
    tags = [(convs.tags[c].name, *theme.tag_style(layout, c)) for c in present]
    tags.append(("untagged", theme.untagged_fill, theme.untagged_pattern))
    keys: list[tuple[str, float, Callable[[float], None]]] = []
    for name, fill, pattern in tags:
        def swatch(at: float, fill: str = fill, pattern: str = pattern) -> None:
            canvas.rect(at, y - 7 * s, 22 * s, 14 * s, fill=fill, stroke=theme.text, stroke_width=0.5, pattern=pattern,
                        pattern_color=contrast_text(fill) if pattern != "solid" else None)
        keys.append((name, 26 * s, swatch))
    for kind in KIND_LABELS:
        def marker(at: float, kind: str = kind) -> None:
            draw_marker(canvas, kind, at + 7 * s, y, 6 * s, theme.system.get(kind, "#666666"), theme.text, s)
        keys.append((KIND_LABELS[kind], 18 * s, marker))
    for k, (label, indent, draw_key) in enumerate(keys):
        w = indent + canvas.text_width(label, size)
        left = len(keys) - k - 1
        more = f"+{left} more" if left else ""
        room = right - (canvas.text_width(more, size) + 14 * s if more else 0)
        if x + w > room:  # the keys that do not fit are counted, never silently dropped
            canvas.text(x, y, f"+{len(keys) - k} more", color=theme.text, size=size)
            return
        draw_key(x)
        canvas.text(x + indent, y, label, color=theme.text, size=size)
        x += w + 14 * s


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{int(round(seconds))} s"
    return format_duration(timedelta(seconds=seconds))


def _fit(canvas: Canvas, text: str, width: float, size: float, bold: bool) -> str:
    """text, shortened with an ellipsis until it fits width."""
    if canvas.text_width(text, size, bold) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if canvas.text_width(text[:mid] + "…", size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
