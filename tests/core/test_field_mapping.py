"""The field mapping: validation, presets, best guess, and applying it to rows (cleaning, dates, skips)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from postmortem_desktop.importers.dates import DateColumnParser
from postmortem_desktop.importers.field_mapping import (
    AmbiguousDatesError,
    FieldMapping,
    MappingError,
    StreamedMapping,
    map_rows,
    parse_comment,
)
from postmortem_desktop.importers.mapping_guess import guess_mapping, normalize_header
from postmortem_desktop.importers.records import SkippedRow, TicketRow
from postmortem_desktop.importers.sheet_reader import Sheet, read_sheet
from postmortem_desktop.importers.text_cleanup import html_to_text, restore_id, split_tags

UTC = timezone.utc
HEADER = ["Id", "Subject", "Description", "Created at", "Tags", "Email"]


def sheet_of(header: list[str], rows: list[list[object]]) -> Sheet:
    return Sheet(header, rows, list(range(2, len(rows) + 2)), "csv")


def basic_mapping(**changes: object) -> FieldMapping:
    columns = {"external_id": 0, "subject": 1, "body": 2, "created_at": 3, "tags": [4], "requester_email": 5}
    mapping = FieldMapping(columns, header_names=list(HEADER))
    for name, value in changes.items():
        setattr(mapping, name, value)
    return mapping


# ------------------------------------------------------------------------------- validation


def test_a_valid_mapping_has_no_problems():
    assert basic_mapping().validate(HEADER) == []


def test_one_column_mapped_to_two_single_fields_is_an_error():
    mapping = basic_mapping()
    mapping.columns["body"] = 1
    assert "column 'Subject' is mapped to both subject and body" in mapping.validate(HEADER)


def test_external_id_and_created_at_are_required():
    mapping = FieldMapping({"subject": 1})
    problems = " | ".join(mapping.validate(HEADER))
    assert "no column is mapped to ticket id" in problems
    assert "no column is mapped to created time" in problems


def test_a_column_beyond_the_header_and_an_unknown_zone_are_reported():
    mapping = basic_mapping(timezone="Nowhere/City")
    mapping.columns["status"] = 9
    problems = " | ".join(mapping.validate(HEADER))
    assert "status points at column 10, but the file has 6 columns" in problems
    assert "unknown time zone 'Nowhere/City'" in problems


def test_map_rows_refuses_an_invalid_mapping_before_reading_rows():
    mapping = FieldMapping({"external_id": 0, "subject": 0, "created_at": 3})
    with pytest.raises(MappingError) as caught:
        map_rows(sheet_of(HEADER, [["1", "s", "b", "2024-05-06 10:20", "", ""]]), mapping)
    assert caught.value.problems == ["column 'Id' is mapped to both ticket id and subject"]


# ---------------------------------------------------------------------------------- presets


def test_a_preset_round_trips_through_json():
    mapping = basic_mapping(timezone="Europe/Paris", day_order="dayfirst")
    again = FieldMapping.from_json(mapping.to_json())
    assert again.columns == mapping.columns
    assert (again.timezone, again.day_order) == ("Europe/Paris", "dayfirst")


def test_a_preset_finds_its_columns_again_when_they_moved():
    mapping = FieldMapping({"external_id": 0, "created_at": 1, "tags": [2, 3]},
                           header_names=["Id", "Created", "Labels", "Labels"])
    moved = ["Summary", "Labels", "Created", "Labels", "Id"]
    again = FieldMapping.from_json(mapping.to_json(), moved)
    assert again.columns == {"external_id": 4, "created_at": 2, "tags": [1, 3]}
    assert again.validate(moved) == []


def test_a_mapping_built_by_hand_stores_names_from_the_given_header():
    mapping = FieldMapping({"external_id": 1, "created_at": 0})
    again = FieldMapping.from_json(mapping.to_json(["Opened", "Key"]), ["Key", "Extra", "Opened"])
    assert again.columns == {"external_id": 0, "created_at": 2}


def test_a_preset_column_missing_from_the_file_is_reported():
    mapping = basic_mapping()
    header = ["Id", "Subject", "Description", "Opened", "Tags", "Email"]
    again = FieldMapping.from_json(mapping.to_json(), header)
    problems = " | ".join(again.validate(header))
    assert "the preset's column 'Created at' (created time) is not in this file" in problems
    assert "no column is mapped to created time" in problems


def test_a_damaged_preset_is_refused_with_advice():
    with pytest.raises(ValueError, match="map the columns again"):
        FieldMapping.from_json("{not json")
    with pytest.raises(ValueError, match="map the columns again"):
        FieldMapping.from_json("[1, 2]")


# ------------------------------------------------------------------------------- best guess


def test_normalize_header_drops_zones_types_and_punctuation():
    assert normalize_header("Conversation started at (America/New_York)") == "conversation started at"
    assert normalize_header("Created Time (Ticket)") == "created time"
    assert normalize_header("reporter_email") == "reporter email"
    assert normalize_header("Plan [list]") == "plan"


def test_guess_by_header_names_uses_synonyms():
    header = ["Ticket Number", "Title", "Body", "Opened At", "Customer Email", "Company", "Labels", "Notes"]
    mapping = guess_mapping(header, [])
    assert mapping.columns == {"external_id": 0, "subject": 1, "body": 2, "created_at": 3,
                               "requester_email": 4, "organization": 5, "tags": [6], "comments": [7]}


def test_guess_by_content_finds_emails_dates_ids_and_long_text():
    header = ["A", "B", "C", "D", "E"]
    rows = [[f"T-{n}", "vip", f"user{n}@example.com", f"2024-05-0{n} 10:2{n}",
             f"My invoice page has been blank since this morning, attempt {n}"] for n in range(1, 6)]
    mapping = guess_mapping(header, rows)
    assert mapping.column("external_id") == 0
    assert mapping.column("requester_email") == 2
    assert mapping.column("created_at") == 3
    assert mapping.column("body") == 4


def test_guess_prefers_a_timed_column_over_a_date_only_one_for_created():
    header = ["Key", "Date of Purchase", "First Response Time"]
    rows = [[str(n), "2021-03-22", "2023-06-01 12:15:36" if n % 2 else ""] for n in range(10)]
    assert guess_mapping(header, rows).column("created_at") == 2


def test_guess_settles_day_order_when_the_sample_proves_it():
    rows = [["1", "25/06/2024 10:00"], ["2", "05/06/2024 10:00"]]
    assert guess_mapping(["Id", "Created"], rows).day_order == "dayfirst"
    assert guess_mapping(["Id", "Created"], [["1", "05/06/2024"]]).day_order is None


# --------------------------------------------------------------------------------- cleaning


def test_html_becomes_plain_text_with_paragraph_breaks():
    html = ("<p>Hello&nbsp;team,</p><p>The <b>export</b> fails:<br>error&nbsp;500 &amp; timeout</p>"
            "<ul><li>first</li><li>second</li></ul><script>alert(1)</script>")
    assert html_to_text(html) == "Hello team,\n\nThe export fails:\nerror 500 & timeout\n\n- first\n- second"


def test_entities_without_tags_are_decoded_and_line_breaks_kept():
    assert html_to_text("Tom &amp; Jerry\nR&D; team&nbsp;here") == "Tom & Jerry\nR&D; team here"


def test_text_with_angle_brackets_that_are_not_html_is_kept():
    assert html_to_text("Re-create schemas on <conf> DB2 when a < b") == "Re-create schemas on <conf> DB2 when a < b"


def test_float_ids_are_restored_to_what_the_user_typed():
    assert restore_id(848.0) == "848"
    assert restore_id("848.0") == "848"
    assert restore_id(1234567890123.0) == "1234567890123"
    assert restore_id("SD-183") == "SD-183"
    assert restore_id(12.5) == "12.5"
    assert restore_id("1.50") == "1.50"


def test_tags_split_on_commas_semicolons_and_spaces_without_duplicates():
    assert split_tags("billing, outage;vip  billing\nlogin") == ["billing", "outage", "vip", "login"]
    assert split_tags("") == [] and split_tags(None) == []


# ---------------------------------------------------------------------------- applying rows


def test_rows_become_ticket_rows_with_cleaning_and_utc_times():
    rows = [[848.0, "Card &amp; refund", "<p>Charged twice</p><p>Help</p>", "2024-05-06 10:20", "billing vip",
             " a@x.io "]]
    mapping = basic_mapping(timezone="Europe/Paris")
    [ticket] = list(map_rows(sheet_of(HEADER, rows), mapping))
    assert isinstance(ticket, TicketRow)
    assert ticket.row_number == 2 and ticket.external_id == "848"
    assert ticket.subject == "Card & refund" and ticket.body == "Charged twice\n\nHelp"
    assert ticket.created_at == datetime(2024, 5, 6, 8, 20, tzinfo=UTC)
    assert ticket.tags == ["billing", "vip"] and ticket.requester_email == "a@x.io"


def test_unparseable_dates_and_missing_ids_become_skipped_rows_in_order():
    rows = [["1", "a", "", "2024-05-06 10:20", "", ""],
            ["2", "b", "", "32/13/2024", "", ""],
            ["", "c", "", "2024-05-06 10:21", "", ""],
            ["4", "d", "", "", "", ""],
            ["5", "e", "", "2024-05-06 10:22", "", ""]]
    results = list(map_rows(sheet_of(HEADER, rows), basic_mapping()))
    assert [type(result) for result in results] == [TicketRow, SkippedRow, SkippedRow, SkippedRow, TicketRow]
    assert results[1] == SkippedRow(3, "created time '32/13/2024' is not a date")
    assert results[2] == SkippedRow(4, "has no ticket id (column 'Id' is empty)")
    assert results[3] == SkippedRow(5, "has no created time (column 'Created at' is empty)")


def test_ambiguous_day_order_raises_before_anything_is_yielded():
    rows = [["1", "a", "", "05/06/2024 10:20", "", ""], ["2", "b", "", "01/02/2024 09:00", "", ""]]
    with pytest.raises(AmbiguousDatesError) as caught:
        map_rows(sheet_of(HEADER, rows), basic_mapping())
    assert caught.value.column_name == "Created at"
    assert caught.value.samples == ["05/06/2024 10:20", "01/02/2024 09:00"]


def test_a_chosen_day_order_resolves_the_ambiguity():
    rows = [["1", "a", "", "05/06/2024 10:20", "", ""]]
    [ticket] = list(map_rows(sheet_of(HEADER, rows), basic_mapping(day_order="monthfirst")))
    assert ticket.created_at == datetime(2024, 5, 6, 10, 20, tzinfo=UTC)


def test_a_later_row_proving_dayfirst_settles_the_whole_column():
    rows = [["1", "a", "", "05/06/2024 10:20", "", ""]] + [["2", "b", "", "25/06/2024 10:20", "", ""]]
    tickets = list(map_rows(sheet_of(HEADER, rows), basic_mapping()))
    assert tickets[0].created_at == datetime(2024, 6, 5, 10, 20, tzinfo=UTC)


def test_an_ambiguous_updated_column_follows_the_order_proven_by_created():
    header = HEADER + ["Updated at"]
    mapping = basic_mapping()
    mapping.columns["updated_at"] = 6
    rows = [["1", "a", "", "25/06/2024 10:20", "", "", "05/07/2024 09:00"]]
    [ticket] = list(map_rows(sheet_of(header, rows), mapping))
    assert ticket.updated_at == datetime(2024, 7, 5, 9, 0, tzinfo=UTC)


def test_short_rows_leave_unmapped_trailing_fields_empty():
    rows = [["1", "a", "b", "2024-05-06 10:20"]]
    [ticket] = list(map_rows(sheet_of(HEADER, rows), basic_mapping()))
    assert ticket.tags == [] and ticket.requester_email == ""


def test_several_tag_columns_merge_into_one_list():
    header = ["Id", "Created", "Labels", "Labels"]
    mapping = FieldMapping({"external_id": 0, "created_at": 1, "tags": [2, 3]})
    [ticket] = list(map_rows(sheet_of(header, [["1", "2024-05-06 10:20", "outage", "vip outage"]]), mapping))
    assert ticket.tags == ["outage", "vip"]


# -------------------------------------------------------------------------------- comments


def test_jira_comments_split_into_messages_with_roles():
    header = ["Issue key", "Created", "Reporter", "Reporter Id", "Comment", "Comment"]
    mapping = FieldMapping({"external_id": 0, "created_at": 1, "requester_name": 2, "requester_id": 3,
                            "comments": [4, 5]}, timezone="Europe/Berlin")
    row = ["SD-1", "11/May/24 03:26 PM", "Ana Ruiz", "acc-ana",
           "05/Sep/24 11:00 AM;acc-agent;We are looking into it.",
           "05/Sep/24 11:30 AM;acc-ana;Still broken; invoices missing"]
    [ticket] = list(map_rows(sheet_of(header, [row]), mapping))
    first, second = ticket.comments
    assert (first.author, first.role, first.text) == ("acc-agent", "agent", "We are looking into it.")
    assert first.at == datetime(2024, 9, 5, 9, 0, tzinfo=UTC)
    assert (second.author, second.role, second.text) == ("acc-ana", "customer", "Still broken; invoices missing")


def test_a_plain_comment_cell_is_one_agent_message_without_author():
    message = parse_comment("Called the customer back", DateColumnParser(), set())
    assert (message.author, message.role, message.at, message.text) == ("", "agent", None, "Called the customer back")


def test_a_semicolon_text_whose_first_part_is_not_a_date_stays_whole():
    message = parse_comment("Step one; step two; step three", DateColumnParser(), set())
    assert message.text == "Step one; step two; step three" and message.at is None


# ----------------------------------------------------------------------------- end to end


def test_an_xlsx_with_float_ids_and_datetime_cells_maps_cleanly(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Id", "Subject", "Created at"])
    sheet.append([848, "Refund", datetime(2024, 5, 6, 10, 20)])
    sheet.append([849, "Login", 45417.5])
    workbook.save(tmp_path / "t.xlsx")
    read = read_sheet(tmp_path / "t.xlsx")
    mapping = FieldMapping({"external_id": 0, "subject": 1, "created_at": 2}, timezone="America/New_York")
    first, second = map_rows(read, mapping)
    assert first.external_id == "848" and first.created_at == datetime(2024, 5, 6, 14, 20, tzinfo=UTC)
    assert second.created_at == datetime(2024, 5, 5, 16, 0, tzinfo=UTC)


def test_multiline_csv_rows_are_skipped_with_their_record_row_number(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text('Id,Body,Created\n1,"two\nlines",2024-05-06 10:20\n2,"x",not a date\n', encoding="utf-8")
    results = list(map_rows(read_sheet(path), FieldMapping({"external_id": 0, "body": 1, "created_at": 2})))
    assert results[0].body == "two\nlines"
    assert results[1] == SkippedRow(3, "created time 'not a date' is not a date")


# ---- streamed mapping: the day order settled as rows go by ---------------------------------------
_DATE_POOL = ("2026-01-05 10:00", "05/06/2026 10:00", "07/07/2026 09:00", "25/06/2026 10:00", "06/25/2026 10:00",
              "03/04/2026 08:15", "", "Tuesday")


def _streamed(sheet: Sheet, mapping: FieldMapping, head_rows: int) -> list:
    """What the import's helper ends up importing: streamed, and read again when it must be."""
    head = sheet_of(sheet.header, sheet.rows[:head_rows])
    orders = None
    while True:
        streamed = StreamedMapping(sheet.header, mapping, head, orders)
        rows = list(streamed.rows(sheet.numbered_rows()))
        orders = streamed.orders_to_read_again()
        if orders is None:
            return rows


