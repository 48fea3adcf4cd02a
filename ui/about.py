"""The About dialog: version and the licences of bundled components."""
from __future__ import annotations

from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "source checkout"


def show_about(parent) -> None:  # noqa: ANN001
    QMessageBox.about(
        parent, "About Postmortem Desktop",
        f"<h3>Postmortem Desktop {_version('postmortem-desktop')}</h3>"
        "<p>A workbench for support-led incident postmortems: what the logs saw against what "
        "customers lived through.</p>"
        "<p>Built with Qt for Python (PySide6 " + pyside_version + ", LGPLv3), SQLAlchemy (MIT), "
        "openpyxl (MIT), reportlab (BSD), python-calamine (MIT), charset-normalizer (MIT), "
        "platformdirs (MIT), pypdfium2 and PDFium (Apache-2.0 / BSD-3-Clause), Pillow (MIT-CMU).</p>"
        "<p>Fonts: DejaVu (Bitstream Vera licence), Droid Sans Fallback (Apache-2.0). The packaged app "
        "also bundles the Python runtime (PSF licence).</p>",
    )
