"""The timeline's Qt-free layout and drawing: ticks, tracks, sub-rows, level of detail, hit testing."""
import random
from array import array
from datetime import datetime, timezone

from postmortem_desktop.timeline import layout as tl
from postmortem_desktop.timeline.drawing import Theme, draw_timeline
from postmortem_desktop.timeline.layout import (
    ConversationColumns,
    SystemEventMark,
    TagInfo,
    TimelineData,
    TimelineLayout,
)

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc).timestamp()


def columns(spans, channels=None, tags=None, tag_infos=None):
    cols = ConversationColumns()
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    names = sorted(set(channels or ["ticket"]))
    for i in order:
        cols.ids.append(100 + i)
        cols.starts.append(spans[i][0])
        cols.ends.append(spans[i][1])
        cols.channel.append(names.index((channels or ["ticket"] * len(spans))[i]))
        cols.segment.append(0)
        cols.task.append(0)
        cols.tag.append((tags or [-1] * len(spans))[i])
        cols.pre_existing.append(0)
    cols.channel_names, cols.segment_names, cols.task_names = names, [""], [""]
    cols.tags = tag_infos or [TagInfo("confusion", 0), TagInfo("trust-loss", 1)]
    return cols


def data(cols, events=()):
    return TimelineData(1, "Outage", T0 + 1200, T0 + 3600, T0 + 3900, T0 - 3600, T0 + 72 * 3600,
                        T0 + 1300, T0 + 5 * 3600, "Logs: 40 min. Customers: 4 h 35 min.", list(events), cols)


class RecordingCanvas:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
        return record

    def text_width(self, text, size, bold=False):
        return len(text) * size * 0.55

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


def test_ticks_get_coarser_as_the_span_grows():
    hour = tl.axis_ticks(T0, T0 + 3600, 1200, "UTC")
    days = tl.axis_ticks(T0, T0 + 4 * 86400, 1200, "UTC")
    assert hour[1].t - hour[0].t <= 15 * 60
    assert days[1].t - days[0].t >= 6 * 3600
    assert all(datetime.fromtimestamp(t.t, timezone.utc).minute == 0 for t in days)


def test_tick_labels_are_in_the_display_zone():
    utc = tl.axis_ticks(T0, T0 + 3 * 3600, 1200, "UTC")
    berlin = tl.axis_ticks(T0, T0 + 3 * 3600, 1200, "Europe/Berlin")
    assert "10:00" in utc[0].label
    assert "11:00" in berlin[0].label  # 10:00 UTC is 11:00 in Berlin in November


def test_overlapping_conversations_get_separate_tracks_and_later_ones_reuse_them():
    starts = array("d", [0, 10, 20, 100])
    ends = array("d", [50, 60, 30, 120])
    tracks, used = tl.pack_tracks(starts, ends)
    assert len({tracks[0], tracks[1], tracks[2]}) == 3
    assert used == 3
    assert tracks[3] in (tracks[0], tracks[1], tracks[2])


def test_track_count_is_capped_so_a_dense_row_stays_legible():
    n = 50
    tracks, used = tl.pack_tracks(array("d", range(n)), array("d", [1000.0] * n), max_tracks=4)
    assert used == 4 and max(tracks) == 3


def test_sub_rows_follow_the_chosen_grouping():
    cols = columns([(T0, T0 + 60), (T0 + 10, T0 + 70), (T0 + 20, T0 + 90)], ["chat", "ticket", "chat"], [0, -1, 1])
    by_channel = tl.build_subrows(cols, "channel")
    assert {r.label: len(r) for r in by_channel} == {"ticket": 1, "chat": 2}
    by_tag = tl.build_subrows(cols, "tag")
    assert {r.label: len(r) for r in by_tag} == {"Untagged": 1, "confusion": 1, "trust-loss": 1}


def test_many_groups_fold_into_other():
    n = tl.MAX_SUBROWS + 3
    cols = columns([(T0 + i, T0 + i + 5) for i in range(n)], [f"c{i:02d}" for i in range(n)])
    rows = tl.build_subrows(cols, "channel")
    assert len(rows) == tl.MAX_SUBROWS
    assert rows[-1].label.startswith("Other")
    assert sum(len(r) for r in rows) == n


