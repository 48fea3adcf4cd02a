"""Subcommands about whole workspaces: write the demo, list incidents."""
from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..services.demo import write_demo
from ..services.incidents import IncidentService
from ..storage.workspace import Workspace, WorkspaceError, open_workspace
from . import print_json, print_table


@contextmanager
def opened(path: str) -> Iterator[Workspace]:
    workspace = open_workspace(path)
    try:
        yield workspace
    finally:
        workspace.close()


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="write a demo workspace (a billing-outage review)")
    demo.add_argument("path", help="the new workspace file, e.g. demo.pmw")
    demo.set_defaults(handler=_demo)

    incidents = sub.add_parser("incidents", help="list the incidents of a workspace")
    incidents.add_argument("workspace")
    incidents.add_argument("--json", action="store_true", help="print JSON instead of a table")
    incidents.set_defaults(handler=_incidents)


def _demo(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and path.stat().st_size > 0:
        raise WorkspaceError(f"{path} already exists; choose a new file name for the demo.")
    write_demo(path)
    print(f"wrote demo workspace {path}")
    return 0


def _incidents(args: argparse.Namespace) -> int:
    with opened(args.workspace) as ws:
        rows = [
            {"id": s.id, "title": s.title, "status": s.status, "technical_minutes": s.technical_minutes,
             "customer_minutes": s.customer_minutes, "technical_severity": s.technical_severity,
             "customer_severity": s.customer_severity or None}
            for s in IncidentService(ws).list_incidents()
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["id", "title", "status", "technical_minutes", "customer_minutes"])
    return 0
