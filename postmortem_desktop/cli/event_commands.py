"""`postmortem import-events`: a status page, paging, alerting, deploy or log file → system events."""
from __future__ import annotations

import argparse
import sys

from ..domain.counting import counted
from ..importers.events import SOURCE_NAMES, EventFileError
from ..importers.events.slack_export import is_slack_export
from ..services.event_import import EventImportPlan, plan_file
from ..services.slack_import import SlackChoice, SlackImportPlan, UnknownChannel, plan_slack_file
from . import EXIT_USAGE, BadInput, add_incident_argument, print_json
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
    slack = cmd.add_argument_group("Slack workspace export (a .zip)")
    slack.add_argument("--channel", action="append", default=[], metavar="NAME",
                       help="an incident channel: its people become one internal conversation (repeatable)")
    slack.add_argument("--escalation-channel", action="append", default=[], metavar="NAME",
                       help="a support-escalation channel: each thread becomes an internal conversation")
    cmd.add_argument("--include-outside-window", action="store_true",
                     help="also import events (and Slack messages) outside the incident's review window")
    cmd.add_argument("--dry-run", action="store_true", help="read and compare everything, store nothing")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(handler=_import_events)


def _import_events(args: argparse.Namespace) -> int:
    path = input_file(args.file)
    slack = is_slack_export(path)
    if not slack and (args.channel or args.escalation_channel):
        raise BadInput(f"{args.file} is not a Slack workspace export; --channel and --escalation-channel "
                       "only apply to one")
    whole: SlackImportPlan | EventImportPlan
    with opened(args.workspace, read_only=args.dry_run) as ws:
        try:
            if slack:
                choice = SlackChoice(tuple(args.channel), tuple(args.escalation_channel),
                                     args.include_outside_window)
                whole = plan_slack_file(ws, args.incident, path, choice)
                plan = whole.events
            else:
                whole = plan = plan_file(ws, args.incident, args.file, source=args.source,
                                         include_outside_window=args.include_outside_window)
        except EventFileError as exc:
            raise BadInput(f"{args.file}: {exc}") from exc
        except UnknownChannel as exc:  # a mistyped --channel is a usage error, like an impossible --incident
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        command = whole.command()
        if command is not None and not args.dry_run:
            command.do(ws)
    if args.json:
        print_json(whole.to_json(dry_run=args.dry_run))
        return 0
    if isinstance(whole, SlackImportPlan):
        verb = "would add" if args.dry_run else "added"
        print(f"{whole.file_name}: Slack export, {counted(whole.messages_read, 'message')} in the chosen channels, "
              f"{whole.outside_window:,} outside the review window; {verb} {len(whole.conversations)} internal "
              f"conversations ({whole.conversations_present} already present)")
    verb = "would import" if args.dry_run else "imported"
    kinds = ", ".join(f"{n} {kind}" for kind, n in plan.counts.items()) or "nothing new"
    outside = (f"; {len(plan.outside)} outside the review window (left out; --include-outside-window takes "
               "them)") if plan.outside else ""
    print(f"{plan.file_name}: {plan.source}, {counted(plan.items_read, 'item')} read; "
          f"{verb} {counted(len(plan.new), 'event')} "
          f"({kinds}); {plan.already_present} already present{outside}; {len(plan.skipped)} skipped")
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
