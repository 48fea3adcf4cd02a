"""The import's progress says "about" while its total is an estimate, and the counted total once it is known."""
from postmortem_desktop.domain.progress import EstimatedTotal
from ui.progress import WorkProgressDialog, show_progress
from ui.workers import GeneratorWorker, start


def growing_estimate():
    yield 1_000, EstimatedTotal(43_500)
    yield 16_000, EstimatedTotal(47_700)
    yield 47_712, 47_712
    return "done"


def test_an_estimated_total_says_about_until_the_count_is_known(qtbot):
    progress = WorkProgressDialog("Importing tickets.csv…", "Cancel", None)
    qtbot.addWidget(progress)
    labels = []

    def shown(done, total):
        show_progress(progress, done, total, "rows")
        labels.append(progress.labelText())

    worker = GeneratorWorker(growing_estimate)
    worker.signals.progressed.connect(shown)
    with qtbot.waitSignal(worker.signals.finished, timeout=5000):
        start(worker)
    qtbot.waitUntil(lambda: len(labels) == 3)
    assert labels == ["Importing tickets.csv… — 1,000 of about 43,500 rows…",
                      "Importing tickets.csv… — 16,000 of about 47,700 rows…",
                      "Importing tickets.csv… — 47,712 of 47,712 rows…"]
    assert progress.maximum() == 47_712 and progress.value() == 47_712
