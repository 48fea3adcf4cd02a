"""`postmortem-desktop --self-check`: proves a build works headless: resources, every screen, themes, PDF."""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the self-check starts before Qt is set up
    from .main_window import MainWindow

RESOURCES = (
    ("themes", "light.qss"), ("themes", "dark.qss"), ("themes", "projector.qss"), ("palette.json",),
    ("tag_patterns.json",), ("demo", "billing_outage.json"), ("demo", "samples", "statuspage-incident.json"),
    ("demo", "samples", "pagerduty-incidents.csv"), ("fonts", "DejaVuSans.ttf"),
    ("icons", "postmortem-desktop.svg"), ("icons", "postmortem-desktop.png"),
)
#: keyring's own backends for the three desktops, found through its entry points
KEYRING_BACKENDS = frozenset({"Windows", "macOS", "SecretService"})
MIN_COLOURS = 3  # a rendered screen with fewer distinct colours than this is blank or a flat fill
MAX_FACILITATOR_PRESSES = 100  # the self-check steps through the agenda; a stuck PageDown fails, not hangs


class CheckFailed(Exception):
    """One check did not pass; the message says what was seen."""


def distinct_colours(image, samples: int = 48) -> int:  # noqa: ANN001 - a QImage
    """How many different colours a grid of samples across the image finds."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return 0
    seen = set()
    for i in range(samples):
        for j in range(samples):
            seen.add(image.pixel(i * (image.width() - 1) // (samples - 1), j * (image.height() - 1) // (samples - 1)))
    return len(seen)


class SelfCheck:
    """Runs the checks in order; each prints one line; the exit code says whether all passed."""

    def __init__(self, folder: Path, out: Callable[[str], None] = print):
        self.folder = folder
        self.out = out
        self.results: list[tuple[str, bool, str]] = []
        self.window: MainWindow  # made by open_demo, the check every later one needs

    def check(self, name: str, body: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail = body() or ""
            passed = True
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, CheckFailed):
                detail += "\n" + traceback.format_exc(limit=4)
            passed = False
        elapsed = (time.perf_counter() - started) * 1000
        self.results.append((name, passed, detail))
        self.out(f"{'ok  ' if passed else 'FAIL'}  {name} ({elapsed:.0f} ms){' — ' + detail if detail else ''}")
        return passed

    # ---- the checks ---------------------------------------------------------------------------------
    def resources(self) -> str:
        from postmortem_desktop.resources import resource_path, resources_dir

        for parts in RESOURCES:
            resource_path(*parts)
        return f"{len(RESOURCES)} files under {resources_dir()}"

    def icon(self) -> str:
        from PySide6.QtGui import QIcon

        from postmortem_desktop.resources import resource_path

        pixmap = QIcon(str(resource_path("icons", "postmortem-desktop.svg"))).pixmap(64, 64)
        if pixmap.isNull():
            raise CheckFailed("the SVG icon does not render (Qt's svg image format plugin missing?)")
        return "SVG icon renders at 64x64"

    def open_demo(self) -> str:
        from PySide6.QtCore import QSettings

        from postmortem_desktop.services.demo import write_demo

        from .main_window import MainWindow

        path = write_demo(self.folder / "self-check.pmw")
        self.window = MainWindow(QSettings(str(self.folder / "settings.ini"), QSettings.Format.IniFormat))
        if not self.window.open_path(path):
            raise CheckFailed(f"could not open {path}")
        self.window.resize(1280, 720)
        self.window.show()
        if self.window.hub.incident_id < 0:
            raise CheckFailed("the demo workspace has no incident selected")
        return f"{path.name}, incident {self.window.hub.incident_id} selected"

    def render(self, key: str) -> str:
        from PySide6.QtWidgets import QApplication

        widget = self.window.show_screen(key) or self.window.screen_widgets.get(key)
        if widget is None:
            raise CheckFailed(f"no widget registered as “{key}”")
        QApplication.processEvents()
        image = widget.grab().toImage()
        colours = distinct_colours(image)
        if colours < MIN_COLOURS:
            raise CheckFailed(f"{image.width()}x{image.height()} image is blank ({colours} colour(s))")
        return f"{image.width()}x{image.height()}, {colours} colours"

    def themes(self) -> str:
        from .theme import DARK, LIGHT, PROJECTOR, theme_manager

        manager = theme_manager()
        before = manager.snapshot()
        try:
            for name in (LIGHT, DARK, PROJECTOR):
                if manager.apply(name) != name or not manager.app.styleSheet().strip():
                    raise CheckFailed(f"the {name} theme did not apply")
        finally:
            manager.restore(before)
        return "light, dark, projector"

    def facilitator(self) -> str:
        from PySide6.QtWidgets import QApplication

        controller = self.window.facilitator
        shown: list[str] = []
        controller.step_shown.connect(lambda _index, key: shown.append(key))
        controller.start()
        try:
            # PageDown reads on through a step's pages before the next step: step until the last one
            for _ in range(MAX_FACILITATOR_PRESSES):
                if controller.index == len(controller.agenda.steps) - 1:
                    break
                controller.next_step()
            QApplication.processEvents()  # the room view is laid out for the full screen, as the event loop would
            image = self.window.grab().toImage()
            if distinct_colours(image) < MIN_COLOURS:
                raise CheckFailed("the facilitator view is blank")
        finally:
            controller.stop()
        expected = [step.screen for step in controller.agenda.steps]
        if shown != expected:
            raise CheckFailed(f"steps showed {shown}, expected {expected}")
        return f"{len(shown)} steps shown and left"

    def pdf(self) -> str:
        module = importlib.import_module("postmortem_desktop.reporting.exports")
        target = self.folder / "self-check.pdf"
        steps = module.export_pdf(self.window.hub.workspace, self.window.hub.incident_id, target)
        while True:
            try:
                next(steps)
            except StopIteration:
                break
        data = target.read_bytes()
        if not data.startswith(b"%PDF") or len(data) < 2000:
            raise CheckFailed(f"{target.name} is not a PDF report ({len(data)} bytes)")
        return f"{len(data) // 1024} KB"

    def helper_import(self) -> str:
        """A ticket dump imported through the import's helper process: in a frozen build the
        helper is this executable started again with --import-helper, so the build must route it."""
        from postmortem_desktop.services import spreadsheet_import
        from postmortem_desktop.services.ticket_import import ImportOptions

        source = self.folder / "self-check-tickets.csv"
        rows = [f"{n},Customer {n},c{n}@example.com,Charged twice,2026-11-18 10:{n:02d},I was charged twice"
                for n in range(1, 21)]
        source.write_text("Id,Requester,Requester email,Subject,Created at,Description\n" + "\n".join(rows) + "\n",
                          encoding="utf-8")
        hub = self.window.hub
        steps = spreadsheet_import.import_path(hub.workspace, hub.incident_id, source, parallel=True,
                                               options=ImportOptions(include_outside_window=True, dry_run=True))
        summary = spreadsheet_import.run_to_end(steps)
        if summary.rows_read != 20 or summary.imported != 20:
            raise CheckFailed(f"the helper read {summary.rows_read} rows and planned {summary.imported} of 20")
        return f"20 rows read and planned by the helper ({summary.vendor}); dry run, nothing stored"

    def helper_workbook(self) -> str:
        """A workbook read for the preview by the helper under its memory and time caps: the frozen
        helper must bundle calamine, and the preview must never parse a workbook in the app."""
        from openpyxl import Workbook
        from openpyxl.worksheet.worksheet import Worksheet

        from postmortem_desktop.services import spreadsheet_import

        source = self.folder / "self-check-tickets.xlsx"
        book = Workbook()
        sheet = book.active
        assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
        sheet.append(["Id", "Subject", "Created at"])
        for n in range(1, 21):
            sheet.append([n, "Charged twice", f"2026-11-18 10:{n:02d}"])
        book.save(source)
        plan = spreadsheet_import.prepare_import(source)
        if len(plan.sheet.rows) != 20:
            raise CheckFailed(f"the helper read {len(plan.sheet.rows)} of the workbook's 20 rows")
        return "20 workbook rows read by the capped helper for the preview"

    def keyring(self) -> str:
        """Team workspaces keep passwords in the system keyring: its backends must be findable in a build."""
        from postmortem_desktop.storage.team_passwords import keyring_backend_names, keyring_missing_reason

        missing = KEYRING_BACKENDS - keyring_backend_names()
        if missing:
            raise CheckFailed(f"keyring cannot find its {', '.join(sorted(missing))} backends (its package "
                              "metadata is missing from the build)")
        return "backends found; " + ("this machine has no keyring (libpq's ~/.pgpass is offered)"
                                     if keyring_missing_reason() else "a keyring is available")

    def run(self) -> int:
        from . import screens

        self.check("resources", self.resources)
        self.check("application icon", self.icon)
        self.check("keyring", self.keyring)
        if self.check("demo workspace", self.open_demo):
            keys = ([k for k, _t, _n in screens.SCREENS] + [k for k, _t, _n, _a in screens.DOCKS]
                    + [k for k, _t in screens.STRIPS])
            for key in keys:
                self.check(f"screen {key}", partial(self.render, key))
            self.check("import helper process", self.helper_import)
            self.check("workbook preview in the capped helper", self.helper_workbook)
            self.check("themes", self.themes)
            self.check("facilitator mode", self.facilitator)
            if _has_pdf_export():
                self.check("PDF export", self.pdf)
            else:
                self.out("skip  PDF export — postmortem_desktop.reporting has no export_pdf in this build")
            self.window.close()
        failed = [name for name, passed, _ in self.results if not passed]
        self.out(f"self-check {'FAILED: ' + ', '.join(failed) if failed else 'passed'} "
                 f"({len(self.results) - len(failed)} of {len(self.results)} checks)")
        return 1 if failed else 0


def _has_pdf_export() -> bool:
    try:
        module = importlib.import_module("postmortem_desktop.reporting.exports")
    except ImportError:
        return False
    return callable(getattr(module, "export_pdf", None))


def run_self_check(out: Callable[[str], None] = print) -> int:
    """Runs every check offscreen in a throwaway folder; 0 when all passed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Postmortem Desktop")
    out(f"Postmortem Desktop self-check on Qt platform “{app.platformName()}”, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="postmortem-self-check-") as folder:
        return SelfCheck(Path(folder), out).run()
