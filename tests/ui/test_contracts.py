"""The window and its screens meet through the Protocols in ui/contracts.py, not through names looked up."""
from PySide6.QtWidgets import QWidget

from ui.contracts import FocusingScreen, RefreshingScreen


def test_screens_built_late_catch_up_and_navigation_targets_focus_their_items(main_window):
    screens = main_window.screen_widgets
    for key in ("board", "properties", "review", "actions", "followup"):
        assert isinstance(screens[key], RefreshingScreen), key
    for key in ("timeline", "board", "review", "actions", "followup"):
        assert isinstance(screens[key], FocusingScreen), key


def test_screen_titles_are_read_without_building_the_screens(main_window):
    screens = main_window.screen_widgets
    assert main_window.findChild(QWidget, "report_placeholder") is not None
    assert screens.title("report") == "Report" and screens.title("reader") == "reader"
    assert main_window.findChild(QWidget, "report_placeholder") is not None  # still not built


def test_the_window_reads_the_hubs_state_and_keeps_no_copy(main_window):
    hub = main_window.hub
    assert main_window.session is hub.session and main_window.incident_id == hub.incident_id >= 0
    hub.set_incident(-1)
    assert main_window.incident_id == -1
