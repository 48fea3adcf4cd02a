"""The dual-swimlane timeline as a vector platypus Flowable: system lane above, customer lane below."""
from __future__ import annotations

import json
from array import array
from datetime import datetime
from functools import lru_cache

from reportlab.lib.colors import HexColor, white
from reportlab.platypus import Flowable

from ..domain.counting import counted
from ..domain.timing import format_duration
from ..resources import resource_path
from ..timeline.layout import axis_ticks, format_time, pack_tracks
from . import fonts
from .report_data import ReportData

CHANNEL_ORDER = ("ticket", "chat", "call", "email", "internal")
INK = HexColor("#222222")
MUTED = HexColor("#666666")
GRID = HexColor("#DDDDDD")
LANE_FILL = HexColor("#F4F4F4")
LABEL_W = 62
EVENT_LABEL_SIZE = 6.2
MAX_LABEL_ROWS = 4


@lru_cache(maxsize=1)
def palette() -> dict:
    return json.loads(resource_path("palette.json").read_text(encoding="utf-8"))


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


class TimelineFlowable(Flowable):
    """Draws the incident's technical window, customer impact window, status-page marker, system
    events and one customer sub-row per channel, in the palette the screen uses."""

    def __init__(self, data: ReportData, width: float, height: float = 250):
        super().__init__()
        self.data = data
        self.width = width
        self.height = height
        self.t0, self.t1 = self._span()
        self.hidden_before = sum(1 for c in data.conversations
                                 if c.last_at.timestamp() < self.t0 or c.first_at.timestamp() > self.t1)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def _span(self) -> tuple[float, float]:
        d = self.data
        times = [t for t in (_ts(d.technical.start) if d.technical else None,
                             _ts(d.technical.end) if d.technical else None,
                             _ts(d.customer.start) if d.customer else None,
                             _ts(d.customer.end) if d.customer else None,
                             _ts(d.status_page_resolved)) if t is not None]
        if not times:  # no windows yet: fall back to whatever happened
            times = [e.at.timestamp() for e in d.system_events]
            times += [c.first_at.timestamp() for c in d.conversations if not c.pre_existing]
        if not times:
            now = datetime.now().timestamp()
            return now - 3600, now + 3600
        lo, hi = min(times), max(times)
        pad = max((hi - lo) * 0.05, 300)
        return lo - pad, hi + pad

    # ---- drawing ----------------------------------------------------------------------------
    def draw(self) -> None:
        c = self.canv
        w, h = self.width, self.height
        x0, x1 = LABEL_W, w - 6
        scale = (x1 - x0) / max(self.t1 - self.t0, 1)

        def x(t: float) -> float:
            return x0 + (t - self.t0) * scale

        # Vertical bands, top down (reportlab's y grows upwards).
        windows_top, windows_h = h - 12, 34  # the strip above is for the status-page label
        axis_y = windows_top - windows_h - 14
        system_top, system_h = axis_y - 4, 64
        legend_h = 24
        customer_top = system_top - system_h - 6
        customer_bottom = legend_h + 4
        colors = palette()
        self._draw_windows(c, x, windows_top, windows_h, colors)
        self._draw_axis(c, x, x0, x1, axis_y, customer_bottom)
        self._draw_system_lane(c, x, x0, x1, system_top, system_h, colors)
        self._draw_customer_lane(c, x, x0, x1, customer_top, customer_bottom, colors)
        self._draw_status_marker(c, x, h, customer_bottom, colors)
        self._draw_legend(c, legend_h - 10, colors)

    def _bar(self, c, x, t_start: float, t_end: float, y: float, height: float, colour: str,  # noqa: ANN001
             label: str) -> None:
        left, right = max(x(t_start), LABEL_W), min(x(t_end), self.width - 6)
        c.setFillColor(HexColor(colour))
        c.setStrokeColor(HexColor(colour))
        c.rect(left, y, max(right - left, 1.5), height, fill=1, stroke=0)
        size = 7
        width = fonts.string_width(label, size, fonts.SANS_BOLD)
        if width + 6 <= right - left:
            c.setFillColor(white)
            fonts.draw_string(c, left + 3, y + (height - size) / 2 + 1.2, label, size, fonts.SANS_BOLD)
        else:  # too short to hold its label: write it beside the bar, in the bar's colour
            c.setFillColor(HexColor(colour))
            at_right = right + 3 + width <= self.width - 6
            fonts.draw_string(c, right + 3 if at_right else left - 3, y + (height - size) / 2 + 1.2, label, size,
                              fonts.SANS_BOLD, anchor="left" if at_right else "right")

    def _draw_windows(self, c, x, top: float, height: float, colors: dict) -> None:  # noqa: ANN001
        d = self.data
        row_h = 13
        c.setFillColor(INK)
        fonts.draw_string(c, 0, top - row_h + 3, "Logs", 7.5, fonts.SANS_BOLD)
        fonts.draw_string(c, 0, top - 2 * row_h - 2, "Customers", 7.5, fonts.SANS_BOLD)
        if d.technical:
            self._bar(c, x, d.technical.start.timestamp(), d.technical.end.timestamp(), top - row_h, row_h - 2,
                      colors["windows"]["technical"],
                      f"Technical window {format_duration(d.technical.duration)}")
        if d.customer:
            self._bar(c, x, d.customer.start.timestamp(), d.customer.end.timestamp(), top - 2 * row_h - 5,
                      row_h - 2,
                      colors["windows"]["customer_impact"],
                      f"Customer impact {format_duration(d.customer.duration)}")

    def _draw_axis(self, c, x, x0: float, x1: float, axis_y: float, bottom: float) -> None:  # noqa: ANN001
        ticks = axis_ticks(self.t0, self.t1, (x1 - x0) * 1.3, self.data.zone_name)
        c.setLineWidth(0.4)
        last_right = -1e9
        for tick in ticks:
            tx = x(tick.t)
            c.setStrokeColor(GRID)
            c.line(tx, bottom, tx, axis_y + 2)
            size = 6.5
            width = fonts.string_width(tick.label, size)
            if tx - width / 2 > last_right + 4 and tx + width / 2 <= x1 + 4:
                c.setFillColor(MUTED)
                fonts.draw_string(c, tx, axis_y + 4, tick.label, size, anchor="centre")
                last_right = tx + width / 2
        c.setStrokeColor(MUTED)
        c.line(x0, axis_y + 2, x1, axis_y + 2)
        c.setFillColor(MUTED)
        fonts.draw_string(c, 0, axis_y + 4, self.data.zone_name, 6.5)

    def _draw_system_lane(self, c, x, x0: float, x1: float, top: float, height: float,  # noqa: ANN001
                          colors: dict) -> None:
        c.setFillColor(LANE_FILL)
        c.rect(x0, top - height, x1 - x0, height, fill=1, stroke=0)
        c.setFillColor(INK)
        fonts.draw_string(c, 0, top - 11, "System", 8, fonts.SANS_BOLD)
        c.setFillColor(MUTED)
        fonts.draw_string(c, 0, top - 21, counted(len(self.data.system_events), "event"), 6.5)
        row_ends = [-1e9] * MAX_LABEL_ROWS
        row_h = (height - 8) / MAX_LABEL_ROWS
        labels = []
        for event in self.data.system_events:
            t = event.at.timestamp()
            if not self.t0 <= t <= self.t1:
                continue
            ex = x(t)
            colour = HexColor(colors["system"].get(event.kind, colors["system"]["note"]))
            label = fonts.plain(event.title)
            if len(label) > 38:
                label = label[:36].rstrip() + "…"
            width = fonts.string_width(label, EVENT_LABEL_SIZE)
            # Greedy rows: each label goes in the first row where it does not touch the previous one.
            fits_right = ex + 5 + width <= x1
            left = ex + 5 if fits_right else ex - 5 - width
            row = next((r for r in range(MAX_LABEL_ROWS) if row_ends[r] < left - 3), None)
            y = top - 4 - row_h * ((row if row is not None else MAX_LABEL_ROWS - 1) + 1) + 2
            c.setStrokeColor(colour)
            c.setLineWidth(1.2)
            c.line(ex, top - height, ex, y + 6)
            c.setFillColor(colour)
            path = c.beginPath()  # a diamond: the event's exact time
            path.moveTo(ex, y + 6)
            path.lineTo(ex + 3, y + 3)
            path.lineTo(ex, y)
            path.lineTo(ex - 3, y + 3)
            path.close()
            c.drawPath(path, fill=1, stroke=0)
            if row is not None:
                row_ends[row] = left + width
                labels.append((left, y, width, label))
        # Labels last, on a backing, so later event lines never run through their text.
        for left, y, width, label in labels:
            c.setFillColor(LANE_FILL)
            c.rect(left - 1.5, y - 1, width + 3, EVENT_LABEL_SIZE + 2.5, fill=1, stroke=0)
            c.setFillColor(INK)
            fonts.draw_string(c, left, y + 0.8, label, EVENT_LABEL_SIZE)
        c.setLineWidth(0.4)

    def _draw_customer_lane(self, c, x, x0: float, x1: float, top: float, bottom: float,  # noqa: ANN001
                            colors: dict) -> None:
        spans = [s for s in self.data.conversations
                 if s.last_at.timestamp() >= self.t0 and s.first_at.timestamp() <= self.t1]
        channels = sorted({s.channel for s in spans},
                          key=lambda ch: CHANNEL_ORDER.index(ch) if ch in CHANNEL_ORDER else 99)
        c.setFillColor(INK)
        fonts.draw_string(c, 0, top - 11, "Customers", 8, fonts.SANS_BOLD)
        if not channels:
            c.setFillColor(MUTED)
            fonts.draw_string(c, x0 + 4, top - 20, "No customer conversations in this window.", 7)
            return
        row_h = (top - 14 - bottom) / len(channels)
        impact = colors["windows"]["customer_impact"]
        for k, channel in enumerate(channels):
            row_top = top - 14 - k * row_h
            c.setFillColor(LANE_FILL if k % 2 == 0 else white)
            c.rect(x0, row_top - row_h, x1 - x0, row_h, fill=1, stroke=0)
            mine = [s for s in spans if s.channel == channel]
            c.setFillColor(MUTED)
            fonts.draw_string(c, 4, row_top - row_h / 2 - 2.5, f"{channel} ({len(mine)})", 6.5)
            starts = array("d", (s.first_at.timestamp() for s in mine))
            ends = array("d", (max(s.last_at.timestamp(), s.first_at.timestamp()) for s in mine))
            tracks, n_tracks = pack_tracks(starts, ends)
            track_h = max((row_h - 4) / max(n_tracks, 1), 1.0)
            for s, start, end, track in zip(mine, starts, ends, tracks, strict=True):
                # Old product confusion is drawn grey so it is never read as incident damage.
                c.setFillColor(HexColor(colors["untagged"]["light"] if s.pre_existing or channel == "internal"
                                        else impact))
                left = max(x(start), x0)
                right = min(x(end), x1)
                c.rect(left, row_top - 2 - (track + 1) * track_h + 0.3, max(right - left, 1.6),
                       max(track_h - 0.6, 0.6), fill=1, stroke=0)

    def _draw_status_marker(self, c, x, top: float, bottom: float, colors: dict) -> None:  # noqa: ANN001
        resolved = self.data.status_page_resolved
        if resolved is None or not self.t0 <= resolved.timestamp() <= self.t1:
            return
        mx = x(resolved.timestamp())
        colour = HexColor(colors["windows"]["status_page"])
        c.setStrokeColor(colour)
        c.setLineWidth(1.2)
        c.setDash(3, 2)
        c.line(mx, bottom, mx, top - 2)
        c.setDash()
        c.setLineWidth(0.4)
        label = f"Status page: resolved {format_time(resolved.timestamp(), self.data.zone_name, False)}"
        c.setFillColor(colour)
        width = fonts.string_width(label, 6.5, fonts.SANS_BOLD)
        right = mx + 3 + width <= self.width
        fonts.draw_string(c, mx + 3 if right else mx - 3, top - 8, label, 6.5, fonts.SANS_BOLD,
                          anchor="left" if right else "right")

    def _draw_legend(self, c, y: float, colors: dict) -> None:  # noqa: ANN001
        items = [("Technical window", colors["windows"]["technical"]),
                 ("Customer impact window / conversations", colors["windows"]["customer_impact"]),
                 ("Status page resolved (dashed)", colors["windows"]["status_page"]),
                 ("Pre-existing or internal", colors["untagged"]["light"])]
        cursor = 0.0
        for label, colour in items:
            c.setFillColor(HexColor(colour))
            c.rect(cursor, y, 8, 6, fill=1, stroke=0)
            c.setFillColor(MUTED)
            cursor += 11 + fonts.draw_string(c, cursor + 11, y + 0.5, label, 6.3) + 10
        if self.hidden_before:
            c.setFillColor(MUTED)
            fonts.draw_string(c, 0, y - 10, f"{self.hidden_before} earlier or later conversations (e.g. "
                              "pre-existing questions) lie outside this span and are not drawn.", 6.3)
