"""The headless command line `postmortem`: the same services as the app, for scripts."""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..domain.errors import MissingIncident, RuleError
from ..reporting.output_file import OutputPathError
from ..storage.workspace import WorkspaceError

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2, 3, 4


# SQLite stores ids as signed 64-bit integers; a larger --incident is a typing mistake, not an id.
_MAX_ID = 2**63 - 1


class BadInput(Exception):
    """An input file the command cannot use; the message says why (exit 4)."""


def incident_id(text: str) -> int:
    """argparse type of --incident: a whole number from 1 up (anything else is a usage error, exit 2)."""
    if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", text):  # int() also reads other scripts' digits (١)
        raise argparse.ArgumentTypeError(f"{text!r} is not an incident id (a whole number)")
    value = int(text)
    if not 1 <= value <= _MAX_ID:
        raise argparse.ArgumentTypeError(f"{text} is not an incident id (ids run from 1 to {_MAX_ID})")
    return value


def input_file(name: str) -> Path:
    """An input file named on the command line, refused (exit 4) unless it is a regular file.

    A folder failed later with a raw error, and a named pipe would hang the command.
    """
    path = Path(name)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BadInput(f"{name} does not exist") from None
    except OSError as exc:
        raise BadInput(f"cannot read {name}: {exc.strerror}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(f"{name} is a folder; name a file inside it")
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(f"{name} is not a regular file (a pipe, socket or device); save it to a file first")
    return path


def add_incident_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--incident", type=incident_id, required=True, metavar="ID",
                        help="incident id (see `postmortem incidents`)")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    widths = {c: max([len(c)] + [len(str(r.get(c, "") if r.get(c) is not None else "—")) for r in rows])
              for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c) if row.get(c) is not None else "—").ljust(widths[c]) for c in columns))


def build_parser() -> argparse.ArgumentParser:
    from . import (
        conversation_commands,
        event_commands,
        import_commands,
        publish_commands,
        report_commands,
        review_commands,
        tag_commands,
        workspace_commands,
    )

    parser = argparse.ArgumentParser(prog="postmortem", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (workspace_commands, import_commands, conversation_commands, event_commands, review_commands,
                   tag_commands, report_commands, publish_commands):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] = args.handler
    try:
        return handler(args) or EXIT_OK
    except MissingIncident as exc:  # a mistyped --incident is a usage error, not a refusal
        print(f"error: {exc} `postmortem incidents WORKSPACE` lists them.", file=sys.stderr)
        return EXIT_USAGE
    except RuleError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except WorkspaceError as exc:  # held elsewhere, read-only, disk full: refused; a bad file: bad input
        print(f"{'refused' if exc.refusal else 'error'}: {exc}", file=sys.stderr)
        return EXIT_REFUSED if exc.refusal else EXIT_BAD_INPUT
    except (BadInput, OutputPathError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_UNEXPECTED
    except BrokenPipeError:
        # the reader stopped reading (`postmortem incidents w.pmw --json | head -1`): what was asked
        # is done; point stdout at nothing so the interpreter's last flush does not fail again
        _stdout_to_nowhere()
        return EXIT_OK
    except Exception as exc:
        print(f"unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNEXPECTED


def _stdout_to_nowhere() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (tests capture it): nothing to quiet
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
