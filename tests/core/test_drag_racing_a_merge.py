"""A drag into a column that a teammate's merge removes at the same moment is refused in words ("That tag no longer
exists."), nothing written: the drag holds the column it tags cards with (FOR KEY SHARE), so it either waits for the
merge and finds the column gone, or the merge waits for it. Before, its insert failed on the database's foreign key.
Team only: a forced interleaving (tests/team_race.race), the merge held just before its commit."""
from __future__ import annotations

from sqlalchemy import select

from postmortem_desktop.domain.errors import RuleError
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.services.tagging import MergeTags, MoveCardTag, applied_tags, list_tags
from postmortem_desktop.storage.schema import TagAssignment
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from tests.team_race import race


def test_a_drag_into_a_column_a_teammate_merges_away_meanwhile_is_refused_in_words(team_server, team_demo_url):
    ws = open_workspace(team_demo_url)
    try:
        iid = billing_id(ws)
        tags = {t.name: t.id for t in list_tags(ws)}
        merged, into = tags["churn-risk"], tags["calming-wording"]
        with ws.reading() as s:
            columns = applied_tags(s, [c.quote_id for c in board_cards(ws, iid)])
        card = next(q for q, tag_ids in columns.items() if not tag_ids & {merged, into})
        drag = MoveCardTag(iid, [card], next(iter(columns[card]), None), merged, "churn-risk").made_from(columns)
    finally:
        ws.close()
    merge_outcome, drag_outcome = race(team_server, team_demo_url, MergeTags(merged, into), drag)
    assert merge_outcome is None
    assert isinstance(drag_outcome, RuleError) and "no longer exists" in str(drag_outcome)
    ws = open_workspace(team_demo_url)
    try:
        with ws.reading() as s:
            assert set(s.scalars(select(TagAssignment.tag_id).where(TagAssignment.quote_id == card))) == \
                set(columns[card])
    finally:
        ws.close()
