"""Publish and save-local budgets (issue 18): one incident of 100k conversations, each with a message.

1. Publish a workspace file's incident to an empty team workspace (services/publish.py, one transaction).
2. Save that team incident into a new workspace file.
Each is measured beside its floor, run in the same session on the same rows: reading the incident
(storage/snapshot.capture) and inserting its rows as they are into an empty workspace of the same kind,
in one transaction, with none of the copy's work (keys decided, references followed, tags and customers
matched, the uid checked). The copy may cost at most FLOOR_RATIO times that, and the absolute budgets
hold at 100k. A throwaway loopback cluster as the tests (scripts/team-server.sh).
Run from the repo root: python bench/bench_publish.py [--rows N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_team import SCRIPT, rows, start_cluster  # noqa: E402 - the same generated tickets as the team bench

PUBLISH_BUDGET_S = 60.0
SAVE_BUDGET_S = 60.0
FLOOR_RATIO = 1.5


def fill_file(path: Path, n: int) -> int:
    """A workspace file holding one incident of n conversations, one message each (search indexed)."""
    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.storage.schema import Conversation, Message
    from postmortem_desktop.storage.workspace import create_workspace

    workspace = create_workspace(path)
    try:
        created = CreateIncident(title="Bench outage")
        created.do(workspace)
        data = rows(n)
        with workspace.transaction() as session:
            conn = session.connection()
            conn.execute(Conversation.__table__.insert(), [
                {"id": i, "incident_id": created.incident_id, "external_id": f"T-{i}", "subject": subject,
                 "first_at": at, "last_at": at, "channel": "ticket"} for i, subject, at, _text in data])
            conn.execute(Message.__table__.insert(), [
                {"id": i, "conversation_id": i, "position": 0, "at": at, "author": "customer", "role": "customer",
                 "text": text} for i, _subject, at, text in data])
        return created.incident_id
    finally:
        workspace.close()


def plain_copy(source, target, incident_id: int) -> None:  # noqa: ANN001 - Workspaces
    """The floor: read the incident's rows, insert them as they are, one transaction (keys free, no checks)."""
    from postmortem_desktop.storage import snapshot
    from postmortem_desktop.storage.schema import Base

    with source.reading() as session:
        snap = snapshot.capture(session.connection(), incident_id)
    with target.transaction() as session:
        conn = session.connection()
        for model in snapshot.ORDER:
            if snap.rows[model.__tablename__]:
                conn.execute(Base.metadata.tables[model.__tablename__].insert(), snap.rows[model.__tablename__])


def warm(workspace, incident_id: int) -> None:  # noqa: ANN001 - a Workspace
    from postmortem_desktop.storage import snapshot

    with workspace.reading() as session:
        snapshot.capture(session.connection(), incident_id)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def new_database(cluster: dict[str, str], name: str) -> str:
    import psycopg

    with psycopg.connect(cluster["URL"], autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return cluster["URL"].rsplit("/", 1)[0] + f"/{name}"


def measure(cluster: dict[str, str], n: int, tmp: Path) -> list[tuple[str, float, float, bool]]:
    from postmortem_desktop.services.publish import publish, save_incident_as_file
    from postmortem_desktop.storage.workspace import create_workspace, open_workspace

    print(f"generating one incident of {n:,} conversations…", flush=True)
    incident = fill_file(tmp / "source.pmw", n)
    source = open_workspace(tmp / "source.pmw")
    team, floor_team = (create_workspace(new_database(cluster, name)) for name in ("published", "floor"))
    try:
        # a first read of each source, unmeasured, warms the caches for the floor and the copy alike
        warm(source, incident)
        floor_publish_s = timed(lambda: plain_copy(source, floor_team, incident))
        publish_s = timed(lambda: publish(source, team, [incident]))
        floor_file = create_workspace(tmp / "floor.pmw")
        warm(team, incident)
        try:
            floor_save_s = timed(lambda: plain_copy(team, floor_file, incident))
        finally:
            floor_file.close()
        warm(team, incident)
        save_s = timed(lambda: save_incident_as_file(team, tmp / "saved.pmw", incident))
    finally:
        for ws in (source, team, floor_team):
            ws.close()
    return [
        (f"publish file -> team, {n:,} conversations", publish_s, PUBLISH_BUDGET_S, publish_s <= PUBLISH_BUDGET_S),
        (f"  its floor (read + plain insert) {floor_publish_s:.2f} s; publish/floor", publish_s / floor_publish_s,
         FLOOR_RATIO, publish_s / floor_publish_s <= FLOOR_RATIO),
        (f"save-local team -> new file, {n:,} conversations", save_s, SAVE_BUDGET_S, save_s <= SAVE_BUDGET_S),
        (f"  its floor (read + plain insert) {floor_save_s:.2f} s; save/floor", save_s / floor_save_s, FLOOR_RATIO,
         save_s / floor_save_s <= FLOOR_RATIO),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    cluster = start_cluster()
    os.environ["PGPASSFILE"] = cluster["PGPASSFILE"]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            figures = measure(cluster, args.rows, Path(tmp))
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", cluster["FOLDER"]], capture_output=True, check=False)
    for label, value, budget, within in figures:
        unit = "x" if "/floor" in label else "s"
        print(f"{label}: {value:6.2f} {unit}   budget {budget:.1f} {unit}   {'ok' if within else 'OVER BUDGET'}")
    return 0 if all(f[3] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
