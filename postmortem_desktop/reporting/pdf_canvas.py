"""The shared timeline drawing (timeline.drawing) on a reportlab canvas, as a vector Flowable."""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from ..timeline.drawing import Theme, draw_timeline
from ..timeline.layout import ConversationColumns, SystemEventMark, TagInfo, TimelineData, TimelineLayout
from . import fonts
from .pdf_timeline import palette
from .report_data import ReportData

PDF_SCALE = 0.56  # the screen's sizes, shrunk to fit a 515 pt column at 7 pt type
HATCH_GAP = 3.0
_ANCHORS = {"start": "left", "middle": "centre", "end": "right"}


def _epoch(value) -> float | None:  # noqa: ANN001
    return value.timestamp() if value is not None else None


def timeline_data(data: ReportData) -> TimelineData:
    """The layout's input, built from the report's (possibly redacted) content."""
    cols = ConversationColumns()
    spans = sorted(data.conversations, key=lambda c: c.first_at)
    tag_order = {t.name: (k, t.color) for k, t in enumerate(data.tag_counts)}
    used = sorted({c.dominant_tag for c in spans if c.dominant_tag in tag_order}, key=lambda n: tag_order[n][0])
    code = {name: k for k, name in enumerate(used)}
    cols.tags = [TagInfo(name, tag_order[name][1]) for name in used]
    channels: dict[str, int] = {}
    segments: dict[str, int] = {}
    tasks: dict[str, int] = {}
    for k, span in enumerate(spans):
        cols.ids.append(span.id or k + 1)
        start = span.first_at.timestamp()
        cols.starts.append(start)
        cols.ends.append(max(span.last_at.timestamp(), start))
        cols.channel.append(channels.setdefault(span.channel or "ticket", len(channels)))
        cols.segment.append(segments.setdefault(span.segment.strip(), len(segments)))
        cols.task.append(tasks.setdefault(span.task.strip(), len(tasks)))
        cols.tag.append(code.get(span.dominant_tag, -1))
        cols.pre_existing.append(1 if span.pre_existing else 0)
    cols.channel_names, cols.segment_names, cols.task_names = list(channels), list(segments), list(tasks)
    return TimelineData(
        incident_id=data.incident_id, title=data.title,
        technical_start=_epoch(data.technical.start) if data.technical else None,
        technical_end=_epoch(data.technical.end) if data.technical else None,
        status_page_resolved=_epoch(data.status_page_resolved),
        review_start=_epoch(data.review_start), review_end=_epoch(data.review_end),
        customer_start=_epoch(data.customer.start) if data.customer else None,
        customer_end=_epoch(data.customer.end) if data.customer else None,
        headline=data.headline,
        events=[SystemEventMark(k, e.at.timestamp(), e.kind, e.title) for k, e in enumerate(data.system_events)],
        conversations=cols,
    )


