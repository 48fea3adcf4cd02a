"""The report's close-out checklist is the close-out panel's: the same record read by the same query, the same rules."""
from __future__ import annotations

from postmortem_desktop.reporting import exports
from postmortem_desktop.reporting.report_data import ReportChecklistItem, gather
from postmortem_desktop.services.closeout import CloseoutService
from postmortem_desktop.services.incidents import IncidentService
from tests.core.test_closeout_service import complete_the_demo
from tests.helpers import billing_id


def service_checklist(ws, incident_id: int) -> tuple[ReportChecklistItem, ...]:
    # the service's own "today" default, which the report shares (the demo records no review date yet)
    state = CloseoutService(ws).checklist(incident_id)
    return tuple(ReportChecklistItem(item.label, item.ok, item.missing) for item in state.items)


def test_the_report_checklist_equals_the_close_out_service_for_every_incident(demo):
    incidents = [row.id for row in IncidentService(demo).list_incidents()]
    assert incidents
    for incident_id in incidents:
        assert gather(demo, incident_id).checklist == service_checklist(demo, incident_id)


def test_the_report_and_the_panel_still_agree_after_the_record_is_completed(demo):
    incident_id = billing_id(demo)
    before = gather(demo, incident_id).checklist
    complete_the_demo(demo, incident_id)
    after = gather(demo, incident_id).checklist
    assert after == service_checklist(demo, incident_id)
    assert after != before and after is not None and all(item.done for item in after)


def test_the_redacted_export_data_keeps_the_service_checklist(demo):
    # the checklist is the program's own wording: redaction leaves its labels as the panel shows them
    incident_id = billing_id(demo)
    data = exports.report_data(demo, incident_id)
    assert data.checklist is not None
    assert [item.label for item in data.checklist] == [item.label for item in service_checklist(demo, incident_id)]
