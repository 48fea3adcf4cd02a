"""Random and damaged files fed to every importer and parser: no crash, and a refusal changes nothing.

The promise under test (issue 12, "Done when"): whatever file a person drops, pastes or names on
the command line, the answer is a result or a clear refusal (exit 0 or 4, never 1), and a refused
import leaves the workspace exactly as it was. Seeds and mutations live in tests/fuzz_inputs.py;
the example budget comes from the Hypothesis profile chosen in tests/conftest.py (deterministic
"ci" by default, POSTMORTEM_FUZZ=soak for a long local run).
"""
from __future__ import annotations

import io
import shutil
import sqlite3
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from postmortem_desktop import cli
from postmortem_desktop.importers.field_mapping import AmbiguousDatesError, MappingError
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.system_event_lines import parse_events, read_events_file
from postmortem_desktop.importers.transcripts import parse_eml, parse_transcript
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import create_workspace
from tests import fuzz_inputs as seeds

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
ROLES = {"customer", "agent", "internal"}
# A file written and read back, or a workspace copied and compared, costs ~30 ms more than a
# parse in memory, so those properties get a third of the budget.
IMPORT_EXAMPLES = max(10, settings().max_examples // 3)
slow_examples = settings(max_examples=IMPORT_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])


# ---- the workspace and how it is compared --------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A closed workspace with one incident (id 1) on T0, copied for every example that writes."""
    folder = tmp_path_factory.mktemp("template")
    workspace = create_workspace(folder / "w.pmw")
    command = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    command.do(workspace)
    workspace.close()
    assert command.incident_id == 1
    return folder / "w.pmw"