def test_visible_bars_match_a_brute_force_scan_including_long_conversations():
    rng = random.Random(7)
    spans = []
    for _ in range(3000):
        s = T0 + rng.uniform(0, 86400)
        spans.append((s, s + (rng.expovariate(1 / 1800) if rng.random() < 0.97 else rng.uniform(4, 30) * 3600)))
    row = tl.build_subrows(columns(spans), "channel")[0]
    for _ in range(20):
        a = T0 + rng.uniform(0, 86400)
        b = a + rng.uniform(60, 7200)
        expected = {i for i in range(len(row)) if row.starts[i] <= b and row.ends[i] >= a}
        assert set(tl.visible_bars(row, a, b)) == expected


def test_histogram_counts_starts_per_bin_split_by_tag():
    rng = random.Random(3)
    spans = [(T0 + rng.uniform(0, 36000),) * 2 for _ in range(2000)]
    tags = [rng.choice([-1, 0, 1]) for _ in spans]
    row = tl.build_subrows(columns(spans, tags=tags), "channel")[0]
    bins = tl.histogram(row, T0, T0 + 36000, 600)
    assert sum(b.total for b in bins) == sum(1 for s, _ in spans if T0 <= s < bins[-1].t1)
    sample = bins[len(bins) // 2]
    per_tag = {t: sum(1 for (s, _), g in zip(spans, tags, strict=False) if g == t and sample.t0 <= s < sample.t1)
               for t in (-1, 0, 1)}
    assert dict(sample.counts) == {t: c for t, c in per_tag.items() if c}


def test_zoomed_out_dense_rows_use_bins_and_zoomed_in_rows_use_bars():
    rng = random.Random(5)
    spans = [(s, s + 300) for s in (T0 + rng.uniform(0, 86400) for _ in range(5000))]
    layout = TimelineLayout(data(columns(spans)))
    geo = layout.geometry(1600, 900)
    layout.set_view(T0, T0 + 86400)
    assert layout.row_uses_bins(layout.subrows[0], layout.scale(geo), layout.visible_total(layout.scale(geo)))
    layout.set_view(T0 + 3600, T0 + 3600 + 600)
    assert not layout.row_uses_bins(layout.subrows[0], layout.scale(geo), layout.visible_total(layout.scale(geo)))


def test_zoom_keeps_the_time_under_the_pointer_and_stops_at_five_minutes():
    layout = TimelineLayout(data(columns([(T0, T0 + 60)])))
    layout.set_view(T0, T0 + 7200)
    about = T0 + 1800
    before = (about - layout.t0) / (layout.t1 - layout.t0)
    layout.zoom(2.0, about)
    assert abs((about - layout.t0) / (layout.t1 - layout.t0) - before) < 1e-9
    assert abs((layout.t1 - layout.t0) - 3600) < 1e-6
    for _ in range(30):
        layout.zoom(2.0, about)
    assert layout.t1 - layout.t0 == tl.MIN_SPAN_S


def test_fit_incident_covers_both_windows_and_the_status_page_marker():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)])))
    t0, t1 = layout.incident_span()
    d = layout.data
    assert t0 < d.technical_start and t1 > d.customer_end and t0 < d.status_page_resolved < t1


def test_hit_finds_a_conversation_bar_an_event_and_the_status_page_marker():
    cols = columns([(T0 + 1800, T0 + 2400)], tags=[0])
    layout = TimelineLayout(data(cols, [SystemEventMark(7, T0 + 600, "alert", "Latency alert")]))
    layout.set_view(T0, T0 + 7200)
    geo = layout.geometry(1600, 900)
    scale = layout.scale(geo)
    band = geo.subrows[0]
    assert layout.hit(scale.x(T0 + 2100), band.y + 5, geo).id == 100
    assert layout.hit(scale.x(T0 + 600), geo.system.y + 10, geo).kind == "event"
    assert layout.hit(scale.x(T0 + 3900), geo.system.y + 10, geo).kind == "status_page"
    assert layout.hit(scale.x(T0 + 5000), geo.system.y + 10, geo).kind == "system_lane"
    assert layout.hit(scale.x(T0 + 6000), band.y + 5, geo).kind == "customer_lane"


def test_drawing_states_the_headline_and_labels_the_windows_and_status_page():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000), (T0 + 1500, T0 + 18000)], tags=[0, 1])))
    canvas = RecordingCanvas()
    draw_timeline(layout, canvas, 1600, 900, Theme.default())
    texts = [c[1][2] for c in canvas.named("text")]
    assert layout.data.headline in texts
    assert any(t.startswith("Technical window 40 min") for t in texts)
    assert any(t.startswith("Status page: resolved") for t in texts)
    assert any("kept asking" in t for t in texts)


