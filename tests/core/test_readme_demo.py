"""The README's opening quotes the demo's headline as the app shows it: a newcomer who runs the demo reads the
same durations (a reviewer found "Customers: 4 h 35 min" there, and 23 h 7 min in the demo)."""
from __future__ import annotations

import re
from pathlib import Path

from postmortem_desktop.services.incidents import IncidentService
from tests.helpers import billing_id

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_quotes_the_demo_headline_as_the_app_shows_it(demo):
    opening = " ".join(README.read_text(encoding="utf-8").split("\n## ", 1)[0].split())
    quoted = re.findall(r'"(Logs: [^"]+)"', opening)
    assert quoted == [IncidentService(demo).impact(billing_id(demo)).headline]
