"""Moving incidents between workspaces: `publish` a file's incidents to a team workspace, `save-local` one
team incident into a new file (for a meeting without network). Both are services/publish.py."""
from __future__ import annotations

import argparse
from dataclasses import asdict

from ..services.publish import AlreadyInTarget, CopyResult, publish, save_incident_as_file
from ..storage.workspace_kind import display_name
from . import add_incident_argument, incident_id, print_json
from .workspace_commands import WORKSPACE_HELP, opened


def register(sub: argparse._SubParsersAction) -> None:
    pub = sub.add_parser("publish", help="copy a workspace's incidents (or one) into a team workspace, in one "
                                         "transaction; ids, times and history kept")
    pub.add_argument("source", metavar="FILE", help=f"where the incidents are: {WORKSPACE_HELP}")
    pub.add_argument("target", metavar="URL", help=f"where they go: {WORKSPACE_HELP}")
    pub.add_argument("--incident", type=incident_id, metavar="ID", help="only this incident (default: all)")
    how = pub.add_mutually_exclusive_group()
    how.add_argument("--as-copy", action="store_true",
                     help="publish an incident that is already there again, as a separate incident")
    how.add_argument("--bring-back", action="store_true",
                     help="an incident already there that nobody changed since this file was saved from it takes "
                          "this file's changes (a meeting's, say), keeping its ids; refused when it changed there")
    pub.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    pub.set_defaults(handler=_publish)

    save = sub.add_parser("save-local", help="save one incident of a team workspace into a new workspace file")
    save.add_argument("source", metavar="URL", help=f"where the incident is: {WORKSPACE_HELP}")
    save.add_argument("target", metavar="FILE", help="the new workspace file (never an existing one)")
    add_incident_argument(save)
    save.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    save.set_defaults(handler=_save_local)


def _publish(args: argparse.Namespace) -> int:
    # the source is opened for writing only so that an older file can be upgraded; nothing else is written to it
    with opened(args.source) as source, opened(args.target) as target:
        ids = None if args.incident is None else [args.incident]
        try:
            result = publish(source, target, ids, as_copy=args.as_copy, bring_back=args.bring_back)
        except AlreadyInTarget as exc:  # the command line's own words for the choices the message offers
            how = "--bring-back or --as-copy" if exc.may_bring_back else "--as-copy"
            raise AlreadyInTarget(f"{exc} Run again with {how}.", may_bring_back=exc.may_bring_back) from exc
    _report(args, result, f"published {_count(result)} from {display_name(args.source)} to {result.target}")
    if result.brought_back and not args.json:
        print(f"brought back (replaced, nobody had changed them there): incident "
              f"{', '.join(map(str, result.brought_back))}")
    if result.deleted_there and not args.json:
        print(f"deleted in {result.target} since this file was saved from it, so it came back as a new incident: "
              f"incident {', '.join(map(str, result.deleted_there))}")
    return 0


def _save_local(args: argparse.Namespace) -> int:
    with opened(args.source, read_only=True) as source:  # a role that may only read can still take a copy
        result = save_incident_as_file(source, args.target, args.incident)
    _report(args, result, f"saved {_count(result)} from {display_name(args.source)} to {args.target}")
    return 0


def _count(result: CopyResult) -> str:
    return "1 incident" if len(result.incidents) == 1 else f"{len(result.incidents)} incidents"


def _report(args: argparse.Namespace, result: CopyResult, headline: str) -> None:
    if args.json:
        print_json(asdict(result))
        return
    print(headline)
    for incident in result.incidents:
        print(f"  {incident.source_id} “{incident.title}” -> incident {incident.target_id}")
    rows = ", ".join(f"{name} {n}" for name, n in result.rows.items() if n)
    print(f"rows copied: {sum(result.rows.values())} ({rows})")
    renumbered = {name: n for name, n in result.new_ids.items() if n}
    if renumbered:
        print("new ids (the old ones were taken there; every link follows): "
              + ", ".join(f"{name} {n}" for name, n in renumbered.items()))
    else:
        print("every id kept")
    if result.left_out:
        print("left out, as they need rows the source no longer has: "
              + ", ".join(f"{name} {n}" for name, n in result.left_out.items()))
    if result.tags_added:
        print(f"tags added: {', '.join(result.tags_added)}")
    print(f"customers: {result.customers_added} added, {result.customers_matched} already there")
