"""Qt-free layout of the dual-swimlane timeline: lanes, sub-rows, level of detail, windows and axis ticks.

Times are UTC epoch seconds (floats) throughout, so 100,000 conversations live in a few flat
`array` columns instead of objects. The layout never paints: `timeline.drawing` turns it into
primitives for any canvas (the Qt view, an image, the PDF report).
"""
from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GROUP_BY = ("channel", "segment", "task", "tag")
GROUP_LABELS = {"channel": "Channel", "segment": "Customer segment", "task": "Customer task", "tag": "Tag"}
MAX_TRACKS = 10          # overlapping bars inside one sub-row share at most this many tracks
MAX_SUBROWS = 8          # the rest are folded into "Other" so the lane stays readable on a projector
BAR_LIMIT = 800          # beyond this many visible bars the lane switches to histogram bins
BIN_PX = 8               # width of one histogram bin on screen
LONG_S = 3 * 3600        # conversations longer than this are kept aside so bisect windows stay short
MIN_SPAN_S = 5 * 60      # deepest zoom: five minutes across the plot
MAX_SPAN_S = 60 * 86400  # widest zoom: sixty days
SYSTEM_LANE_HEIGHT = 92  # the System lane: a marker row and three label rows, at scale 1
SYSTEM_LANE_MIN = 48     # ...and on a short picture, a marker row and one label row

T = TypeVar("T")


# ---- input: what the timeline service hands over ------------------------------------------------

@dataclass(frozen=True)
class SystemEventMark:
    id: int
    at: float
    kind: str
    title: str


@dataclass(frozen=True)
class TagInfo:
    name: str
    color: int  # index into the palette's tag colours


@dataclass
class ConversationColumns:
    """One incident's conversations as parallel columns, sorted by start time."""

    ids: array[int] = field(default_factory=lambda: array("q"))
    starts: array[float] = field(default_factory=lambda: array("d"))
    ends: array[float] = field(default_factory=lambda: array("d"))
    channel: array[int] = field(default_factory=lambda: array("i"))
    segment: array[int] = field(default_factory=lambda: array("i"))
    task: array[int] = field(default_factory=lambda: array("i"))
    tag: array[int] = field(default_factory=lambda: array("i"))  # dominant tag code, -1 for none
    pre_existing: array[int] = field(default_factory=lambda: array("b"))
    channel_names: list[str] = field(default_factory=list)
    segment_names: list[str] = field(default_factory=list)
    task_names: list[str] = field(default_factory=list)
    tags: list[TagInfo] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class TimelineData:
    incident_id: int
    title: str
    technical_start: float | None
    technical_end: float | None
    status_page_resolved: float | None
    review_start: float | None
    review_end: float | None
    customer_start: float | None
    customer_end: float | None
    headline: str
    events: list[SystemEventMark]
    conversations: ConversationColumns


# ---- time mapping and axis ----------------------------------------------------------------------

@dataclass(frozen=True)
class TimeScale:
    """Maps the visible time range [t0, t1] onto the plot's pixels [x0, x1]."""

    t0: float
    t1: float
    x0: float
    x1: float

    @property
    def px_per_s(self) -> float:
        return (self.x1 - self.x0) / max(self.t1 - self.t0, 1e-9)

    def x(self, t: float) -> float:
        return self.x0 + (t - self.t0) * self.px_per_s

    def t(self, x: float) -> float:
        return self.t0 + (x - self.x0) / self.px_per_s


_TICK_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)


def zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name and name != "UTC" else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Tick:
    t: float
    label: str
    major: bool  # a new day begins here


def tick_step(span_s: float, width_px: float, min_gap_px: float = 100) -> int:
    """The smallest tick step (1 min … 1 week) that keeps labels at least min_gap_px apart."""
    for step in _TICK_STEPS:
        if step * width_px / max(span_s, 1) >= min_gap_px:
            return step
    return _TICK_STEPS[-1]


def axis_ticks(t0: float, t1: float, width_px: float, zone_name: str, min_gap_px: float = 100) -> list[Tick]:
    """Ticks on whole local minutes/hours/days in the display zone, labelled for that zone."""
    zone = zone_of(zone_name)
    step = tick_step(t1 - t0, width_px, min_gap_px)
    local = datetime.fromtimestamp(t0, zone)
    if step >= 86400:
        cursor = local.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        cursor = local.replace(minute=0, second=0, microsecond=0)
    ticks: list[Tick] = []
    prev_day = None
    # Walk in local wall-clock steps so ticks stay on :00/:30 across a DST change.
    for _ in range(2000):
        t = cursor.timestamp()
        if t > t1:
            break
        if t >= t0:
            day = cursor.date()
            new_day = day != prev_day and (cursor.hour == 0 or not ticks)
            ticks.append(Tick(t, _tick_label(cursor, step, new_day), cursor.hour == 0 and cursor.minute == 0))
            prev_day = day
        cursor = _advance(cursor, step, zone)
    return ticks


