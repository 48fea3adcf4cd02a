"""`postmortem import-events`: a status page, paging, alerting, deploy or log file → system events."""
from __future__ import annotations

import argparse

from ..importers.events import SOURCE_NAMES, EventFileError
from ..services.event_import import plan_file
from . import BadInput, add_incident_argument, print_json
from .import_commands import input_file
from .workspace_commands import opened


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("import-events", help="import system events (status page, paging, alerting, deploys, "
                                               "logs) into an incident")
    cmd.add_argument("workspace")
    cmd.add_argument("file")
    add_incident_argument(cmd)
    cmd.add_argument("--source", choices=SOURCE_NAMES, metavar="NAME",
                     help=f"read the file as this source instead of recognising it ({', '.join(SOURCE_NAMES)})")
    cmd.add_argument("--dry-run", action="store_true", help="read and compare everything, store nothing")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(handler=_import_events)


def _import_events(args: argparse.Namespace) -> int:
    input_file(args.file)
    with opened(args.workspace, read_only=args.dry_run) as ws:
        try:
            plan = plan_file(ws, args.incident, args.file, source=args.source)
        except EventFileError as exc:
            raise BadInput(f"{args.file}: {exc}") from exc
        command = plan.command()
        if command is not None and not args.dry_run:
            command.do(ws)
    if args.json:
        print_json(plan.to_json(dry_run=args.dry_run))
        return 0
    verb = "would import" if args.dry_run else "imported"
    kinds = ", ".join(f"{n} {kind}" for kind, n in plan.counts.items()) or "nothing new"
    print(f"{plan.file_name}: {plan.source}, {plan.items_read} items read; {verb} {len(plan.new)} events "
          f"({kinds}); {plan.already_present} already present; {len(plan.skipped)} skipped")
    for line, text, reason in plan.skipped[:50]:
        print(f"  {'line ' + str(line) + ': ' if line else ''}{reason}{f' — {text[:80]}' if text else ''}")
    if len(plan.skipped) > 50:
        print(f"  … and {len(plan.skipped) - 50} more (use --json for all)")
    if plan.suggestion is not None:
        for name, label in (("technical_start", "first failure"), ("technical_end", "recovery"),
                            ("status_page_resolved", "status page resolved")):
            s = getattr(plan.suggestion, name)
            if s.at is not None:
                print(f"suggested {label}: {s.at.isoformat()} ({s.reason})")
    return 0
