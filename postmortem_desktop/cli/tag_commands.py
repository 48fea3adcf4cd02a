"""Subcommand `suggest-tags`: the tagger over JSON Lines or plain lines, headless, order kept."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TextIO

from ..analysis.phrase_patterns import load_pattern_file
from ..services.suggestions import suggest_for_role, tagger_for_extras
from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "suggest-tags", help="suggest customer-harm tags for texts",
        description="Reads JSON Lines {\"id\", \"text\"} (optionally \"role\") or plain lines, one text each, "
                    "and prints the suggested tags with the phrase that triggered each, in input order.")
    cmd.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    cmd.add_argument("--json", action="store_true",
                     help='print JSON Lines {"id", "tags": [{"tag", "phrase"}]} instead of text')
    cmd.add_argument("--patterns", metavar="FILE",
                     help="extra phrase patterns (same shape as resources/tag_patterns.json)")
    cmd.set_defaults(handler=_suggest_tags)


def read_items(stream: TextIO) -> Iterator[tuple[object, str, str | None]]:
    """(id, text, role) per non-blank line; a plain line's id is its line number."""
    for number, line in enumerate(stream, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("{"):
            yield number, line.rstrip("\r\n"), None
            continue
        try:
            item = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise BadInput(f"line {number} looks like JSON but is not valid ({exc.msg}); "
                           "fix it, or give the text as a plain line") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadInput(f'line {number}: a JSON line needs a "text" string, e.g. {{"id": 1, "text": "…"}}')
        role = item.get("role") if isinstance(item.get("role"), str) else None
        yield item.get("id", number), item["text"], role


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from exc


def _extras_json(path: str | None) -> str:
    if not path:
        return ""
    try:
        return json.dumps(load_pattern_file(path))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def _suggest_tags(args: argparse.Namespace) -> int:
    tagger = tagger_for_extras(_extras_json(args.patterns))
    stream = _open_input(args.file)
    try:
        for item_id, body, role in read_items(stream):
            found = [{"tag": s.tag, "phrase": s.phrase} for s in suggest_for_role(tagger, body, role)]
            if args.json:
                print(json.dumps({"id": item_id, "tags": found}, ensure_ascii=False))
            else:
                tags = ", ".join(f"{f['tag']} (“{f['phrase']}”)" for f in found) or "—"
                print(f"{item_id}\t{tags}")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the input is not UTF-8 text ({exc.reason}); save it as UTF-8 and try again") from exc
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 0
