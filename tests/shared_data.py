"""Third-party sample files, read where they live: ../shared/data beside the checkout (CI has it too).

They are never copied into this repository; a missing one fails the test that needs it, by name.
"""
from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """The sample ../shared/data/name; fails loudly (not a skip) when the shared folder is missing."""
    path = SHARED_DATA / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the tests read third-party samples from ../shared/data")
    return path


def on_ci() -> bool:
    """`.ci/run` exports CI=true: there a test that cannot run fails, never skips."""
    return os.environ.get("CI", "").lower() == "true"
