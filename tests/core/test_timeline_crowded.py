"""The timeline squeezed beside the reader on a 1280x720 projector (and in the PDF's column): nothing
runs past the edge uncut, the legend counts the keys it leaves out, and no note is drawn over the bars."""
from postmortem_desktop.timeline.drawing import KIND_LABELS, Theme, draw_timeline
from postmortem_desktop.timeline.layout import SystemEventMark, TagInfo, TimelineLayout
from tests.core.test_timeline_layout import T0, WideTypeCanvas, columns, data

NARROW = 560  # the timeline's width beside the reader dock at 1280 px in projector type
TAGS = [TagInfo(name, k) for k, name in enumerate(
    "confusion trust-loss risky-workaround work-stopped manual-workaround data-fear churn-risk calming-wording "
    "worsening-wording billing-error double-charge refund-wait".split())]


def crowded_layout() -> TimelineLayout:
    spans = [(T0 + 1300 + k * 600, T0 + 1900 + k * 600) for k in range(len(TAGS))]
    after = T0 + 80 * 3600  # the review window ends at T0 + 72 h
    spans += [(after, after + 600), (after + 700, after + 900)]
    cols = columns(spans, tags=list(range(len(TAGS))) + [0, 1], tag_infos=TAGS)
    events = [SystemEventMark(1, T0 + 1250, "deploy", "billing-api v4.18.0 deployed"),
              SystemEventMark(2, T0 + 70 * 3600, "note", "Duplicate-payment reconciliation job finished")]
    layout = TimelineLayout(data(cols, events))
    layout.set_view(*layout.review_span())
    return layout


def drawn(layout, width, height=520, scale=1.4):
    canvas = WideTypeCanvas()
    draw_timeline(layout, canvas, width, height, Theme.default(scale=scale))
    return canvas, layout.geometry(width, height), canvas.named("text")


def extent(canvas, call) -> tuple[float, float]:
    (x, _y, text), kw = call[1], call[2]
    w = canvas.text_width(text, kw["size"], kw.get("bold", False))
    anchor = kw.get("anchor", "start")
    left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
    return left, left + w


def test_a_system_event_label_near_the_right_edge_reads_leftwards_whole_or_with_an_ellipsis():
    canvas, geo, texts = drawn(crowded_layout(), NARROW)
    label = next(c for c in texts if c[1][2].startswith("Dup"))
    title = "Duplicate-payment reconciliation job finished"
    assert label[1][2] == title or (label[1][2].endswith("…") and title.startswith(label[1][2][:-1]))
    assert len(label[1][2]) >= 12  # a readable part of it, not "D…"
    left, right = extent(canvas, label)
    assert geo.plot_x0 - 8 * 1.4 <= left and right <= geo.plot_x1 + 8 * 1.4  # inside the lane's clip


def test_the_legend_counts_the_keys_it_has_no_room_for_and_keeps_inside_the_width():
    layout = crowded_layout()
    for width in (NARROW, 900):
        canvas, geo, texts = drawn(layout, width)
        legend = [c for c in texts if geo.legend.y <= c[1][1] <= geo.legend.bottom]
        more = [c for c in legend if c[1][2].endswith(" more")]
        assert len(more) == 1, width  # 13 tag keys and the event kinds never fit 560 or 900 px
        shown = len([c for c in legend if c not in more and "outside" not in c[1][2]])
        total = len(TAGS) + 1 + len(KIND_LABELS)  # every tag, "untagged", every kind of system event
        assert shown + int(more[0][1][2].split()[0].lstrip("+")) == total, width
        spans = sorted(extent(canvas, c) for c in legend)
        assert all(right <= width for _left, right in spans), width
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), (width, spans)


def test_the_outside_the_review_window_note_is_in_the_legend_not_over_the_bars():
    canvas, geo, texts = drawn(crowded_layout(), NARROW)
    note = next(c for c in texts if "outside the review window" in c[1][2])
    assert note[1][2].startswith("+2 outside the review window")
    assert geo.legend.y <= note[1][1] <= geo.legend.bottom
    assert extent(canvas, note)[1] <= NARROW


def test_axis_and_window_labels_neither_overlap_nor_run_past_the_lane_in_projector_type():
    layout = crowded_layout()
    for width in (NARROW, 620, 900):
        canvas, geo, texts = drawn(layout, width)
        axis = sorted(extent(canvas, c) for c in texts
                      if geo.axis.y <= c[1][1] <= geo.axis.bottom and c[2].get("anchor") == "middle")
        assert len(axis) >= (2 if width >= 900 else 1), width  # fewer, coarser ticks when narrow
        assert all(a[1] <= b[0] for a, b in zip(axis, axis[1:], strict=False)), (width, axis)
        windows = [c for c in texts if geo.windows.y <= c[1][1] <= geo.windows.bottom
                   and extent(canvas, c)[0] >= geo.plot_x0 - 1]
        status = next(c for c in windows if c[1][2].startswith(("Status page", "Resolved")))
        assert extent(canvas, status)[1] <= geo.plot_x1, width
        assert status[1][2].endswith("11:05"), width  # the whole label, or its short form "Resolved 11:05"
        technical = next(c for c in windows if c[1][2].endswith("40 min"))  # or just "40 min" when narrow
        a, b = sorted((extent(canvas, status), extent(canvas, technical)))
        assert a[1] <= b[0], width
