"""The export entry points, loading reportlab and openpyxl only when an export starts.

Those two libraries take ~0.5 s to import; the report screen is built at start-up but most
sessions never export, so the app must not pay for them before it is shown.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from . import exports

    return getattr(exports, name)
