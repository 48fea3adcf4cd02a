"""The board's filters fold into two rows when the window is too narrow for their words in one (two windows side by
side on one screen, a 1280-pixel projector beside the docks), so no choice is clipped to "Any channe"; a wide
window keeps them in one row, leaving the board its height."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.tagging import TagDefinition
from ui.board.filter_bar import BoardFilterBar


def tag(tag_id: int, name: str) -> TagDefinition:
    return TagDefinition(id=tag_id, name=name, description="", color=0xCC79A7, position=tag_id, built_in=False)


@pytest.fixture
def bar(qtbot):
    widget = BoardFilterBar()
    qtbot.addWidget(widget)
    widget.set_choices([tag(1, "risky-workaround")], ["email", "chat"],
                       ["enterprise", "small business"])
    widget.show()
    return widget


def rows_of(bar: BoardFilterBar) -> set[int]:
    grid = bar._filters
    return {grid.getItemPosition(grid.indexOf(widget))[0] for widget in bar._filter_widgets()}


def unclipped(bar: BoardFilterBar) -> bool:
    """Every combo is at least as wide as it needs to show its chosen entry whole."""
    return all(combo.width() >= combo.minimumSizeHint().width()
               and combo.width() - 30 >= combo.fontMetrics().horizontalAdvance(combo.currentText())
               for combo in (bar.tag, bar.channel, bar.segment, bar.scope, bar.grouping))


def test_a_narrow_bar_folds_its_filters_into_two_rows_with_their_words_whole(qtbot, bar):
    bar.resize(640, bar.sizeHint().height())
    qtbot.waitUntil(lambda: bar.folded)
    qtbot.waitUntil(lambda: unclipped(bar))
    assert rows_of(bar) == {0, 1}


def test_a_very_narrow_bar_puts_two_to_a_row_and_the_search_box_on_a_row_of_its_own(qtbot, bar):
    """A 1280-pixel projector with the conversation reader open leaves the board about 490 px: the buttons beside
    the search box squeezed it to "S…", and three combos to a row still clipped their words."""
    bar.resize(480, bar.sizeHint().height())
    qtbot.waitUntil(lambda: bar.per_row == 2)
    qtbot.waitUntil(lambda: unclipped(bar))
    assert bar.search_alone
    qtbot.waitUntil(lambda: bar.search.width() >= 400)
    assert bar.search.geometry().bottom() < bar.suggest_button.geometry().top()  # above the buttons


def test_a_wide_bar_keeps_one_row_and_unfolds_when_widened_again(qtbot, bar):
    bar.resize(640, bar.sizeHint().height())
    qtbot.waitUntil(lambda: bar.folded)
    bar.resize(1800, bar.sizeHint().height())
    qtbot.waitUntil(lambda: not bar.folded)
    assert rows_of(bar) == {0} and not bar.search_alone
    qtbot.waitUntil(lambda: unclipped(bar))
    assert bar.search.geometry().top() == bar.suggest_button.geometry().top()  # beside the buttons


def test_a_long_tag_name_added_later_folds_a_bar_that_fit_before(qtbot, bar):
    bar.resize(bar._width_of_words() + 4, bar.sizeHint().height())  # just wide enough for today's names
    qtbot.waitUntil(lambda: not bar.folded)
    bar.set_choices([tag(2, "x" * 60)], ["email"], ["enterprise"])
    bar.tag.setCurrentIndex(bar.tag.findData(2))
    assert bar.folded
