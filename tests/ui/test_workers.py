"""Background workers: progress, result, failure and Cancel reach the main thread as signals."""
import threading

from ui.workers import GeneratorWorker, start


def counting(n, gate=None, closed=None, reached=None):
    try:
        for i in range(n):
            if gate is not None and i == 2:
                reached.set()
                gate.wait(5)
            yield i + 1, n
        return f"counted {n}"
    finally:
        if closed is not None:
            closed.append(True)


def test_progress_then_result(qtbot):
    worker = GeneratorWorker(lambda: counting(5))
    steps = []
    worker.signals.progressed.connect(lambda d, t: steps.append((d, t)))
    with qtbot.waitSignal(worker.signals.finished, timeout=5000) as blocker:
        start(worker)
    assert blocker.args == ["counted 5"]
    qtbot.waitUntil(lambda: len(steps) == 5)
    assert steps[-1] == (5, 5)


def test_failure_is_reported_with_its_traceback(qtbot):
    def broken():
        yield 1, 2
        raise ValueError("bad row 7")

    worker = GeneratorWorker(broken)
    with qtbot.waitSignal(worker.signals.failed, timeout=5000) as blocker:
        start(worker)
    exc, text = blocker.args
    assert isinstance(exc, ValueError) and "bad row 7" in text


def test_cancel_closes_the_generator_so_its_cleanup_runs(qtbot):
    gate, reached, closed = threading.Event(), threading.Event(), []
    worker = GeneratorWorker(lambda: counting(100, gate, closed, reached))
    finished = []
    worker.signals.finished.connect(finished.append)
    with qtbot.waitSignal(worker.signals.cancelled, timeout=5000):
        start(worker)
        assert reached.wait(5)  # the generator is mid-way, holding whatever it opened
        worker.cancel()
        gate.set()
    assert closed == [True] and finished == []
