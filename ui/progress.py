"""Long work of the open workspace on a worker thread, behind a window-modal progress dialog with Cancel.

One pattern for imports and for undoing or redoing them: the window keeps painting and answering,
the person sees how far it got, and Cancel stops the work at its next step (the core rolls back).
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton, QStyle, QWidget

from postmortem_desktop.domain.progress import is_estimate

from .workers import GeneratorWorker, start

if TYPE_CHECKING:
    from .undo import WorkspaceSession


def run_with_progress(parent: QWidget, session: WorkspaceSession, label: str,
                      make_generator: Callable[[], Generator[Any, Any, Any]],
                      on_finished: Callable[[object], None], on_failed: Callable[[BaseException], None], *,
                      on_cancelled: Callable[[], None] = lambda: None, cancel_text: str = "Cancel",
                      writes: bool = False, unit: str = "rows") -> GeneratorWorker:
    """Runs make_generator() on a worker; exactly one of the three callbacks is called, on the GUI thread.

    The result of a workspace that was closed meanwhile is dropped: it is not the open one's.
    """
    worker = GeneratorWorker(make_generator)
    session.track(worker, writes=writes)  # closing the workspace stops it; edits wait while it writes
    progress = WorkProgressDialog(label, cancel_text, parent)
    progress.canceled.connect(worker.cancel)

    def end() -> None:
        progress.close()
        progress.deleteLater()

    def finished(result: object) -> None:
        end()
        if not session.closed:
            on_finished(result)

    worker.signals.progressed.connect(lambda done, total: show_progress(progress, done, total, unit))
    worker.signals.finished.connect(finished)
    def failed(exc: BaseException, _tb: str) -> None:
        end()
        on_failed(exc)

    def cancelled() -> None:
        end()
        on_cancelled()

    worker.signals.failed.connect(failed)
    worker.signals.cancelled.connect(cancelled)
    return start(worker)


class WorkProgressDialog(QProgressDialog):
    """The window-modal progress of long work, shown after 300 ms, whose Cancel button shows its whole text.

    Qt sizes a progress dialog by its label alone, so a long Cancel text ("Cancel (nothing will be
    imported)") was cut to "ncel (nothing…" in projector type; this one is never narrower than its button.
    """

    def __init__(self, label: str, cancel_text: str, parent: QWidget | None):
        super().__init__(label, cancel_text, 0, 0, parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setObjectName("long_work_progress")
        self.resize(self.sizeHint())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        button = self.findChild(QPushButton)
        if button is not None:
            style = self.style()
            margins = (style.pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin, None, self)
                       + style.pixelMetric(QStyle.PixelMetric.PM_LayoutRightMargin, None, self))
            hint.setWidth(max(hint.width(), button.sizeHint().width() + margins))
        return hint

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # a theme's type came in
            self.resize(self.sizeHint().expandedTo(self.size()))


def show_progress(progress: QProgressDialog, done: int, total: int, unit: str) -> None:
    """How far the work got, after what it is ("Importing x.csv… — 1,000 of 9,000 rows…"); a total that is only
    an estimate, which moves as more of the file is read, says so ("of about 9,000") until the exact one comes."""
    if total > 0:
        progress.setMaximum(total)
        progress.setValue(min(done, total))
        about = "about " if is_estimate(total) else ""
        progress.setLabelText(f"{progress.labelText().split(' — ')[0]} — {done:,} of {about}{total:,} {unit}…")
