"""`postmortem publish` and `postmortem save-local`: summaries, --json, and the exit codes of the other commands."""
import json

from postmortem_desktop.cli import main
from postmortem_desktop.storage.workspace import create_workspace
from tests.core.test_team_workspace import _reader


def _incidents(workspace: str, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["incidents", workspace, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_publish_then_save_local_round_trip_with_summaries(demo_copy, team_database, tmp_path, capsys):
    create_workspace(team_database).close()
    source = _incidents(str(demo_copy), capsys)

    assert main(["publish", str(demo_copy), team_database]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"published {len(source)} incidents from demo.pmw to {team_database}")
    assert "every id kept" in out and f"-> incident {source[0]['id']}" in out
    assert _incidents(team_database, capsys) == source  # same ids, titles, both durations

    meeting = tmp_path / "meeting" / "review.pmw"
    assert main(["save-local", team_database, str(meeting), "--incident", str(source[-1]["id"]), "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["target"] == "review.pmw" and saved["incidents"][0]["title"] == source[-1]["title"]
    assert saved["rows"]["messages"] > 0 and saved["new_ids"]["messages"] == 0
    assert _incidents(str(meeting), capsys) == [source[-1]]


def test_a_second_publish_is_refused_exit_3_and_as_copy_renumbers(demo_copy, team_database, capsys):
    create_workspace(team_database).close()
    assert main(["publish", str(demo_copy), team_database, "--incident", "1"]) == 0
    capsys.readouterr()

    assert main(["publish", str(demo_copy), team_database, "--incident", "1"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("refused: “") and "is already in" in err and "as incident 1 “" in err

    assert main(["publish", str(demo_copy), team_database, "--incident", "1", "--as-copy"]) == 0
    out = capsys.readouterr().out
    assert "  1 “" in out and "” -> incident 2" in out  # its id was taken there: the next one
    assert "new ids (the old ones were taken there; every link follows): incidents 1" in out
    assert len(_incidents(team_database, capsys)) == 2


def test_refusals_exit_as_the_other_commands(demo_copy, team_server, team_database, tmp_path, capsys):
    create_workspace(team_database).close()
    reader = _reader(team_server, team_database)
    assert main(["publish", str(demo_copy), reader]) == 3
    assert "may read it but not change it" in capsys.readouterr().err

    assert main(["publish", str(demo_copy), team_database]) == 0
    assert main(["save-local", reader, str(tmp_path / "mine.pmw"), "--incident", "1"]) == 0  # reading is enough
    assert main(["save-local", team_database, str(tmp_path / "mine.pmw"), "--incident", "1"]) == 4
    assert "mine.pmw already exists" in capsys.readouterr().err
    assert main(["save-local", team_database, str(tmp_path / "other.pmw"), "--incident", "999"]) == 2
    assert "There is no incident 999" in capsys.readouterr().err
    assert not (tmp_path / "other.pmw").exists()
