"""Shared fixtures: every test runs with its own data, config and log folders."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests: "ci" is deterministic (the same examples on every run, no example database left
# in the checkout); POSTMORTEM_FUZZ=soak runs many more random ones locally, printing a blob to
# reproduce any failure. POSTMORTEM_FUZZ_EXAMPLES sets the soak's budget per test.
settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, database=None,
                          print_blob=True)
settings.register_profile("soak", max_examples=int(os.environ.get("POSTMORTEM_FUZZ_EXAMPLES", "20000")),
                          deadline=None, database=None, print_blob=True)
settings.load_profile(os.environ.get("POSTMORTEM_FUZZ", "ci"))


@pytest.fixture(autouse=True)
def _no_helper_left_waiting():
    """A helper one test left waiting (the Import dialog starts one) would be taken by the next test's
    import, instead of the one that test starts and watches: each test ends with none waiting."""
    yield
    pipeline = sys.modules.get("postmortem_desktop.services.import_pipeline")  # never imported just for this
    if pipeline is not None:
        pipeline.stop_standby()


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    yield


@pytest.fixture(scope="session")
def team_server():
    """The session's throwaway PostgreSQL cluster (tests/team_server.py); PGPASSFILE points at its passwords."""
    import subprocess

    from tests.team_server import start_server, stop_server, unavailable

    try:
        import psycopg  # noqa: F401 - the driver a team workspace needs
        server = start_server()
    except (ImportError, RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        unavailable(str(exc))
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = server.pgpassfile
    yield server
    if previous is None:
        os.environ.pop("PGPASSFILE", None)
    else:
        os.environ["PGPASSFILE"] = previous
    stop_server(server)


@pytest.fixture
def memory_keyring():
    """The tests' own keyring (tests/memory_keyring.py) in place of the machine's, for this test."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """A machine without a keyring (headless Linux): keyring's backends all say they cannot keep anything."""
    import keyring

    from tests.memory_keyring import NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def team_database(team_server):
    """The URL (no password in it) of an empty database of its own on the session's cluster."""
    name = team_server.new_database()
    yield team_server.url(name)
    team_server.drop_database(name)


@pytest.fixture
def password_login(team_server, team_database, monkeypatch):
    """A workspace, and a maker of roles that log into it with a password no password file knows.

    `password_login(prefix, password)` returns the workspace's URL for a new role that may read and write it;
    PGPASSFILE points nowhere, so only the password given apart from the URL (typed, or a keyring's) logs in.
    """
    from postmortem_desktop.storage.team_grants import write_grants
    from postmortem_desktop.storage.workspace import create_workspace

    create_workspace(team_database).close()
    database = team_database.rsplit("/", 1)[1]
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")

    def make(prefix: str, password: str) -> str:
        role = f"{prefix}_{database}"
        with team_server.admin(database) as conn:
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            for grant in write_grants(role):  # what the README and the read-only message ask an owner to run
                conn.execute(grant)
        return team_server.url(database, user=role)

    return make


# ---- one schema, two engines: the core tests of storage and services run on both ----------------------
# A core test that asks for `workspace` or `demo` runs twice, on a file ([file]) and on a team
# workspace on the session's PostgreSQL cluster ([team]), unless it is marked `file_only("why")`, a
# test of what only a file has (its lock, journal, header, path), or `not_on_team_yet("why")`, a
# path a team workspace does not have yet (kept apart so the list of gaps stays visible:
# `pytest --markers`, `grep -rn not_on_team_yet tests`). UI tests stay on files.
BOTH_ENGINES_UNDER = ROOT / "tests" / "core"


def pytest_configure(config):
    config.addinivalue_line("markers", "file_only(reason): runs on a workspace file only, with the reason why")
    config.addinivalue_line("markers", "not_on_team_yet(reason): a path team workspaces do not have yet; file only")


def pytest_generate_tests(metafunc):
    if "workspace_kind" not in metafunc.fixturenames:
        return
    both = BOTH_ENGINES_UNDER in Path(metafunc.definition.path).parents
    only_file = any(metafunc.definition.get_closest_marker(mark) is not None
                    for mark in ("file_only", "not_on_team_yet"))
    metafunc.parametrize("workspace_kind", ["file"] if only_file or not both else ["file", "team"], indirect=True)


@pytest.fixture
def workspace_kind(request) -> str:
    return getattr(request, "param", "file")


@pytest.fixture
def workspace(workspace_kind, request, tmp_path):
    from postmortem_desktop.storage.workspace import create_workspace

    if workspace_kind == "team":
        ws = create_workspace(request.getfixturevalue("team_database"))
    else:
        ws = create_workspace(tmp_path / "test.pmw")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A demo workspace written once; tests copy it before writing to it."""
    from datetime import date

    from postmortem_desktop.services.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.pmw"
    write_demo(path, incident_day=date(2026, 11, 18))
    return path


@pytest.fixture
def demo_copy(demo_file, tmp_path) -> Path:
    import shutil

    target = tmp_path / "demo.pmw"
    shutil.copy(demo_file, target)
    return target


@pytest.fixture(scope="session")
def team_demo_template(team_server) -> str:
    """A database holding the demo, written once; each test's team demo is a copy of it (CREATE ... TEMPLATE)."""
    from datetime import date

    from postmortem_desktop.services.demo import write_demo

    name = team_server.new_database()
    write_demo(team_server.url(name), incident_day=date(2026, 11, 18))
    return name


@pytest.fixture
def team_demo_url(team_server, team_demo_template):
    name = team_server.new_database(template=team_demo_template)
    yield team_server.url(name)
    team_server.drop_database(name)


@pytest.fixture
def demo(workspace_kind, request):
    """The demo workspace, open for writing: a copy of the demo file, or of the team demo database."""
    from postmortem_desktop.storage.workspace import open_workspace

    target = request.getfixturevalue("team_demo_url" if workspace_kind == "team" else "demo_copy")
    ws = open_workspace(target)
    yield ws
    ws.close()
