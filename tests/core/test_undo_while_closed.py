"""An import's or a pasted conversation's undo never leaves a closed incident with an incomplete record: its
customer impact window may come from those conversations, so the undo is refused while the incident is closed,
saying to reopen it first, and nothing changes. Once reopened it undoes as before. Both engines."""
from __future__ import annotations

from datetime import timedelta

import pytest

from postmortem_desktop.domain.errors import RuleError
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.closeout import CloseIncident, CloseoutService, ReopenIncident
from postmortem_desktop.services.conversations import AddConversation
from postmortem_desktop.services.import_undo import UndoableImport
from tests.core.test_closeout_service import complete_the_demo
from tests.core.test_import_pipeline import T0, write_csv, zendesk_row
from tests.core.test_undo_after_teammate_bulk import conversations_of, paste
from tests.helpers import billing_id

REFUSAL = "cannot be undone: the incident is closed"


def close(ws, iid: int) -> None:
    complete_the_demo(ws, iid)
    CloseIncident(iid).do(ws)


def test_an_import_is_not_undone_while_its_incident_is_closed(demo, ben, tmp_path):
    iid = billing_id(demo)
    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "tickets.csv", [
        zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M")) for n in range(1, 4)]))
    summary = spreadsheet_import.run_import(demo, iid, plan)
    imported = UndoableImport(iid, summary, lambda: spreadsheet_import.import_generator(demo, iid, plan))
    assert summary.undo.created_conversation_ids
    before = conversations_of(demo, iid)
    close(ben, iid)
    with pytest.raises(RuleError, match=REFUSAL) as refused:
        imported.undo(demo)
    assert "reopen" in str(refused.value).lower()
    assert conversations_of(demo, iid) == before
    assert CloseoutService(demo).checklist(iid).can_close
    ReopenIncident(iid).do(ben)  # reopened: the import undoes as before
    imported.undo(demo)
    assert len(conversations_of(demo, iid)) == len(before) - len(summary.undo.created_conversation_ids)


def test_a_pasted_conversation_is_not_undone_while_its_incident_is_closed(demo, ben):
    iid = billing_id(demo)
    pasted = AddConversation(iid, paste())
    pasted.do(demo)
    close(ben, iid)
    with pytest.raises(RuleError, match=REFUSAL):
        pasted.undo(demo)
    assert pasted.conversation_id in conversations_of(demo, iid)
    ReopenIncident(iid).do(ben)
    pasted.undo(demo)
    assert pasted.conversation_id not in conversations_of(demo, iid)
