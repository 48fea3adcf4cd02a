"""Subcommands about whole workspaces: make a new one, write the demo, list incidents.

Wherever a command takes a WORKSPACE it takes a file or a team workspace's postgresql:// URL
(storage/workspace_kind.py). A URL is shown without its password; better still, give none in it
and let libpq find it (PGPASSWORD, ~/.pgpass, a service file).
"""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..services.demo import write_demo
from ..services.incidents import IncidentService
from ..storage.workspace import Workspace, WorkspaceError, create_workspace, open_workspace
from ..storage.workspace_kind import WorkspaceKind, display_name, kind_of
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


WORKSPACE_HELP = "a workspace file, or a team workspace's postgresql://USER@HOST:PORT/DATABASE"


def register(sub: argparse._SubParsersAction) -> None:
    new = sub.add_parser("new", help="make a new, empty workspace (a file, or a team workspace in an empty database)")
    new.add_argument("path", help=f"the new workspace: {WORKSPACE_HELP}")
    new.set_defaults(handler=_new)

    demo = sub.add_parser("demo", help="write a demo workspace (a billing-outage review)")
    demo.add_argument("path", help=f"the new workspace, e.g. demo.pmw: {WORKSPACE_HELP}")
    demo.set_defaults(handler=_demo)

    incidents = sub.add_parser("incidents", help="list the incidents of a workspace")
    incidents.add_argument("workspace", help=WORKSPACE_HELP)
    incidents.add_argument("--json", action="store_true", help="print JSON instead of a table")
    incidents.set_defaults(handler=_incidents)


def _new(args: argparse.Namespace) -> int:
    create_workspace(args.path).close()
    print(f"made workspace {display_name(args.path)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    if kind_of(args.path) is WorkspaceKind.TEAM:
        write_demo(args.path)  # create_workspace refuses a database that holds anything already
        print(f"wrote demo workspace {display_name(args.path)}")
        return 0
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
