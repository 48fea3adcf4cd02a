"""Commands say which kinds of data they change, as DataChange flags; the core names no screen."""
import importlib
import pkgutil
from pathlib import Path

import postmortem_desktop.services as services
from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.commands import Command, CommandGroup, UpdateFields
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.schema import Incident

SCREEN_WORDS = ("board", "timeline", "review", "closeout", "followup", "facilitator", "actions", "report")


def all_command_classes() -> list[type]:
    for info in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"{services.__name__}.{info.name}")
    found, pending = [], [Command]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def test_every_command_class_declares_data_kinds_not_screens():
    classes = all_command_classes()
    assert len(classes) > 30
    for cls in classes:
        if cls in (UpdateFields, CommandGroup):
            continue  # set per instance from their arguments, checked below
        assert isinstance(cls.changes, DataChange), cls
        assert cls.changes != DataChange.NONE or cls.__name__.startswith("_"), cls
        assert not hasattr(cls, "affects"), cls


def test_a_group_changes_what_its_parts_change():
    group = CommandGroup("Two", [CreateIncident(title="a"),
                                 UpdateFields(Incident, 1, {"title": "b"}, name="x", kind=DataChange.REVIEW,
                                              incident_id=1)])
    assert group.changes == DataChange.INCIDENT | DataChange.REVIEW


def test_the_core_names_no_screen_when_it_reports_a_change():
    root = Path(services.__file__).parent
    for path in root.glob("*.py"):
        for line in path.read_text().splitlines():
            if "changes" in line and "=" in line and "DataChange" in line:
                assert not any(f'"{word}"' in line for word in SCREEN_WORDS), (path.name, line)
