"""Reading JSON that came from outside the app (a dropped file, a saved preset): one rule for nesting.

Python's json module recurses once per ``[`` or ``{``, so a file of 100,000 brackets raised
RecursionError, which reached the command line as "unexpected error". No export, preset or
setting nests more than a few levels, so such a file is refused as damaged or hostile, with words.
"""
from __future__ import annotations

import json
from typing import Any


class NestedTooDeeply(ValueError):
    """JSON whose brackets nest too deeply to read: a damaged or hostile file, never an export.

    A ValueError, like json's own JSONDecodeError, so callers that already say "not readable
    JSON" for a damaged file say it for this one too.
    """

    def __init__(self) -> None:
        super().__init__("its JSON is nested too deeply (brackets inside brackets, hundreds of levels) to be "
                         "an export or a saved file of any tool")


def load_json(data: str | bytes) -> Any:
    """``json.loads(data)``, raising NestedTooDeeply instead of RecursionError."""
    try:
        return json.loads(data)
    except RecursionError:
        raise NestedTooDeeply() from None
