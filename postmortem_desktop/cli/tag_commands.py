"""Subcommand `suggest-tags`: the suggester over JSON Lines or plain lines, headless, order kept."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TextIO

from ..analysis.example_memory import ExampleMemory
from ..analysis.phrase_patterns import load_pattern_file
from ..analysis.suggester import Suggester
from ..services.settings import get_setting
from ..services.suggestions import (
    EXTRA_PATTERNS_KEY,
    shipped_model,
    tagger_for_extras,
    workspace_examples,
)
from . import BadInput, input_file


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "suggest-tags", help="suggest customer-harm tags for texts",
        description="Reads JSON Lines {\"id\", \"text\"} (optionally \"role\") or plain lines, one text each, "
                    "and prints the suggested tags with the phrase that triggered each, in input order.")
    cmd.add_argument("file", nargs="?", default="-", help="input file, or - for standard input (default)")
    cmd.add_argument("--json", action="store_true",
                     help='print JSON Lines {"id", "tags": [{"tag", "phrase"}]} instead of text')
    cmd.add_argument("--explain", action="store_true",
                     help='add why and how sure: "reason" and "confidence" (0-1) per tag')
    cmd.add_argument("--patterns", metavar="FILE",
                     help="extra phrase patterns (same shape as resources/tag_patterns.json)")
    cmd.add_argument("--workspace", metavar="W",
                     help="learn from workspace W: the tags its people set, accepted or dismissed, and its own "
                          "phrases (read only; W is never changed)")
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
        except ValueError as exc:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
            raise BadInput(f"line {number} holds a number too long to read ({exc}); "
                           "give it as a plain line or shorten the number") from exc
        except RecursionError:  # the json module recurses once per nested [ or {
            raise BadInput(f"line {number} nests JSON too deeply to read; give it as "
                           '{"id": …, "text": "…"}') from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadInput(f'line {number}: a JSON line needs a "text" string, e.g. {{"id": 1, "text": "…"}}')
        role = item.get("role") if isinstance(item.get("role"), str) else None
        yield item.get("id", number), item["text"], role


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    input_file(path)  # a folder or a named pipe is refused at once (a pipe hung the command)
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
    except OSError as exc:  # a folder, or a file this user may not read
        raise BadInput(f"cannot read the pattern file {path}: {exc.strerror}") from exc
    except RecursionError:  # the json module recurses once per nested [ or {
        raise BadInput(f"the pattern file {path} nests JSON too deeply to read; it maps tag names "
                       "to lists of patterns (see resources/tag_patterns.json)") from None


def _suggester(args: argparse.Namespace) -> Suggester:
    extras = _extras_json(args.patterns)
    if not args.workspace:
        return Suggester(tagger_for_extras(extras), shipped_model())
    from .workspace_commands import opened

    with opened(args.workspace, read_only=True) as workspace:
        examples = workspace_examples(workspace)
        own = get_setting(workspace, EXTRA_PATTERNS_KEY, "")
    if own.strip() and not extras:
        extras = own
    elif own.strip():  # both: the file's phrases added to the workspace's own
        merged = json.loads(own)
        for tag, patterns in json.loads(extras).items():
            merged[tag] = [*merged.get(tag, []), *patterns] if not tag.startswith("_") else patterns
        extras = json.dumps(merged)
    return Suggester(tagger_for_extras(extras), shipped_model(), ExampleMemory(examples))


def _suggest_tags(args: argparse.Namespace) -> int:
    suggester = _suggester(args)
    stream = _open_input(args.file)
    try:
        for item_id, body, role in read_items(stream):
            found = []
            for s in suggester.suggest(body, role):
                entry: dict = {"tag": s.tag, "phrase": s.phrase}
                if args.explain:
                    entry.update(reason=s.reason, confidence=round(s.confidence, 3))
                found.append(entry)
            if args.json:
                print(json.dumps({"id": item_id, "tags": found}, ensure_ascii=False))
            else:
                print(f"{item_id}\t{_as_text(found, args.explain)}")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the input is not UTF-8 text ({exc.reason}); save it as UTF-8 and try again") from exc
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 0


def _as_text(found: list[dict], explain: bool) -> str:
    if not found:
        return "—"
    if explain:
        return "; ".join(f"{f['tag']} {round(f['confidence'] * 100)} % ({f['reason']})" for f in found)
    return ", ".join(f"{f['tag']} (“{f['phrase']}”)" for f in found)
