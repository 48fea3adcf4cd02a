"""The two big reads (the board's cards, the timeline's conversations) leave what they made frozen.

A full collection walks every tracked object; frozen ones are left to reference counting. Without the
freeze a full collection over a 100k-conversation timeline landed inside one zoom step (40 ms of 55).
"""
from __future__ import annotations

import gc

from postmortem_desktop.services.demo import write_demo
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.services.timeline import TimelineService
from postmortem_desktop.storage.workspace import open_workspace


def _demo(tmp_path):
    from datetime import date

    path = tmp_path / "demo.pmw"
    write_demo(path, incident_day=date(2026, 11, 18))
    ws = open_workspace(path)
    return ws, IncidentService(ws).list_incidents()[0].id


def _frozen_by(read) -> tuple[object, int]:
    gc.unfreeze()
    before = gc.get_freeze_count()
    result = read()
    return result, gc.get_freeze_count() - before


def test_the_timeline_read_freezes_its_rows_and_keeps_the_collector_on(tmp_path):
    ws, incident = _demo(tmp_path)
    try:
        data, frozen = _frozen_by(lambda: TimelineService(ws).timeline_data(incident))
        assert data.conversations, "the demo has conversations on its timeline"
        assert frozen > len(data.conversations.tags), "what the read made is frozen"
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        ws.close()


def test_the_whole_board_read_freezes_its_cards_a_few_touched_cards_do_not(tmp_path):
    ws, incident = _demo(tmp_path)
    try:
        cards, frozen = _frozen_by(lambda: board_cards(ws, incident))
        assert cards and frozen > len(cards), "each card (and its tag tuples) is among the frozen objects"
        assert gc.isenabled()
        some, frozen_again = _frozen_by(lambda: board_cards(ws, incident, [cards[0].quote_id]))
        assert len(some) == 1 and frozen_again == 0  # a drag's refresh must not freeze whatever is alive then
    finally:
        gc.unfreeze()
        ws.close()


def test_a_read_inside_a_paused_collector_leaves_the_pause_and_the_freeze_to_its_caller(tmp_path):
    from postmortem_desktop.gc_pause import collector_paused

    ws, incident = _demo(tmp_path)
    try:
        gc.unfreeze()
        with collector_paused():
            board_cards(ws, incident)
            assert not gc.isenabled() and gc.get_freeze_count() == 0
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        ws.close()
