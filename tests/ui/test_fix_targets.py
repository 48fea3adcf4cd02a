"""Each close-out checklist item points to where it is fixed in the app (moved here from the core)."""
from postmortem_desktop.domain import checklist
from postmortem_desktop.domain.checklist import CloseoutRecord
from ui.closeout.fix_targets import fix_target


def test_every_item_points_to_where_it_is_fixed():
    empty = CloseoutRecord()
    targets = {i.key: fix_target(i) for i in checklist.evaluate(empty)}
    assert targets["customer_damage"] == ("review", "customer_damage")
    assert targets["follow_up"] == ("followup", "schedule")
    assert targets["action_items"] == ("actions", "support")
    assert targets["contact_and_message"] == ("review", "contacts")
    assert set(targets) == {i.key for i in checklist.evaluate(empty)}
    assert all(screen in {"review", "actions", "timeline", "followup"} for screen, _field in targets.values())
