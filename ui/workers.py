"""Background jobs: a core generator run on a QThreadPool thread, with progress, Cancel and a result.

The generator's yields are progress steps `(done, total_or_None)`; its return value is the result.
Cancel closes the generator at its next yield, so a core transaction open around the yields rolls back.
Worker code never touches widgets: it only emits signals, which Qt delivers on the main thread.
"""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    #: done, total (-1 when unknown); an object, so a total that is an estimate stays one
    #: (postmortem_desktop/domain/progress.EstimatedTotal, an int)
    progressed = Signal(int, object)
    finished = Signal(object)  # the generator's return value
    failed = Signal(object, str)  # the exception, its traceback text
    cancelled = Signal()


class GeneratorWorker(QRunnable):
    """Runs `make_generator()` on a pool thread."""

    def __init__(self, make_generator: Callable[[], Generator[Any, Any, Any]]):
        super().__init__()
        self.setAutoDelete(False)  # the owner keeps it until a final signal arrives
        self.signals = WorkerSignals()
        self._make_generator = make_generator
        self._cancel = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_asked(self) -> bool:
        """Whether Cancel was asked for, also after the work had finished (its result must then be dropped)."""
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.done.set()

    def _run(self) -> None:
        try:
            generator = self._make_generator()
            while True:
                if self._cancel.is_set():
                    generator.close()
                    self.signals.cancelled.emit()
                    return
                try:
                    step = next(generator)
                except StopIteration as stop:
                    self.signals.finished.emit(stop.value)
                    return
                done, total = step if isinstance(step, tuple) else (int(step), None)
                self.signals.progressed.emit(int(done), -1 if total is None else total if isinstance(total, int)
                                             else int(total))
        except Exception as exc:
            self.signals.failed.emit(exc, traceback.format_exc())


def start(worker: GeneratorWorker, pool: QThreadPool | None = None) -> GeneratorWorker:
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
