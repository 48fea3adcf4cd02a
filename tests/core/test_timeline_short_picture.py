"""A short timeline picture (a 1280x720 projector): customer rows keep their height, System labels do not pile up."""
from __future__ import annotations

from postmortem_desktop.timeline.drawing import Theme, draw_timeline
from postmortem_desktop.timeline.layout import SystemEventMark, TimelineLayout
from tests.core.test_timeline_layout import T0, RecordingCanvas, columns, data

CHANNELS = ["ticket", "chat", "call", "email", "internal"]


def busy_layout() -> TimelineLayout:
    spans = [(T0 + 600 * i, T0 + 600 * i + 900) for i in range(25)]
    events = [SystemEventMark(i, T0 + 300 * i, "deploy", f"deploy number {i} of the billing api") for i in range(8)]
    layout = TimelineLayout(data(columns(spans, channels=[CHANNELS[i % 5] for i in range(25)]), events))
    layout.set_view(T0, T0 + 4 * 3600)
    return layout


def test_the_system_lane_never_takes_more_height_than_the_customer_rows():
    layout = busy_layout()
    for height in (300, 360, 420, 520, 720, 900, 1080):
        geo = layout.geometry(1280, height)
        assert geo.customers.h >= geo.system.h, height
    assert layout.geometry(1600, 900).system.h == 92  # a full-size picture keeps its three label rows


def test_system_labels_on_a_short_picture_keep_a_row_height_apart():
    layout = busy_layout()
    theme = Theme.default()
    for height in (300, 360, 900):
        canvas = RecordingCanvas()
        geo = draw_timeline(layout, canvas, 1280, height, theme)
        band = geo.system
        label_ys = sorted({round(args[1], 1) for _name, args, kwargs in canvas.named("text")
                           if str(args[2]).startswith("deploy number") and band.y <= args[1] <= band.bottom})
        assert label_ys, height
        size = theme.size(0.9)
        assert all(b - a >= size for a, b in zip(label_ys, label_ys[1:], strict=False)), (height, label_ys)
        assert all(y + size / 2 <= band.bottom for y in label_ys), (height, label_ys, band)


def test_customer_row_labels_never_sit_on_the_caption_or_on_each_other():
    layout = busy_layout()
    theme = Theme.default()
    for height in (260, 300, 360, 600, 900):
        canvas = RecordingCanvas()
        geo = draw_timeline(layout, canvas, 1280, height, theme)
        lane = geo.customers
        texts = [(args[1], args[2], kwargs["size"]) for _name, args, kwargs in canvas.named("text")
                 if args[0] < geo.plot_x0 and lane.y <= args[1] <= lane.bottom]
        assert texts[0][1] == "Customers"
        assert len(texts) > 1, height  # at least the first row keeps its label
        for (y_above, text_above, size_above), (y, text, size) in zip(texts, texts[1:], strict=False):
            assert y - y_above >= (size_above + size) / 2, (height, text_above, text)
        assert texts[-1][0] + texts[-1][2] / 2 <= lane.bottom, height
