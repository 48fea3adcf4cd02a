"""A team workspace's password: kept in the system keyring or libpq's password file, never in the address."""
from __future__ import annotations

import os
import stat

import psycopg
import pytest

from postmortem_desktop.storage.team_passwords import (
    KEYRING_SERVICE,
    KeyringUnavailableError,
    add_to_pgpass,
    entry_name,
    forget_password,
    keyring_missing_reason,
    remember_password,
    stored_password,
)
from postmortem_desktop.storage.workspace_kind import password_in, shown_address, team_address, team_url

ADDRESS = "postgresql://ana@db.example.com:6543/incidents?sslmode=verify-full&sslrootcert=/etc/ca.pem"


def test_the_keyring_entry_is_per_role_server_and_database_whatever_the_tls_options(memory_keyring):
    remember_password(ADDRESS, "pw-1")
    assert memory_keyring.entries == {(KEYRING_SERVICE, "postgresql://ana@db.example.com:6543/incidents"): "pw-1"}
    assert stored_password("postgresql://ana@db.example.com:6543/incidents?sslmode=require") == "pw-1"
    assert stored_password("postgresql://bob@db.example.com:6543/incidents") is None
    forget_password(ADDRESS)
    assert memory_keyring.entries == {} and stored_password(ADDRESS) is None
    forget_password(ADDRESS)  # nothing there: no error


def test_the_default_port_and_host_name_the_same_entry_libpq_would_use():
    assert entry_name("postgresql://ana@db/incidents") == "postgresql://ana@db:5432/incidents"


def test_without_a_keyring_nothing_is_stored_and_the_reason_is_said(no_keyring):
    assert "No system keyring is available" in keyring_missing_reason()
    assert stored_password(ADDRESS) is None
    with pytest.raises(KeyringUnavailableError, match="libpq's password file"):
        remember_password(ADDRESS, "pw-1")


def test_a_password_file_line_is_added_owner_only_and_replaces_the_same_login(tmp_path, monkeypatch):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("# mine\nother:5432:*:*:keep-me\ndb.example.com:6543:incidents:ana:old\n", encoding="utf-8")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert add_to_pgpass(ADDRESS, "new:pw\\1") == pgpass
    assert pgpass.read_text(encoding="utf-8").splitlines() == [
        "# mine", "other:5432:*:*:keep-me", r"db.example.com:6543:incidents:ana:new\:pw\\1"]
    if os.name == "posix":  # libpq ignores a password file others may read
        assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600