class ReportlabCanvas:
    """timeline.drawing's Canvas on a reportlab canvas: top-left origin, y down, mapped to PDF space."""

    def __init__(self, canv, height: float):  # noqa: ANN001
        self.c = canv
        self.h = height

    def _fill(self, colour: str | None, alpha: float) -> None:
        if colour:
            self.c.setFillColor(HexColor(colour))
            self.c.setFillAlpha(alpha)

    def _stroke(self, colour: str | None, width: float, alpha: float) -> None:
        if colour:
            self.c.setStrokeColor(HexColor(colour))
            self.c.setStrokeAlpha(alpha)
            self.c.setLineWidth(width)

    def rect(self, x, y, w, h, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,  # noqa: ANN001
             pattern_color: str | None = None) -> None:
        self.rects([(x, y, w, h)], fill=fill, stroke=stroke, stroke_width=stroke_width, alpha=alpha,
                   pattern=pattern, pattern_color=pattern_color)

    def rects(self, boxes, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,  # noqa: ANN001
              pattern_color: str | None = None) -> None:
        self._fill(fill, alpha)
        self._stroke(stroke, stroke_width, alpha)
        for x, y, w, h in boxes:
            if w <= 0 or h <= 0:
                continue
            self.c.rect(x, self.h - y - h, w, h, fill=1 if fill else 0, stroke=1 if stroke else 0)
            if pattern and pattern != "solid" and pattern_color:
                self._hatch(x, y, w, h, pattern, pattern_color, alpha)
                self._fill(fill, alpha)
                self._stroke(stroke, stroke_width, alpha)
        self.c.setFillAlpha(1)
        self.c.setStrokeAlpha(1)

    def _hatch(self, x: float, y: float, w: float, h: float, pattern: str, colour: str, alpha: float) -> None:
        """A simple line hatch inside the box, so tag colours never carry meaning alone."""
        if w < 2 or h < 2:
            return
        c = self.c
        c.saveState()
        path = c.beginPath()
        path.rect(x, self.h - y - h, w, h)
        c.clipPath(path, stroke=0, fill=0)
        self._stroke(colour, 0.35, alpha * 0.7)
        top, bottom = self.h - y, self.h - y - h
        gap = HATCH_GAP * (2 if pattern == "sparse" else 0.7 if pattern == "dense" else 1)
        lines = []
        if pattern in ("horizontal", "cross", "grid", "dots", "dense", "sparse"):
            lines += [(x, yy, x + w, yy) for yy in _steps(bottom, top, gap)]
        if pattern in ("vertical", "cross", "grid"):
            lines += [(xx, bottom, xx, top) for xx in _steps(x, x + w, gap)]
        if pattern in ("diagonal", "diagcross"):
            lines += [(xx, bottom, xx + h, top) for xx in _steps(x - h, x + w, gap)]
        if pattern in ("backdiagonal", "diagcross"):
            lines += [(xx, top, xx + h, bottom) for xx in _steps(x - h, x + w, gap)]
        if lines:
            c.lines(lines)
        c.restoreState()

    def line(self, x1, y1, x2, y2, *, color, width=1.0, dash=None, alpha=1.0) -> None:  # noqa: ANN001
        self._stroke(color, width, alpha)
        if dash:
            self.c.setDash(list(dash))
        self.c.line(x1, self.h - y1, x2, self.h - y2)
        if dash:
            self.c.setDash()
        self.c.setStrokeAlpha(1)

    def polygon(self, points: Sequence[tuple[float, float]], *, fill, stroke=None, stroke_width=1.0,  # noqa: ANN001
                alpha: float = 1.0) -> None:
        self._fill(fill, alpha)
        self._stroke(stroke, stroke_width, alpha)
        path = self.c.beginPath()
        (x0, y0), rest = points[0], points[1:]
        path.moveTo(x0, self.h - y0)
        for x, y in rest:
            path.lineTo(x, self.h - y)
        path.close()
        self.c.drawPath(path, fill=1 if fill else 0, stroke=1 if stroke else 0)
        self.c.setFillAlpha(1)
        self.c.setStrokeAlpha(1)

    def text(self, x, y, text, *, color, size, bold=False, anchor="start") -> None:  # noqa: ANN001
        self._fill(color, 1.0)
        # y is the middle of the line; a baseline about a third of the size below it centres the x-height
        fonts.draw_string(self.c, x, self.h - y - size * 0.35, text, size, fonts.SANS_BOLD if bold else fonts.SANS,
                          anchor=_ANCHORS.get(anchor, "left"))

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        return fonts.string_width(text, size, fonts.SANS_BOLD if bold else fonts.SANS)

    def clip(self, x, y, w, h) -> None:  # noqa: ANN001
        self.c.saveState()
        path = self.c.beginPath()
        path.rect(x, self.h - y - h, w, h)
        self.c.clipPath(path, stroke=0, fill=0)

    def unclip(self) -> None:
        self.c.restoreState()


def _steps(start: float, stop: float, gap: float):  # noqa: ANN202
    value = start
    while value <= stop:
        yield value
        value += gap


class SharedTimelineFlowable(Flowable):
    """The same timeline the screen draws (same layout, colours, markers), as PDF vectors."""

    def __init__(self, data: ReportData, width: float, height: float = 300):
        super().__init__()
        self.data = data
        self.width = width
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        layout = TimelineLayout(timeline_data(self.data), self.data.zone_name, "channel")
        theme = Theme.from_palette(palette(), scale=PDF_SCALE)
        self.canv.saveState()
        draw_timeline(layout, ReportlabCanvas(self.canv, self.height), self.width, self.height, theme)
        self.canv.restoreState()