def fingerprint(path: Path) -> dict[str, object]:
    """Every table's rows, the schema and the user version: equal when nothing logical changed."""
    connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    try:
        schema = connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        rows = {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"'))) for name in tables}
        return {"user_version": connection.execute("PRAGMA user_version").fetchone(), "schema": schema, **rows}
    finally:
        connection.close()


def test_the_fingerprint_sees_an_import_so_an_unchanged_one_means_something(template, tmp_path):
    workspace = tmp_path / "w.pmw"
    shutil.copy(template, workspace)
    before = fingerprint(workspace)
    source = _write(tmp_path, "tickets.csv", seeds.zendesk_csv())
    assert run_cli("import", str(workspace), str(source), "--incident", "1", "--include-outside-window")[0] == 0
    assert fingerprint(workspace) != before


def run_cli(*argv: str) -> tuple[int, str]:
    """The command line in this process: (exit code, what it wrote to stderr)."""
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code
    return code, err.getvalue()


def assert_answered(code: int, stderr: str) -> None:
    """Exit 0, or 4 with a message; anything else (1 above all) is a broken promise."""
    assert code in (cli.EXIT_OK, cli.EXIT_BAD_INPUT), f"exit {code}: {stderr}"
    if code == cli.EXIT_BAD_INPUT:
        assert stderr.startswith("error: ") and len(stderr.strip()) > len("error: "), stderr


# ---- strategies ------------------------------------------------------------------------------------
_WORKBOOK_SUFFIXES = {".xlsx", ".ods"}


def _dump_variants(seed: tuple[str, bytes]) -> st.SearchStrategy[tuple[str, bytes]]:
    suffix, data = seed
    contents = seeds.damaged(data)
    if suffix in _WORKBOOK_SUFFIXES:
        contents = st.one_of(contents, seeds.mutated_zip(data))
    # Sometimes the file carries the wrong name, as renamed downloads do.
    names = st.one_of(st.just(suffix), st.just(suffix), st.sampled_from([".csv", ".txt", ".xlsx", ".ods", ""]))
    return st.tuples(names, contents)


ticket_dumps = st.one_of(st.sampled_from(seeds.TICKET_DUMPS).flatmap(_dump_variants),
                         st.tuples(st.sampled_from([".csv", ".tsv"]), seeds.ticket_table()))


def _write(folder: Path, name: str, data: bytes, where: str = "file") -> Path:
    """data in folder/name; or, for where="folder" or "missing", a path that is not a readable file."""
    path = folder / name
    if where == "folder":
        path.mkdir()
    elif where == "file":
        path.write_bytes(data)
    return path


# Most inputs are files; a path that names a folder or nothing must be refused just as clearly.
places = st.sampled_from(["file"] * 8 + ["folder", "missing"])


# ---- import from the command line -----------------------------------------------------------------
# What people type after --timezone and the day order flags, typos included.
import_options = st.lists(st.one_of(
    st.sampled_from([["--dayfirst"], ["--monthfirst"], ["--timezone", "Europe/Paris"], ["--timezone", "Europe"],
                     ["--timezone", "x" * 300], ["--timezone", "../../etc/passwd"], ["--timezone", ""]]),
    st.text(min_size=1, max_size=20).map(lambda zone: ["--timezone", zone])),
    max_size=1).map(lambda picked: sum(picked, []))


@slow_examples
@given(dump=ticket_dumps, dry_run=st.booleans(), outside=st.booleans(), options=import_options)
@example(dump=(".csv", seeds.zendesk_csv()), dry_run=True, outside=False, options=["--timezone", "Europe"])
def test_import_answers_every_file_and_a_refusal_changes_nothing(template, dump, dry_run, outside, options):
    suffix, data = dump
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workspace = folder / "w.pmw"
        shutil.copy(template, workspace)
        before, before_bytes = fingerprint(workspace), workspace.read_bytes()
        source = _write(folder, "tickets" + suffix, data)
        argv = ["import", str(workspace), str(source), "--incident", "1"]
        argv += ["--dry-run"] * dry_run + ["--include-outside-window"] * outside + options
        code, stderr = run_cli(*argv)
        assert_answered(code, stderr)
        if code != cli.EXIT_OK or dry_run:
            assert fingerprint(workspace) == before, stderr
        if dry_run:
            assert workspace.read_bytes() == before_bytes
        assert source.read_bytes() == data  # the input is never written to


# ---- the app's route for a dropped spreadsheet: read, preview, import -----------------------------
@slow_examples
@given(dump=ticket_dumps)
def test_dropped_spreadsheet_is_previewed_or_refused_and_a_refusal_changes_nothing(template, dump):
    suffix, data = dump
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = _write(folder, "tickets" + suffix, data)
        try:
            plan = spreadsheet_import.prepare_import(source)
            spreadsheet_import.preview(plan)
        except (SheetError, MappingError, AmbiguousDatesError) as refused:
            assert str(refused)
            return
        workspace_path = folder / "w.pmw"
        shutil.copy(template, workspace_path)
        before = fingerprint(workspace_path)
        from postmortem_desktop.storage.workspace import open_workspace

        workspace = open_workspace(workspace_path)
        try:
            spreadsheet_import.run_import(workspace, 1, plan, ImportOptions(include_outside_window=True))
        except (SheetError, MappingError, AmbiguousDatesError):
            workspace.close()
            assert fingerprint(workspace_path) == before
            return
        workspace.close()


# ---- transcripts: the command and the paste and drop routes ---------------------------------------
transcript_texts = st.one_of(st.sampled_from(seeds.TRANSCRIPTS).flatmap(seeds.damaged_text), seeds.chat_paste())
any_day = st.one_of(st.sampled_from([date.min, date.max]), st.dates())  # the calendar's edges, explicitly
eml_files = st.sampled_from([seeds.EML, seeds.EML_HTML]).flatmap(seeds.damaged)


@slow_examples
@given(data=st.one_of(st.sampled_from(seeds.TRANSCRIPTS).flatmap(lambda t: seeds.damaged(t.encode())), eml_files,
                     seeds.chat_paste().map(str.encode)),
       suffix=st.sampled_from([".txt", ".eml", ""]), day=st.sampled_from([[], ["--day", "2026-11-18"]]),
       where=places)
def test_parse_transcript_command_answers_every_file(data, suffix, day, where):
    with tempfile.TemporaryDirectory() as folder:
        source = _write(Path(folder), "chat" + suffix, data, where)
        code, stderr = run_cli("parse-transcript", str(source), "--json", *day)
    assert_answered(code, stderr)


def _has_words(text: str) -> bool:
    return any(char.isalnum() for char in text)


def assert_readable_transcript(result, text: str | None) -> None:
    for message in result.messages:
        assert message.role in ROLES
        assert message.at is None or message.at.utcoffset() == timedelta(0)
        assert message.text.strip()
    if text is not None and _has_words(text):
        assert result.messages, "text with words in it gave no message at all"


@given(text=transcript_texts, day=any_day)
def test_pasted_transcript_always_gives_messages(text, day):
    assert_readable_transcript(parse_transcript(text, day=day), text)


@given(data=eml_files)
def test_dropped_eml_always_reads(data):
    assert_readable_transcript(parse_eml(data), None)


# ---- system events: pasted log lines and alert CSVs, and the file route ----------------------------
event_texts = st.sampled_from([seeds.LOG_LINES, seeds.ALERTS_CSV]).flatmap(seeds.damaged_text)


def assert_events(result) -> None:
    for event in result.events:
        assert event.at.utcoffset() == timedelta(0)
        assert event.title and event.line >= 1
    for line, _text, reason in result.skipped:
        assert reason and line >= 0


@given(text=event_texts, reference=any_day)
def test_pasted_event_lines_are_read_or_skipped_with_a_reason(text, reference):
    assert_events(parse_events(text, reference=reference))


@slow_examples
@given(data=st.sampled_from([seeds.LOG_LINES, seeds.ALERTS_CSV]).flatmap(lambda t: seeds.damaged(t.encode())))
def test_event_files_are_read_or_skipped_with_a_reason(data):
    with tempfile.TemporaryDirectory() as folder:
        assert_events(read_events_file(_write(Path(folder), "events.log", data)))


# ---- suggest-tags -------------------------------------------------------------------------------
PATTERNS = '{"churn-risk": ["lose the account", "cancel~"], "_variants": {}}'


@slow_examples
@given(lines=seeds.damaged(seeds.JSONL.encode()), patterns=st.one_of(st.none(), seeds.damaged(PATTERNS.encode())),
       where=places, patterns_where=places)
def test_suggest_tags_answers_every_input(lines, patterns, where, patterns_where):
    with tempfile.TemporaryDirectory() as folder:
        argv = ["suggest-tags", str(_write(Path(folder), "texts.jsonl", lines, where)), "--json"]
        if patterns is not None:
            argv += ["--patterns", str(_write(Path(folder), "patterns.json", patterns, patterns_where))]
        code, stderr = run_cli(*argv)
    assert_answered(code, stderr)


# ---- the mapping rules over the cell values workbooks hand over (numbers, dates, booleans, None) --
_ODD_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(), st.dates(), st.text(max_size=30),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "2026-11-18 10:30", "18/11/2026", "11/18/2026 9:00 PM", "45979.5"]))