@pytest.mark.parametrize("seed", range(80))
def test_streamed_mapping_ends_where_the_whole_column_decides(seed):
    import random

    rnd = random.Random(seed)
    weights = [rnd.random() ** 3 for _ in _DATE_POOL]  # each file leans towards a few shapes
    header = ["Id", "Created", "Updated", "Body"]
    rows = [[str(n), *rnd.choices(_DATE_POOL, weights, k=2), "text"] for n in range(1, 120)]
    sheet = sheet_of(header, rows)
    mapping = guess_mapping(header, rows)
    mapping.columns.update(external_id=0, created_at=1, updated_at=2, body=3)
    try:
        whole = list(map_rows(sheet, mapping))
    except AmbiguousDatesError as error:
        with pytest.raises(AmbiguousDatesError) as streamed_error:
            _streamed(sheet, mapping, head_rows=rnd.randint(1, 40))
        assert streamed_error.value.column_name == error.column_name
        return
    assert _streamed(sheet, mapping, head_rows=rnd.randint(1, 40)) == whole


def _guessed_names(relative: str) -> dict[str, object]:
    from tests.real_corpus.check import real_file
    sheet = read_sheet(real_file(relative))
    return guess_mapping(sheet.header, sheet.rows).describe(sheet.header)["columns"]