def test_bars_carry_a_pattern_so_colour_is_not_the_only_signal():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000), (T0 + 1500, T0 + 4000)], tags=[0, 1])))
    canvas = RecordingCanvas()
    draw_timeline(layout, canvas, 1600, 900, Theme.default())
    theme = Theme.default()
    bars = [c for c in canvas.named("rect") if c[2].get("fill") in (theme.tag_fills[0], theme.tag_fills[1])
            and c[2].get("pattern")]
    patterns = {c[2]["pattern"] for c in bars}
    assert len(patterns) >= 2 and "solid" not in patterns


def test_a_dense_zoomed_out_timeline_draws_far_fewer_boxes_than_conversations():
    rng = random.Random(9)
    spans = [(s, s + 600) for s in (T0 + rng.uniform(0, 3 * 86400) for _ in range(20000))]
    layout = TimelineLayout(data(columns(spans)))
    layout.set_view(T0, T0 + 3 * 86400)
    canvas = RecordingCanvas()
    draw_timeline(layout, canvas, 1600, 900, Theme.default())
    boxes = len(canvas.named("rect")) + sum(len(c[1][0]) for c in canvas.named("rects"))
    assert boxes < 2000


def test_thousands_of_system_events_draw_a_bounded_number_of_markers_and_keep_each_kind():
    events = [SystemEventMark(i, T0 + i * 30, "note" if i % 50 else "alert", f"bot post {i}") for i in range(5000)]
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)]), events))
    layout.set_view(T0, T0 + 5000 * 30)
    canvas = RecordingCanvas()
    draw_timeline(layout, canvas, 1600, 900, Theme.default())
    markers = canvas.named("polygon")
    assert len(markers) < 1000  # one per event would be 5,000
    notes = Theme.default().system["note"]
    alerts = Theme.default().system["alert"]
    fills = {c[2]["fill"] for c in markers}
    assert {notes, alerts} <= fills  # a rare kind is not hidden by a dense one

    def polygons(evs):
        zoomed = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)]), evs))
        zoomed.set_view(T0, T0 + 20 * 30)
        canvas = RecordingCanvas()
        draw_timeline(zoomed, canvas, 1600, 900, Theme.default())
        return len(canvas.named("polygon"))

    assert polygons(events[:20]) - polygons([]) == 20  # every marker, when they stand apart


class WideTypeCanvas(RecordingCanvas):
    """Measures text as wide as DejaVu Sans Bold, the widest of the fonts the app meets."""

    def text_width(self, text, size, bold=False):
        return len(text) * size * (0.72 if bold else 0.62)


def drawn_texts(layout, width, height=700):
    canvas = WideTypeCanvas()
    draw_timeline(layout, canvas, width, height, Theme.default())
    return canvas, [c for c in canvas.named("text")]


def test_a_headline_too_long_for_one_line_wraps_at_words_without_losing_any():
    headline = ("Logs: 40 min. Customers: 23 h 7 min. Status page said resolved 22 h 25 min before the last "
                "customer question.")
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)])))
    layout.data.headline = headline
    for width in (500, 700):  # the timeline beside the docks at 1280 px, and narrower
        canvas, texts = drawn_texts(layout, width)
        band = layout.geometry(width, 700).headline
        lines = [c for c in texts if band.y <= c[1][1] <= band.bottom and c[1][2] != ""]
        assert len(lines) >= 2
        assert " ".join(c[1][2] for c in lines) == headline  # every word, in order, none cut
        for c in lines:
            assert canvas.text_width(c[1][2], c[2]["size"], True) <= width - 24


def test_tick_labels_keep_clear_of_the_times_label():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)])))
    for shift in range(0, 2 * 3600, 60):  # whatever the pan, no date runs into "Times: UTC"
        layout.set_view(T0 + shift, T0 + shift + 3600)
        canvas, texts = drawn_texts(layout, 500)
        zone = next(c for c in texts if c[1][2].startswith("Times:"))
        zone_right = zone[1][0] + canvas.text_width(zone[1][2], zone[2]["size"])
        axis = layout.geometry(500, 700).axis
        for c in texts:
            if c[2].get("anchor") == "middle" and axis.y <= c[1][1] <= axis.bottom:
                assert c[1][0] - canvas.text_width(c[1][2], c[2]["size"], c[2].get("bold", False)) / 2 > zone_right


