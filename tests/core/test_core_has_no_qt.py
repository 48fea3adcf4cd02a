"""The core must run headless: nothing under postmortem_desktop imports Qt or the ui package."""
import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "postmortem_desktop"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def _imported_roots(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def test_core_modules_never_import_qt_or_ui():
    offenders = [f"{p.relative_to(CORE.parent)}:{line} imports {root}"
                 for p in CORE.rglob("*.py") for root, line in _imported_roots(p) if root in FORBIDDEN]
    assert offenders == []


def test_the_scan_would_catch_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport ui.app\n")
    assert {root for root, _ in _imported_roots(bad)} == {"PySide6", "ui"}
