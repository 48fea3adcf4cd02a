"""Subcommands about the close-out: show the checklist, close, reopen, export the follow-up event."""
from __future__ import annotations

import argparse

from ..reporting.calendar_ics import export_follow_up_check
from ..reporting.output_file import ICS, check_output
from ..services.closeout import CloseIncident, CloseoutService, ReopenIncident
from ..services.commands import RuleError
from ..services.followup import follow_up_link
from ..services.incidents import IncidentService
from . import add_incident_argument, print_json
from .workspace_commands import opened


def register(sub: argparse._SubParsersAction) -> None:
    checklist = sub.add_parser("checklist", help="show what the close-out of an incident still needs")
    _common(checklist)
    checklist.add_argument("--json", action="store_true", help="print {can_close, items} as JSON")
    checklist.set_defaults(handler=_checklist)

    close = sub.add_parser("close", help="close an incident (refused, exit 3, while items are missing)")
    _common(close)
    close.set_defaults(handler=_close)

    reopen = sub.add_parser("reopen", help="reopen a closed incident (recorded in its history)")
    _common(reopen)
    reopen.add_argument("--reason", default="", help="why it is reopened")
    reopen.set_defaults(handler=_reopen)

    ics = sub.add_parser("followup-ics", help="write the follow-up check as a calendar (.ics) event")
    _common(ics)
    ics.add_argument("-o", "--output", required=True, help="the .ics file to write")
    ics.set_defaults(handler=_followup_ics)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workspace")
    add_incident_argument(parser)


def _checklist(args: argparse.Namespace) -> int:
    with opened(args.workspace, read_only=True) as ws:
        state = CloseoutService(ws).checklist(args.incident)
    if args.json:
        print_json({"incident": args.incident, "status": state.status, "can_close": state.can_close,
                    "items": [{"key": i.key, "ok": i.ok, "missing": i.missing} for i in state.items]})
        return 0
    print(f"Close-out: {state.done} of {len(state.items)} done" + (" — ready to close" if state.can_close else ""))
    for item in state.items:
        print(f"  [{'x' if item.ok else ' '}] {item.label}" + ("" if item.ok else f" — {item.missing}"))
    return 0


def _close(args: argparse.Namespace) -> int:
    with opened(args.workspace) as ws:
        CloseIncident(args.incident).do(ws)
    print(f"closed incident {args.incident}")
    return 0


def _reopen(args: argparse.Namespace) -> int:
    with opened(args.workspace) as ws:
        ReopenIncident(args.incident, args.reason).do(ws)
    print(f"reopened incident {args.incident}")
    return 0


def _followup_ics(args: argparse.Namespace) -> int:
    check_output(args.output, ICS, inputs=(args.workspace,))  # before opening: a bad target costs nothing
    with opened(args.workspace, read_only=True) as ws:
        schedule = CloseoutService(ws).follow_up(args.incident)
        if schedule.scheduled_at is None:
            raise RuleError("No follow-up check is scheduled for this incident; schedule it first.")
        details = IncidentService(ws).get(args.incident)
        path = export_follow_up_check(args.output, incident_id=args.incident, incident_title=details.title,
                                      start=schedule.scheduled_at, workspace=follow_up_link(ws))
    print(f"wrote {path}")
    return 0