def test_row_labels_count_only_what_the_review_window_shows_and_say_how_many_are_left_out():
    after = T0 + 80 * 3600  # the review window ends at T0 + 72 h
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000), (T0 + 1500, T0 + 4000), (after, after + 600)])))
    assert layout.review_counts() == [(2, 1)]
    _canvas, texts = drawn_texts(layout, 1200)
    words = [c[1][2] for c in texts]
    assert "ticket (2)" in words and "ticket (3)" not in words
    assert "+1 outside the review window, not counted" in words
    inside = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000)])))
    assert not any("outside" in c[1][2] for c in drawn_texts(inside, 1200)[1])


def test_window_labels_keep_clear_of_the_status_flag_and_the_gap_label_off_the_customer_lane():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000), (T0 + 1500, T0 + 18000)], tags=[0, 1])))
    for t0, t1 in ((T0 - 12 * 3600, T0 + 24 * 3600), (T0 - 3600, T0 + 6 * 3600), layout.incident_span()):
        layout.set_view(t0, t1)
        canvas, texts = drawn_texts(layout, 1280)
        geo = layout.geometry(1280, 700)
        flag = next(c[1][0] for c in canvas.named("polygon") if len(c[1][0]) == 3)  # the status-page flag
        flag_x0, flag_x1 = min(p[0] for p in flag), max(p[0] for p in flag)
        tech = next(c for c in texts if c[1][2].startswith("Technical window"))
        x, width = tech[1][0], canvas.text_width(tech[1][2], tech[2]["size"], True)
        if tech[2].get("anchor") == "end":
            x -= width
        assert x >= flag_x1 or x + width <= flag_x0, (t0, t1)
        for c in texts:
            if "after “resolved”" in c[1][2]:
                assert geo.windows.y <= c[1][1] <= geo.windows.bottom  # in the impact bar, not over tickets


def test_the_conversation_open_in_the_reader_is_ringed():
    layout = TimelineLayout(data(columns([(T0 + 1300, T0 + 2000), (T0 + 1500, T0 + 4000)], tags=[0, 1])))
    theme = Theme.default()

    def rings():
        canvas = RecordingCanvas()
        draw_timeline(layout, canvas, 1600, 900, theme)
        return [c for c in canvas.named("rect") if c[2].get("fill", "x") is None and c[2].get("stroke") == theme.text]
    assert rings() == []
    layout.highlighted = 101  # the second conversation
    (ring,) = rings()
    scale = layout.scale(layout.geometry(1600, 900))
    x, _y, w, _h = ring[1]
    assert x < scale.x(T0 + 1500) < scale.x(T0 + 4000) < x + w


def test_a_repainted_layout_draws_what_a_fresh_one_draws_after_the_view_moves_and_back():
    """The drawing keeps the bins' boxes, their peak and the tags present across paints: moving the view
    (or resizing) must never show the previous view's bars."""
    rng = random.Random(9)
    spans = [(s, s + 300) for s in (T0 + rng.uniform(0, 86400) for _ in range(5000))]
    tags = [rng.choice([-1, 0, 1]) for _ in spans]

    def paint(layout, width=1600):
        canvas = RecordingCanvas()
        draw_timeline(layout, canvas, width, 900, Theme.default())
        return [c for c in canvas.calls if c[0] in ("rects", "rect", "text")]

    def fresh(t0, t1, width=1600):
        layout = TimelineLayout(data(columns(spans, tags=tags)))
        layout.set_view(t0, t1)
        return paint(layout, width)

    kept = TimelineLayout(data(columns(spans, tags=tags)))
    # a zoom, a pan of one hour (the tallest bin, so the bars' scale, stays the same) and back
    views = [(T0, T0 + 86400), (T0 + 3600, T0 + 7 * 3600), (T0, T0 + 86400), (T0 + 3600, T0 + 90000)]
    for t0, t1 in views:
        kept.set_view(t0, t1)
        first, again = paint(kept), paint(kept)
        assert first == again == fresh(t0, t1)
    kept.set_view(T0, T0 + 86400)
    assert paint(kept, 1200) == fresh(T0, T0 + 86400, 1200)  # same view, narrower: new boxes
    assert fresh(*views[0]) != fresh(*views[1])  # the views really differ