@given(header=st.lists(st.one_of(st.sampled_from(seeds.ZENDESK_HEADER), st.text(max_size=12)), min_size=1, max_size=12),
       rows=st.lists(st.lists(_ODD_CELLS, max_size=14), min_size=1, max_size=8),
       day_order=st.sampled_from([None, "dayfirst", "monthfirst"]),
       zone=st.sampled_from([None, "UTC", "Europe/Paris", "Pacific/Kiritimati", "Etc/GMT+12"]))
def test_mapping_any_cells_gives_rows_or_skips_or_a_documented_refusal(header, rows, day_order, zone):
    from postmortem_desktop.importers.field_mapping import map_rows
    from postmortem_desktop.importers.records import SkippedRow, TicketRow
    from postmortem_desktop.importers.sheet_reader import Sheet
    from postmortem_desktop.importers.vendors import recognise_vendor

    sheet = Sheet(header=header, rows=rows, row_numbers=list(range(2, len(rows) + 2)), kind="xlsx")
    guess = recognise_vendor(sheet.header, sheet.rows)
    mapping = guess.mapping
    mapping.day_order = day_order or mapping.day_order
    mapping.timezone = zone or mapping.timezone
    try:
        mapped = list(map_rows(sheet, mapping))
    except (MappingError, AmbiguousDatesError) as refused:
        assert str(refused)
        return
    assert len(mapped) == len(rows)
    for row in mapped:
        assert isinstance(row, (TicketRow, SkippedRow))
        if isinstance(row, SkippedRow):
            assert row.reason
        else:  # what storage receives: an id, and times that are aware and in UTC
            assert row.external_id.strip()
            for at in (row.created_at, row.updated_at):
                assert at is None or at.utcoffset() == timedelta(0)


# ---- system-lane sources from the command line (issue 17's importers) -------------------------------
event_files = st.sampled_from(seeds.EVENT_FILES).flatmap(
    lambda seed: st.tuples(st.just(seed[0]), st.one_of(st.just(seed[1]), seeds.damaged(seed[1]))))


@slow_examples
@given(event=event_files, dry_run=st.booleans(), outside=st.booleans(), where=places)
def test_import_events_answers_every_file_and_a_refusal_changes_nothing(template, event, dry_run, outside, where):
    name, data = event
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder) / "w.pmw"
        shutil.copy(template, workspace)
        before = fingerprint(workspace)
        raw = workspace.read_bytes()
        source = _write(Path(folder), name, data, where)
        argv = ["import-events", str(workspace), str(source), "--incident", "1", "--json"]
        argv += ["--dry-run"] * dry_run + ["--include-outside-window"] * outside
        code, stderr = run_cli(*argv)
        assert_answered(code, stderr)
        if code != cli.EXIT_OK:
            assert fingerprint(workspace) == before
        if dry_run:
            assert workspace.read_bytes() == raw


def test_the_event_seeds_are_read_as_events(template, tmp_path):
    # the property above proves little if its seeds were all refused: each must import something
    for name, data in seeds.EVENT_FILES:
        workspace = tmp_path / f"{name}.pmw"
        shutil.copy(template, workspace)
        before = fingerprint(workspace)
        code, stderr = run_cli("import-events", str(workspace), str(_write(tmp_path, name, data)), "--incident", "1",
                               "--include-outside-window")
        assert code == cli.EXIT_OK, (name, stderr)
        assert fingerprint(workspace) != before, name
