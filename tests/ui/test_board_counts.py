"""The board's column counts are the report's (and so the room's and the follow-up check's): one rule."""
from __future__ import annotations

from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.quotes import board_cards
from tests.helpers import billing_id
from ui.board.board_grid import bucket_cards


def test_board_column_counts_equal_the_reports_with_old_confusion_apart(demo):
    incident_id = billing_id(demo)
    data = gather(demo, incident_id)
    cards = board_cards(demo, incident_id)
    names = {tag_id: tag.name for card in cards for tag_id, tag in zip(card.tag_ids, card.tags, strict=True)}
    _lanes, _buckets, counts = bucket_cards(cards, list(range(len(cards))), [*names, None], "", True)
    board = {names[key]: value for key, value in counts.items() if key is not None and any(value)}
    report = {t.name: (t.count, t.pre_existing) for t in data.tag_counts if t.count or t.pre_existing}
    assert board == report
    assert any(old for _, old in board.values())