@pytest.mark.parametrize("relative", ["tickets/redmine/redmine__import_issues.csv",
                                      "tickets/redmine/redmine__import_issues_utf8_with_bom.csv"])
def test_a_redmine_issues_csv_without_an_id_column_guesses_no_id_and_no_role(relative):
    columns = _guessed_names(relative)
    assert "external_id" not in columns  # not estimated_hours (1, 2, 3): a count is no ticket id
    assert "author_role" not in columns  # not the issue's private yes/no: a ticket dump has no messages
    assert columns["subject"] == "subject" and columns["created_at"] == "start_date"


def test_a_header_that_says_id_wins_over_unique_words_beside_it():
    columns = _guessed_names("tickets/redmine/redmine__import_issues_auto_mapping.csv")
    assert columns["external_id"] == "unique_id"  # not priority (High, Normal…)
    assert "author_role" not in columns


def test_a_column_of_dates_is_guessed_as_the_time_not_as_the_id():
    columns = _guessed_names("tickets/redmine/redmine__import_dates_ja.csv")
    assert columns == {"subject": "subject", "created_at": "start"}


def test_numbers_and_flags_are_an_id_only_when_the_header_says_so():
    rows = [[str(n), str(n * 10), "yes" if n % 2 else "no", f"2024-05-0{n} 10:00"] for n in range(1, 3)]
    assert guess_mapping(["hours", "count", "flag", "when"], rows).column("external_id") is None
    assert guess_mapping(["hours", "Bug ID", "flag", "when"], rows).column("external_id") == 1


def test_a_bare_role_flag_is_the_role_in_a_dump_of_messages():
    rows = [["m1", "t1", "yes", "2024-05-06 10:00"], ["m2", "t1", "no", "2024-05-06 10:05"]]
    mapping = guess_mapping(["Message ID", "Ticket ID", "private", "Created"], rows)
    assert mapping.column("author_role") == 2