def _advance(cursor: datetime, step: int, zone: tzinfo) -> datetime:
    if step >= 86400:
        naive = cursor.replace(tzinfo=None) + timedelta(days=step // 86400)
        return naive.replace(tzinfo=zone)
    utc = cursor.astimezone(UTC) + timedelta(seconds=step)
    local = utc.astimezone(zone)
    return local


def _tick_label(local: datetime, step: int, new_day: bool) -> str:
    if step >= 86400:
        return local.strftime("%a %d %b")
    if new_day:
        return local.strftime("%a %d %b %H:%M")
    return local.strftime("%H:%M")


def format_time(t: float, zone_name: str, with_day: bool = True) -> str:
    local = datetime.fromtimestamp(t, zone_of(zone_name))
    return local.strftime("%a %d %b %H:%M" if with_day else "%H:%M")


# ---- sub-rows inside the customer lane ----------------------------------------------------------

@dataclass
class SubRow:
    key: str
    label: str
    index: array[int]         # positions into ConversationColumns, in start order
    starts: array[float]
    ends: array[float]
    tracks: array[int]
    n_tracks: int
    max_duration: float       # of the conversations not in `long`
    starts_by_tag: dict[int, array[float]]  # tag code → sorted starts, for stacked histogram bins
    long: array[int] = field(default_factory=lambda: array("i"))  # sub-row positions lasting over LONG_S

    def __len__(self) -> int:
        return len(self.index)


def _group_codes(convs: ConversationColumns, group_by: str) -> tuple[array[int], list[str]]:
    if group_by == "channel":
        return convs.channel, convs.channel_names
    if group_by == "segment":
        return convs.segment, [n or "No segment" for n in convs.segment_names]
    if group_by == "task":
        return convs.task, [n or "No task recorded" for n in convs.task_names]
    if group_by == "tag":
        codes = array("i", (c + 1 for c in convs.tag))  # -1 (untagged) becomes 0
        return codes, ["Untagged"] + [t.name for t in convs.tags]
    raise ValueError(f"unknown sub-row grouping {group_by!r}; use one of {', '.join(GROUP_BY)}")


def build_subrows(convs: ConversationColumns, group_by: str) -> list[SubRow]:
    """Groups conversations into sub-rows (largest first; beyond MAX_SUBROWS folded into 'Other')."""
    codes, names = _group_codes(convs, group_by)
    members: dict[int, list[int]] = {}
    for position, code in enumerate(codes):
        members.setdefault(code, []).append(position)
    ordered = sorted(members, key=lambda c: (-len(members[c]), names[c] if c < len(names) else ""))
    if group_by == "channel":
        ordered = sorted(members, key=lambda c: _CHANNEL_ORDER.get(names[c], 99))
    keep, rest = ordered[:MAX_SUBROWS - 1], ordered[MAX_SUBROWS - 1:]
    if len(rest) == 1:
        keep, rest = ordered, []
    groups = [(names[c], members[c]) for c in keep]
    if rest:
        folded = sorted(p for c in rest for p in members[c])
        groups.append((f"Other ({len(rest)})", folded))
    return [_make_subrow(convs, label, positions) for label, positions in groups]


_CHANNEL_ORDER = {"ticket": 0, "chat": 1, "call": 2, "email": 3, "internal": 4}


def _make_subrow(convs: ConversationColumns, label: str, positions: list[int]) -> SubRow:
    index = array("i", positions)
    starts = array("d", (convs.starts[p] for p in positions))
    ends = array("d", (max(convs.ends[p], convs.starts[p]) for p in positions))
    tracks, n_tracks = pack_tracks(starts, ends)
    by_tag: dict[int, array[float]] = {}
    for p, s in zip(positions, starts, strict=True):
        by_tag.setdefault(convs.tag[p], array("d")).append(s)
    durations = [e - s for s, e in zip(starts, ends, strict=True)]
    long = array("i", (i for i, d in enumerate(durations) if d > LONG_S))
    max_duration = max((d for d in durations if d <= LONG_S), default=0.0)
    return SubRow(label, label, index, starts, ends, tracks, n_tracks, max_duration, by_tag, long)


def pack_tracks(starts: array[float], ends: array[float], max_tracks: int = MAX_TRACKS) -> tuple[array[int], int]:
    """Greedy interval packing into at most max_tracks tracks (start-sorted input).

    When all tracks are busy the bar goes on the track that frees first, overlapping it: a capped
    height keeps the lane legible, and the histogram view takes over when it gets that dense.
    """
    tracks = array("i", bytes(4 * len(starts)))
    free: list[tuple[float, int]] = []  # (end time, track)
    used = 0
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if free and (free[0][0] < s or used >= max_tracks):
            _end, track = heapq.heappop(free)
        else:
            track = used
            used += 1
        tracks[i] = track
        heapq.heappush(free, (e, track))
    return tracks, used


# ---- level of detail ----------------------------------------------------------------------------

def visible_range(row: SubRow, t0: float, t1: float) -> tuple[int, int]:
    """Positions [lo, hi) of the conversations starting inside [t0, t1] (bisect on sorted starts)."""
    return bisect_left(row.starts, t0), bisect_right(row.starts, t1)


def visible_bars(row: SubRow, t0: float, t1: float) -> list[int]:
    """Positions of the conversations overlapping [t0, t1]: bisect for the usual ones, a scan of the few long ones."""
    lo, hi = bisect_left(row.starts, t0 - row.max_duration), bisect_right(row.starts, t1)
    starts, ends = row.starts, row.ends
    found = [i for i in range(lo, hi) if ends[i] >= t0 and ends[i] - starts[i] <= LONG_S]
    found.extend(i for i in row.long if starts[i] <= t1 and ends[i] >= t0)
    return found


@dataclass(frozen=True)
class Bin:
    t0: float
    t1: float
    counts: tuple[tuple[int, int], ...]  # (tag code, conversations started in the bin), largest first

    @property
    def total(self) -> int:
        return sum(c for _tag, c in self.counts)


def bin_seconds(px_per_s: float, bin_px: float = BIN_PX) -> float:
    """A round bin width near bin_px pixels, so bins stay put while panning."""
    raw = bin_px / max(px_per_s, 1e-12)
    for nice in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if nice >= raw:
            return float(nice)
    return float(86400 * max(1, round(raw / 86400)))


def histogram(row: SubRow, t0: float, t1: float, width_s: float) -> list[Bin]:
    """Conversations started per bin over [t0, t1], split by dominant tag (empty bins left out)."""
    first = (t0 // width_s) * width_s
    edges = []
    edge = first
    while edge <= t1:
        edges.append(edge)
        edge += width_s
    edges.append(edge)
    per_tag = []
    for tag, starts in row.starts_by_tag.items():
        cuts = [bisect_left(starts, e) for e in edges]
        if cuts[-1] > cuts[0]:
            per_tag.append((tag, cuts))
    bins = []
    for k in range(len(edges) - 1):
        counts = [(tag, cuts[k + 1] - cuts[k]) for tag, cuts in per_tag if cuts[k + 1] > cuts[k]]
        if counts:
            counts.sort(key=lambda tc: -tc[1])
            bins.append(Bin(edges[k], edges[k + 1], tuple(counts)))
    return bins


# ---- the whole layout ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    y: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, y: float) -> bool:
        return self.y <= y < self.y + self.h


@dataclass(frozen=True)
class Geometry:
    """Vertical bands (pixels) and the plot's horizontal extent for one canvas size."""

    width: float
    height: float
    plot_x0: float
    plot_x1: float
    headline: Band
    windows: Band
    axis: Band
    system: Band
    customers: Band
    subrows: tuple[Band, ...]
    legend: Band


@dataclass(frozen=True)
class Hit:
    kind: str              # "conversation", "bin", "event", "technical_start", "technical_end",
    #                        "status_page", "system_lane", "customer_lane", "legend", "none"
    id: int = -1           # conversation or event id
    t: float = 0.0         # time under the pointer
    row: int = -1          # sub-row index
    bin: Bin | None = None


class TimelineLayout:
    """An incident's timeline laid out for a visible time range; cheap to re-query per paint."""

    def __init__(self, data: TimelineData, zone_name: str = "UTC", group_by: str = "channel"):
        self.data = data
        self.zone_name = zone_name
        self.group_by = group_by
        self.subrows = build_subrows(data.conversations, group_by)
        self.t0, self.t1 = self.incident_span()
        self.scale_factor = 1.0  # 1.0 for screens, larger for projectors (set by the theme)
        # Pending drags: shown in place before the edit is committed (event id or marker name → time).
        self.overrides: dict[object, float] = {}
        #: the conversation open in the reader (its id, -1: none), outlined so the eye finds it again
        self.highlighted = -1
        self._cache: dict[str, tuple[object, object]] = {}

    def cached(self, name: str, key: object, compute: Callable[[], T]) -> T:
        """compute() once per key: repeated paints of an unchanged view reuse bins and counts."""
        found = self._cache.get(name)
        if found is not None and found[0] == key:
            return cast(T, found[1])  # stored by this method under this name, from the same compute
        value = compute()
        self._cache[name] = (key, value)
        return value

    # -- ranges
    def set_group_by(self, group_by: str) -> None:
        if group_by != self.group_by:
            self.subrows = build_subrows(self.data.conversations, group_by)
            self.group_by = group_by
            self._cache.clear()

    def incident_span(self) -> tuple[float, float]:
        """Technical window and customer impact window together, with a margin each side."""
        d = self.data
        times = [t for t in (d.technical_start, d.technical_end, d.status_page_resolved,
                             d.customer_start, d.customer_end) if t is not None]
        if d.technical_end is None or d.customer_start is None:
            # no recovery or no impact window yet: the conversations themselves say where to look
            times += list(d.conversations.starts[:1]) + list(d.conversations.ends[-1:])
        if not times:
            times = [e.at for e in d.events] + list(d.conversations.starts[:1]) + list(d.conversations.ends[-1:])
        if not times:
            now = datetime.now(UTC).timestamp()
            return now - 3600, now + 3600
        return _padded(min(times), max(times))

    def review_span(self) -> tuple[float, float]:
        d = self.data
        if d.review_start is None or d.review_end is None:
            return self.incident_span()
        return _padded(d.review_start, d.review_end, 0.02)

    def review_counts(self) -> list[tuple[int, int]]:
        """Per sub-row, (within, outside) the review window: a conversation wholly before or after it is
        never in view, so the row's label counts only the others and the lane says how many are left out."""
        d = self.data
        if d.review_start is None or d.review_end is None:
            return [(len(row), 0) for row in self.subrows]
        start, end = d.review_start, d.review_end

        def counts() -> list[tuple[int, int]]:
            result = []
            for row in self.subrows:
                outside = sum(1 for s, e in zip(row.starts, row.ends, strict=True) if e < start or s > end)
                result.append((len(row) - outside, outside))
            return result
        return self.cached("review_counts", (self.group_by, start, end), counts)

    def set_view(self, t0: float, t1: float) -> None:
        span = min(max(t1 - t0, MIN_SPAN_S), MAX_SPAN_S)
        centre = (t0 + t1) / 2
        self.t0, self.t1 = centre - span / 2, centre + span / 2

    def zoom(self, factor: float, about: float | None = None) -> None:
        """factor > 1 zooms in; the time under `about` stays where it is."""
        about = (self.t0 + self.t1) / 2 if about is None else about
        span = min(max((self.t1 - self.t0) / factor, MIN_SPAN_S), MAX_SPAN_S)
        left = (about - self.t0) / max(self.t1 - self.t0, 1e-9)
        self.t0 = about - left * span
        self.t1 = self.t0 + span

    def pan(self, seconds: float) -> None:
        self.t0 += seconds
        self.t1 += seconds

    # -- geometry
    def geometry(self, width: float, height: float) -> Geometry:
        s = self.scale_factor
        label_w = 124 * s
        headline = Band(0, 44 * s)
        windows = Band(headline.bottom, 50 * s)
        axis = Band(windows.bottom, 26 * s)
        legend_h = 26 * s
        # On a short picture (a 1280x720 projector) the System lane gives way first: it never takes more
        # than a third of the lanes' height, so the customer rows, the point of the review, keep theirs.
        lanes = height - axis.bottom - 4 * s - legend_h
        system = Band(axis.bottom, min(SYSTEM_LANE_HEIGHT * s, max(SYSTEM_LANE_MIN * s, lanes / 3)))
        customers = Band(system.bottom + 4 * s, max(height - system.bottom - 4 * s - legend_h, 40 * s))
        legend = Band(customers.bottom, legend_h)
        return Geometry(width, height, label_w, width - 16 * s, headline, windows, axis, system, customers,
                        self._subrow_bands(customers), legend)

    def _subrow_bands(self, lane: Band) -> tuple[Band, ...]:
        if not self.subrows:
            return ()
        weights = [1.0 + min(r.n_tracks, MAX_TRACKS) ** 0.5 for r in self.subrows]
        total = sum(weights)
        bands, y = [], lane.y
        for w in weights:
            h = lane.h * w / total
            bands.append(Band(y, h))
            y += h
        return tuple(bands)

    def scale(self, geo: Geometry) -> TimeScale:
        return TimeScale(self.t0, self.t1, geo.plot_x0, geo.plot_x1)

    # -- level of detail
    def row_uses_bins(self, row: SubRow, scale: TimeScale, visible_total: int | None = None) -> bool:
        lo, hi = visible_range(row, scale.t0, scale.t1)
        count = hi - lo
        if visible_total is not None and visible_total > BAR_LIMIT:
            return True
        # Bars are worth drawing while each track has ~40 px per bar on average; denser reads better as counts.
        return count > max(row.n_tracks, 1) * (scale.x1 - scale.x0) / 40

    def visible_total(self, scale: TimeScale) -> int:
        return self.cached("visible_total", (scale.t0, scale.t1, self.group_by), lambda: sum(
            hi - lo for lo, hi in (visible_range(r, scale.t0, scale.t1) for r in self.subrows)))

    # -- times that may be being dragged
    def event_time(self, event: SystemEventMark) -> float:
        return self.overrides.get(("event", event.id), event.at)

    def marker_time(self, name: str) -> float | None:
        if ("marker", name) in self.overrides:
            return self.overrides[("marker", name)]
        time: float | None = getattr(self.data, name)  # one of the data's marker fields
        return time

    # -- hit testing
    def hit(self, x: float, y: float, geo: Geometry, tolerance: float = 6.0) -> Hit:
        scale = self.scale(geo)
        t = scale.t(x)
        if geo.legend.contains(y):  # a narrow legend says "+9 more": the tooltip lists every key
            return Hit("legend", t=t)
        if x < geo.plot_x0 or x > geo.plot_x1:
            return Hit("none", t=t)
        if geo.windows.y <= y < geo.customers.bottom:
            for name in ("status_page_resolved", "technical_start", "technical_end"):
                mt = self.marker_time(name)
                if mt is not None and abs(scale.x(mt) - x) <= tolerance and y < geo.system.bottom:
                    return Hit("status_page" if name == "status_page_resolved" else name, t=mt)
        if geo.system.contains(y):
            best = None
            for ev in self.data.events:
                dx = abs(scale.x(self.event_time(ev)) - x)
                if dx <= tolerance * 1.5 and (best is None or dx < best[0]):
                    best = (dx, ev)
            if best is not None:
                return Hit("event", id=best[1].id, t=t)
            return Hit("system_lane", t=t)
        for k, band in enumerate(geo.subrows):
            if band.contains(y):
                return self._hit_row(k, band, x, y, scale, t)
        return Hit("none", t=t)

    def _hit_row(self, k: int, band: Band, x: float, y: float, scale: TimeScale, t: float) -> Hit:
        row = self.subrows[k]
        if self.row_uses_bins(row, scale, self.visible_total(scale)):
            width_s = bin_seconds(scale.px_per_s)
            start = (t // width_s) * width_s
            found = histogram(row, start, start + width_s * 0.5, width_s)
            if found and found[0].t0 <= t < found[0].t1:
                return Hit("bin", t=t, row=k, bin=found[0])
            return Hit("customer_lane", t=t, row=k)
        track_h = track_height(band, row)
        track = int((y - band.y - 2) // track_h)
        slack = 3 / scale.px_per_s  # thin bars are drawn at least 3 px wide
        for i in visible_bars(row, t - slack, t + slack):
            if row.tracks[i] == track and row.starts[i] - slack <= t <= row.ends[i] + slack:
                return Hit("conversation", id=self.data.conversations.ids[row.index[i]], t=t, row=k)
        return Hit("customer_lane", t=t, row=k)


def track_height(band: Band, row: SubRow) -> float:
    return max((band.h - 4) / max(row.n_tracks, 1), 1.0)


def _padded(a: float, b: float, frac: float = 0.08) -> tuple[float, float]:
    pad = max((b - a) * frac, 5 * 60)
    return a - pad, b + pad