def test_a_new_line_goes_before_a_line_libpq_would_otherwise_take_for_the_same_login(tmp_path, monkeypatch):
    """libpq uses the first line that matches: appended after `host:port:*:user:old`, a new password was never used."""
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("# mine\nother:5432:*:*:keep-me\ndb.example.com:6543:*:ana:stalepw\n*:*:*:*:anyone\n",
                      encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    add_to_pgpass(ADDRESS, "anapw")
    assert pgpass.read_text(encoding="utf-8").splitlines() == [
        "# mine", "other:5432:*:*:keep-me", "db.example.com:6543:incidents:ana:anapw",
        "db.example.com:6543:*:ana:stalepw", "*:*:*:*:anyone"]
    if os.name == "posix":
        assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600


def test_the_password_kept_in_the_password_file_is_the_one_libpq_logs_in_with(password_login, tmp_path, monkeypatch):
    from postmortem_desktop.storage.workspace import open_workspace

    login = password_login("ana", "anapw")
    server = team_url(login)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{server.host}:{server.port}:*:{server.username}:stalepw\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    add_to_pgpass(login, "anapw")
    open_workspace(login).close()  # no password given: libpq's file gives it


def test_a_refused_password_from_the_password_file_names_the_file_and_the_line(password_login, tmp_path,
                                                                                monkeypatch):
    from postmortem_desktop.storage.errors import PasswordRejectedError
    from postmortem_desktop.storage.workspace import open_workspace

    login = password_login("ana", "anapw")
    server = team_url(login)
    pgpass = tmp_path / "pgpass"
    stale = f"{server.host}:{server.port}:*:{server.username}"
    pgpass.write_text(f"# team servers\nelsewhere:5432:*:*:other\n{stale}:stalepw\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with pytest.raises(PasswordRejectedError) as refused:
        open_workspace(login)
    said = str(refused.value)
    assert f"password file {pgpass}, line 3 ({stale}:…)" in said and "password authentication failed" in said
    assert "stalepw" not in said
    with pytest.raises(PasswordRejectedError) as typed:  # a typed password is not the file's
        open_workspace(login, password="wrong")
    assert str(pgpass) not in str(typed.value)


def test_a_new_password_file_is_made_owner_only(tmp_path, monkeypatch):
    pgpass = tmp_path / "sub" / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    add_to_pgpass("postgresql://ana@db/incidents", "pw")
    assert pgpass.read_text(encoding="utf-8") == "db:5432:incidents:ana:pw\n"
    if os.name == "posix":
        assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600


def test_a_password_in_an_address_is_found_and_never_shown():
    for address in ("postgresql://ana:s3cret@db/incidents", "postgresql://ana@db/incidents?password=s3cret"):
        assert password_in(address) == "s3cret"
        assert "s3cret" not in shown_address(address)
    assert password_in("postgresql://ana@db/incidents") is None


def test_a_servers_details_make_the_address_libpq_reads():
    address = team_address(host="db.example.com", port=6543, database="incidents", user="ana",
                           tls_mode="verify-full", ca_file="/etc/ca.pem")
    url = team_url(address)
    assert (url.username, url.host, url.port, url.database) == ("ana", "db.example.com", 6543, "incidents")
    assert dict(url.query) == {"sslmode": "verify-full", "sslrootcert": "/etc/ca.pem"}
    assert psycopg.conninfo.conninfo_to_dict(address)["sslrootcert"] == "/etc/ca.pem"  # as libpq reads it
    assert team_address(host="db", port=5432, database="incidents", user="") == "postgresql://db:5432/incidents"


def test_a_ca_files_path_reads_as_a_path_in_the_address_and_libpq_reads_the_same_file():
    """Messages showed `sslrootcert=%2Ftmp%2Ftrial18%2Fnonexistent-ca.pem`; a space was written `+`, a plus to libpq."""
    from sqlalchemy.engine import make_url

    from postmortem_desktop.storage.team_feed import libpq_address

    for ca in ("/tmp/trial18/nonexistent-ca.pem", "/home/ana/team CA/ca+2026&old=1%#?@.pem", r"C:\Users\ana\ca.pem",
               "/home/anaïs/équipe/ca.pem"):
        address = team_address(host="db", port=5432, database="incidents", user="ana", tls_mode="verify-full",
                               ca_file=ca)
        assert make_url(address).query["sslrootcert"] == ca
        assert psycopg.conninfo.conninfo_to_dict(address)["sslrootcert"] == ca
        assert psycopg.conninfo.conninfo_to_dict(libpq_address(team_url(address)))["sslrootcert"] == ca
        assert shown_address(address) == address
    encoded = "postgresql://ana@db:5432/incidents?sslmode=verify-full&sslrootcert=%2Ftmp%2Ftrial18%2Fca.pem"
    assert shown_address(encoded) == \
        "postgresql://ana@db:5432/incidents?sslmode=verify-full&sslrootcert=/tmp/trial18/ca.pem"
    assert shown_address("postgresql://ana%C3%AFs@db/x?sslrootcert=%2Fhome%2Fana%C3%AFs%2Fca.pem") == \
        "postgresql://anaïs@db/x?sslrootcert=/home/anaïs/ca.pem"


def test_the_change_feeds_address_gives_libpq_a_password_with_a_space_as_it_is():
    """SQLAlchemy writes a space in the user part as it is; libpq refused the change feed's connection for it."""
    from postmortem_desktop.storage.team_feed import libpq_address

    url = team_url("postgresql://ana@db:5432/incidents").set(password="two words@:/%+")
    said = psycopg.conninfo.conninfo_to_dict(libpq_address(url))
    assert (said["user"], said["password"], said["host"]) == ("ana", "two words@:/%+", "db")
    assert team_url(libpq_address(url)).password == "two words@:/%+"
