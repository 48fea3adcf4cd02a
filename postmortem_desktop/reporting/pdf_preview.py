"""Renders a written PDF's pages to RGB pixels (pypdfium2) so the app can preview exactly what will be saved."""
from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

PREVIEW_DPI = 80
MAX_PREVIEW_PAGES = 40


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    rgb: bytes  # width * height * 3 bytes, rows top to bottom


@dataclass(frozen=True)
class Preview:
    path: Path
    page_count: int
    pages: tuple[PageImage, ...]  # at most MAX_PREVIEW_PAGES of them


def render_steps(path: Path | str, dpi: float = PREVIEW_DPI, max_pages: int = MAX_PREVIEW_PAGES
                 ) -> Generator[tuple[int, int], None, Preview]:
    """Yields (pages rendered, pages to render); returns the Preview."""
    path = Path(path)
    document = pdfium.PdfDocument(str(path))
    try:
        count = len(document)
        todo = min(count, max_pages)
        pages = []
        for index in range(todo):
            page = document[index]
            try:
                image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                page.close()
            pages.append(PageImage(image.width, image.height, image.tobytes()))
            yield index + 1, todo
        return Preview(path, count, tuple(pages))
    finally:
        document.close()
