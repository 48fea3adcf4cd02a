"""Lays a ReportData out as the leaders' PDF: page template, running header, page numbers, outline, metadata."""
from __future__ import annotations

import threading
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageBreak, PageTemplate, Spacer

from . import fonts
from . import pdf_sections as sections
from .output_file import PDF, output_file
from .report_data import ReportData

MARGIN = 42
HEADER_GAP = 22
DEFAULT_AUTHOR = "Postmortem Desktop"
MUTED = HexColor("#5C5C5C")


class ExportCancelled(Exception):
    """The person cancelled the export; nothing was written."""


@dataclass(frozen=True)
class PdfOptions:
    appendix: bool = True
    author: str = DEFAULT_AUTHOR


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say 'Page N of M'."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset (not in its stubs)

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(MUTED)
            # the page state saved in showPage: private to reportlab's Canvas, so absent from its stubs
            width = self._pagesize[0]  # type: ignore[attr-defined]
            number = self._pageNumber  # type: ignore[attr-defined]
            fonts.draw_string(self, width - MARGIN, MARGIN - 22, f"Page {number} of {total}", 7.5, anchor="right")
            super().showPage()
        super().save()


class _ReportTemplate(BaseDocTemplate):
    def __init__(self, target: str, data: ReportData, options: PdfOptions):
        title = fonts.plain(data.title) or "Incident report"
        super().__init__(
            target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + HEADER_GAP,
            bottomMargin=MARGIN, title=f"Postmortem: {title}", author=options.author,
            subject="Support-led incident postmortem: system recovery and customer impact",
            creator="Postmortem Desktop", keywords=["postmortem", "incident", "customer impact"],
        )
        self.data = data
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])
        self._bookmarks = 0

    def _decorate(self, canvas, doc) -> None:  # noqa: ANN001
        """Running header and footer on every page."""
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(MUTED)
        title = fonts.plain(self.data.title)
        if fonts.string_width(title, 7.5) > width * 0.55:
            while title and fonts.string_width(title + "…", 7.5) > width * 0.55:
                title = title[:-1]
            title += "…"
        fonts.draw_string(canvas, MARGIN, height - MARGIN + 4, title, 7.5)
        label = "Postmortem report · redacted" if self.data.redacted else "Postmortem report · NOT REDACTED"
        fonts.draw_string(canvas, width - MARGIN, height - MARGIN + 4, label, 7.5, fonts.SANS_BOLD, anchor="right")
        canvas.setStrokeColor(HexColor("#CCCCCC"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
        canvas.line(MARGIN, MARGIN - 10, width - MARGIN, MARGIN - 10)
        fonts.draw_string(canvas, MARGIN, MARGIN - 22,
                          f"Generated {sections.when(self.data.generated_at, self.data.zone_name)} "
                          f"({self.data.zone_name})", 7.5)
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:  # noqa: N802, ANN001 - reportlab's hook
        if isinstance(flowable, sections.Heading):
            key = f"s{self._bookmarks}"
            self._bookmarks += 1
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=flowable.outline_level, closed=True)


APPENDIX_MIN_ROOM = 200  # points: the heading and a few quotes
SECTION_MIN_ROOM = 90  # points: a heading and its first few lines


def story(data: ReportData, width: float, options: PdfOptions) -> list:
    """Every section in reading order; sections without data in this build are left out."""
    flow = []
    flow += sections.cover(data, width)
    flow += sections.timeline(data, width)
    flow.append(PageBreak())
    for part in (sections.system_events(data, width), sections.damage(data), sections.answers(data),
                 sections.tags_section(data, width),
                 sections.workarounds(data), sections.trust(data), sections.contacts(data, width),
                 sections.actions(data, width), sections.checklist(data, width), sections.follow_up(data)):
        if part:
            # A section's heading never ends a page alone. Not keepWithNext: a heading kept with a
            # long table moves both to the next page and leaves this one mostly empty.
            flow.append(CondPageBreak(SECTION_MIN_ROOM))
            flow += part
            flow.append(Spacer(1, 6))
    if options.appendix:
        # a new page only when little of this one is left: a forced break left a mostly empty page
        flow.append(CondPageBreak(APPENDIX_MIN_ROOM))
        flow += sections.appendix(data)
    return flow


def write_pdf(data: ReportData, path: Path | str, options: PdfOptions = PdfOptions()) -> Path:
    """Writes the report in one go (no progress); returns the path."""
    gen = pdf_steps(data, path, options)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def pdf_steps(data: ReportData, path: Path | str, options: PdfOptions = PdfOptions(), *,
              inputs: Iterable[Path | str] = ()) -> Generator[tuple[int, int], None, Path]:
    """Writes the report, yielding (flowables laid out, total) as it goes; returns the path.

    The layout runs on a helper thread so this generator can keep yielding progress, and so closing
    it (Cancel) stops the layout at the next flowable. The file goes through output_file: a target
    that must not be replaced (a workspace, one of `inputs`) is refused before the layout starts,
    and the file appears only when complete.
    """
    path = Path(path)
    fonts.register_fonts()
    with output_file(path, PDF, inputs=inputs) as partial:
        doc = _ReportTemplate(str(partial), data, options)
        flowables = story(data, doc.width, options)
        total = len(flowables)
        progress = {"done": 0}
        stop = threading.Event()
        finished = threading.Event()
        failure: list[BaseException] = []

        def on_progress(kind: str, value: int) -> None:
            if stop.is_set():
                raise ExportCancelled()
            if kind == "PROGRESS":
                progress["done"] = value

        def build() -> None:
            try:
                doc.build(flowables, canvasmaker=_NumberedCanvas)
            except BaseException as exc:
                failure.append(exc)
            finally:
                finished.set()

        doc.setProgressCallBack(on_progress)
        worker = threading.Thread(target=build, name="pdf-layout", daemon=True)
        worker.start()
        try:
            while not finished.wait(0.05):
                yield progress["done"], total
            if failure:
                raise failure[0]
        finally:
            stop.set()
            worker.join()  # the layout must stop writing before the temporary file is removed
    yield total, total
    return path
