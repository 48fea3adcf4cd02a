"""Subcommands about whole workspaces: write the demo, list incidents."""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..services.demo import write_demo
from ..services.incidents import IncidentService
from ..storage.workspace import Workspace, WorkspaceError, open_workspace
from . import print_json, print_table


@contextmanager
def opened(path: str, *, read_only: bool = False) -> Iterator[Workspace]:
    """The workspace for one command; read_only for commands that only read, so they never change it.

    A SQLite error anywhere in the command is said in words (another program writing, disk full, damage).
    """
    workspace = open_workspace(path, read_only=read_only)
    try:
        yield workspace
    except Exception as exc:
        workspace.raise_diagnosed(exc)
        raise
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
    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        raise WorkspaceError(f"{path} already exists; choose a new file name for the demo.")
    write_demo(path)
    print(f"wrote demo workspace {path}")
    return 0


def _incidents(args: argparse.Namespace) -> int:
    with opened(args.workspace, read_only=True) as ws:
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
