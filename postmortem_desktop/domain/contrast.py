"""Text contrast by WCAG 2.1: relative luminance, contrast ratio, and the ink that reads on a fill."""
from __future__ import annotations

from functools import lru_cache

#: WCAG AA: normal text needs 4.5:1; large text (18 pt, or 14 pt bold) needs 3:1
AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0
BLACK, WHITE = "#000000", "#FFFFFF"


def _channels(colour: str) -> tuple[float, float, float]:
    """"#RRGGBB" (or "#RGB") as three 0..1 channels."""
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255


def _hex(channels: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in channels)


@lru_cache(maxsize=1024)  # a theme has a few dozen colours; the timeline asks per bar label, per paint
def relative_luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same) to 21 (black on white), whichever way round the colours are given."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=1024)
def best_text_on(fill: str) -> str:
    """Black or white, whichever contrasts more with the fill (a badge, a bar's label)."""
    return BLACK if contrast_ratio(BLACK, fill) >= contrast_ratio(WHITE, fill) else WHITE


@lru_cache(maxsize=1024)
def readable_on(colour: str, background: str, minimum: float = AA_TEXT) -> str:
    """The colour itself when it reads on the background, else the same hue mixed toward black or white
    (whichever the background contrasts with more) just far enough to reach the minimum ratio."""
    if contrast_ratio(colour, background) >= minimum:
        return colour
    target = _channels(best_text_on(background))
    start = _channels(colour)
    for step in range(1, 21):
        share = step / 20
        mixed = _hex((start[0] + (target[0] - start[0]) * share, start[1] + (target[1] - start[1]) * share,
                      start[2] + (target[2] - start[2]) * share))
        if contrast_ratio(mixed, background) >= minimum:
            return mixed
    return best_text_on(background)


def blend(top: str, under: str, alpha: float) -> str:
    """The colour a fill with the given opacity shows over another."""
    a, b = _channels(top), _channels(under)
    return _hex((a[0] * alpha + b[0] * (1 - alpha), a[1] * alpha + b[1] * (1 - alpha),
                 a[2] * alpha + b[2] * (1 - alpha)))
