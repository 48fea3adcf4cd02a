"""One check of an importer against the truth a real file's source asserts."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.shared_data import shared_file

REAL = "real"


@dataclass(frozen=True)
class Check:
    """`run` raises AssertionError when the importer disagrees with the truth (a failed check). Any other
    exception, or a command exiting 1 ("unexpected error"), counts as a crash, which the corpus never allows."""

    kind: str  # the corpus folder: chats, email, tickets, csv, dates
    name: str  # the file (relative to real/) and what is checked, e.g. "chats/x.txt: 50 messages"
    run: Callable[[], None]


def real_file(relative: str) -> Path:
    """A file of ../shared/data/real/ by its path relative to that folder."""
    return shared_file(f"{REAL}/{relative}")


@cache
def expected_files() -> dict[str, dict[str, Any]]:
    """expected.json's `files`: path relative to real/ -> {source, licence, sha256, truth: [...]}."""
    data: dict[str, Any] = json.loads(real_file("expected.json").read_text(encoding="utf-8"))
    return data["files"]


def truths(relative: str) -> list[dict[str, Any]]:
    return list(expected_files()[relative]["truth"])
