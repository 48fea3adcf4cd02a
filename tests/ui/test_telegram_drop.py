"""A dropped Telegram HTML export page: the window's reading job finds the export's other pages too."""
from __future__ import annotations

from datetime import UTC
from pathlib import Path

from ui.importing.import_controller import CONVERSATION_SUFFIXES, _conversation_file_job

EXPORT = Path(__file__).parents[1] / "core" / "fixtures" / "telegram" / "ChatExport_2026-11-18"


def _run(job):
    try:
        while True:
            next(job)
    except StopIteration as finished:
        return finished.value


def test_dropping_one_page_of_a_telegram_export_reads_every_page():
    assert ".html" in CONVERSATION_SUFFIXES  # so a dropped messages.html comes to this job
    parsed, _preview = _run(_conversation_file_job(EXPORT / "messages2.html", None, UTC, (None, None)))
    assert parsed.format == "telegram-html"
    assert [m.text for m in parsed.messages][0].startswith("Hi, the invoice page is blank")
    assert len(parsed.messages) == 6
