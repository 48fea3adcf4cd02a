"""Finds files under resources/ the same way from a checkout, a wheel and a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder holding icons, themes, fonts and data files."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # PyInstaller one-folder build
        return Path(bundle) / "resources"
    here = Path(__file__).resolve().parent
    installed = here / "_resources"  # wheel: shipped inside the package
    if installed.is_dir():
        return installed
    return here.parent / "resources"  # source checkout


def resource_path(*parts: str) -> Path:
    """Path of one resource file; raises FileNotFoundError with the looked-up path."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource missing: {path}")
    return path
