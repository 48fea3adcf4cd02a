"""Runs `postmortem parse-transcript FILE --json` in-process on a real file, once per file, for the checks."""
from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from tests.real_corpus.check import real_file


@dataclass(frozen=True)
class Parsed:
    """What the command printed: its exit code, its JSON (when it exited 0) and its error text."""

    exit_code: int
    format: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    def times(self) -> list[datetime]:
        return [datetime.fromisoformat(m["at"]) for m in self.messages if m["at"]]

    def authors(self) -> list[str]:
        return [m["author"] for m in self.messages]


@cache
def parse(relative: str) -> Parsed:
    """The product's reading of a file under real/ (times in UTC: the command's default zone)."""
    from postmortem_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["parse-transcript", str(real_file(relative)), "--json"])
    if code != 0:
        return Parsed(code, error=err.getvalue().strip())
    data = json.loads(out.getvalue())
    return Parsed(0, data["format"], data["messages"])


def parsed_ok(relative: str) -> Parsed:
    """The reading, asserting that the command exited 0 (exit 1 is a crash, raised as such)."""
    result = parse(relative)
    if result.exit_code == 1:
        raise RuntimeError(f"exit 1 (unexpected error): {result.error}")
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.error}"
    return result


def utc(text: str) -> datetime:
    """A truth's time: ISO text, 'Z' or an offset, or naive (wall time, read here as UTC)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
