"""Tests for the pasted-transcript parser: shapes, times, roles, noise, fallback and speed."""
from __future__ import annotations

import time  # process_time: these bounds catch backtracking, and other jobs on the machine do not count
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from postmortem_desktop.importers.records import ParsedTranscript
from postmortem_desktop.importers.transcripts import parse_eml, parse_transcript

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
DAY = date(2026, 1, 27)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def fixture(name: str) -> str:
    # Bytes then decode, so CRLF fixtures reach the parser unchanged.
    return (FIXTURES / name).read_bytes().decode("utf-8")


def parse_fixture(name: str, **options: object) -> ParsedTranscript:
    return parse_transcript(fixture(name), day=DAY, **options)  # type: ignore[arg-type]


def authors(result: ParsedTranscript) -> list[str]:
    return [message.author for message in result.messages]


def roles(result: ParsedTranscript) -> list[str]:
    return [message.role for message in result.messages]


def all_text(result: ParsedTranscript) -> str:
    return "\n".join(message.text for message in result.messages)


# --- Slack -------------------------------------------------------------------------------------

def test_slack_plain_copy_reads_headers_and_joins_continuation_lines() -> None:
    result = parse_fixture("slack_plain.txt")
    assert result.format == "slack"
    assert authors(result) == ["Priya Natarajan", "Marta Quinn", "Marta Quinn", "Jonas Weber (Support)",
                               "Marta Quinn"]
    assert result.messages[1].text == ("Hi, did my payment go through? The card page showed an error\n"
                                       "I tried twice and now I see two pending charges")


def test_slack_plain_copy_drops_edited_marks_reactions_images_and_reply_counts() -> None:
    text = all_text(parse_fixture("slack_plain.txt"))
    for noise in ("(edited)", ":scream:", "image.png", "2 replies", "Today"):
        assert noise not in text


def test_slack_bare_time_line_starts_a_new_message_by_the_same_author() -> None:
    message = parse_fixture("slack_plain.txt").messages[2]
    assert (message.author, message.at) == ("Marta Quinn", utc(2026, 1, 27, 10, 31))
    assert message.text.startswith("I have a client meeting")


def test_slack_date_dividers_set_the_day_of_following_messages() -> None:
    result = parse_fixture("slack_plain.txt")
    assert result.messages[0].at == utc(2026, 1, 26, 9, 58)
    assert result.messages[1].at == utc(2026, 1, 27, 10, 30)


def test_slack_support_label_makes_an_agent_and_others_customers() -> None:
    assert roles(parse_fixture("slack_plain.txt")) == ["customer", "customer", "customer", "agent", "customer"]


def test_slack_markdown_copy_keeps_authors_once_and_linked_times() -> None:
    result = parse_fixture("slack_markdown.txt", agent_names=["jonas weber"])
    assert result.format == "slack-markdown"
    assert authors(result) == ["Marta Quinn", "Marta Quinn", "Jonas Weber"]
    assert [m.at for m in result.messages] == [utc(2026, 1, 27, 12, 36), utc(2026, 1, 27, 12, 37),
                                               utc(2026, 1, 27, 12, 41)]
    assert roles(result) == ["customer", "customer", "agent"]
    assert "https://" not in all_text(result)


# --- Teams -------------------------------------------------------------------------------------

def test_teams_copy_keeps_last_first_names_and_resolves_yesterday() -> None:
    result = parse_fixture("teams.txt")
    assert result.format == "teams"
    assert authors(result)[:2] == ["Okafor, Chidi (Finance)", "Lindqvist, Eva (Support)"]
    assert result.messages[0].at == utc(2026, 1, 26, 16, 52)
    assert result.messages[2].at == utc(2026, 1, 27, 10, 21)


def test_teams_copy_drops_last_read_reactions_and_edited_lines() -> None:
    text = all_text(parse_fixture("teams.txt"))
    for noise in ("Last read", "Like reactions", "Heart reaction", "Edited"):
        assert noise not in text


def test_teams_internal_note_is_internal_and_support_department_is_agent() -> None:
    assert roles(parse_fixture("teams.txt")) == ["customer", "agent", "customer", "internal"]


def test_teams_month_day_stamp_uses_the_latest_such_date_not_after_the_day() -> None:
    text = "[1/5 10:21 AM] Okafor, Chidi (Finance)\ninvoice run failed\n[12/30 9:00 AM] Okafor, Chidi (Finance)\nold"
    result = parse_transcript(text, day=DAY)
    assert result.format == "teams"
    assert [m.at for m in result.messages] == [utc(2026, 1, 5, 10, 21), utc(2025, 12, 30, 9, 0)]


# --- Zendesk Chat ------------------------------------------------------------------------------

def test_zendesk_chat_takes_the_date_from_chat_started_and_drops_join_notices() -> None:
    result = parse_fixture("zendesk_chat.txt")
    assert result.format == "zendesk-chat"
    assert authors(result) == ["Customer Service", "Dana Whitfield", "Dana Whitfield", "Eric", "Dana Whitfield"]
    assert result.messages[0].at == utc(2018, 5, 18, 13, 51, 11)
    assert "***" not in all_text(result)


def test_zendesk_chat_names_who_joined_as_agents() -> None:
    assert roles(parse_fixture("zendesk_chat.txt")) == ["agent", "customer", "customer", "agent", "customer"]


def test_zendesk_chat_joins_an_untimed_line_to_the_message_before() -> None:
    assert parse_fixture("zendesk_chat.txt").messages[3].text.endswith(
        "$49.00 on your account.\nIt will show as paid once our billing system catches up.")


# --- Intercom ----------------------------------------------------------------------------------

def test_intercom_copy_reads_name_line_time_line_and_body() -> None:
    result = parse_fixture("intercom.txt", agent_names=["Tomás Reyes"])
    assert result.format == "intercom"
    assert authors(result) == ["Hana Sato", "Hana Sato", "Operator", "Tomás Reyes"]
    assert result.messages[0].at == utc(2026, 1, 26, 15, 14)
    assert roles(result) == ["customer", "customer", "agent", "agent"]
    assert result.messages[3].text.endswith("\nI've marked the invoice as paid by hand.")
    assert "Seen" not in all_text(result)


# --- WhatsApp ----------------------------------------------------------------------------------

def test_whatsapp_us_export_with_crlf_reads_month_first_and_drops_system_lines() -> None:
    raw = fixture("whatsapp_us_crlf.txt")
    assert "\r\n" in raw
    result = parse_transcript(raw, day=DAY)
    assert result.format == "whatsapp"
    assert result.messages[0].at == utc(2024, 12, 30, 21, 15)
    # The media message stays: sending the screenshot at 9:21 PM is a customer event (WhatsR, rwhatsapp
    # and chat-analytics count it as a message too); the encryption notice is dropped.
    assert authors(result) == ["Alice Moreno", "Alice Moreno", "Acme Support", "Alice Moreno", "Alice Moreno"]
    assert result.messages[2].text == ("Hi Alice, we had an issue with card payments tonight.\n"
                                       "Your booking is confirmed, no need to pay again.")
    assert (result.messages[3].text, result.messages[3].at) == ("<Media omitted>", utc(2024, 12, 30, 21, 21))
    assert "\r" not in all_text(result)
    assert "end-to-end" not in all_text(result)


def test_whatsapp_ios_brackets_keep_seconds_and_media_and_drop_edit_marks() -> None:
    result = parse_fixture("whatsapp_ios.txt")
    assert result.format == "whatsapp"
    assert [m.at for m in result.messages][:2] == [utc(2024, 7, 29, 13, 46, 27), utc(2024, 7, 29, 13, 47, 2)]
    assert authors(result) == ["Andrew Pike", "Andrew Pike", "Lena (Support)", "Andrew Pike"]
    assert roles(result) == ["customer", "customer", "agent", "customer"]
    assert result.messages[1].text == "image omitted"
    assert result.messages[3].text == "so I should use my other card?"


def test_whatsapp_day_first_is_decided_by_a_later_line_for_the_whole_paste() -> None:
    result = parse_fixture("whatsapp_eu.txt")
    # "03/06/17" alone is ambiguous; "18/06/17" further down makes the paste day-first.
    assert result.messages[0].at == utc(2017, 6, 3, 22, 40)
    assert result.messages[3].at == utc(2017, 6, 18, 22, 52)


def test_whatsapp_month_first_is_decided_by_a_second_number_above_twelve() -> None:
    text = "03/06/17, 10:40 - Ana: first\n03/18/17, 10:41 - Ana: second"
    assert parse_transcript(text, day=DAY).messages[0].at == utc(2017, 3, 6, 10, 40)


# --- Zoom --------------------------------------------------------------------------------------

def test_zoom_chat_reads_message_lines_after_the_from_to_header() -> None:
    result = parse_fixture("zoom.txt")
    assert result.format == "zoom"
    assert authors(result) == ["Jane Doyle", "Raj Patel", "Jane Doyle"]
    assert result.messages[0].text == ("customers are asking if their payments went through\n"
                                       "the status page still says operational")
    assert result.messages[1].at == utc(2026, 1, 27, 10, 23, 10)
    assert "Reacted to" not in all_text(result)


def test_zoom_old_one_line_form_keeps_text_and_continuations() -> None:
    result = parse_fixture("zoom_old.txt")
    assert result.format == "zoom"
    assert authors(result) == ["Jane Doyle", "Raj Patel"]
    assert result.messages[1].text == "no, idempotency keys protect them\nbut check the ledger"


def test_clock_times_are_read_in_the_given_zone_and_stored_in_utc() -> None:
    new_york = timezone(timedelta(hours=-5))
    result = parse_transcript(fixture("zoom.txt"), day=DAY, tz=new_york)
    assert result.messages[0].at == utc(2026, 1, 27, 15, 21, 5)


def test_clock_times_that_jump_back_past_midnight_move_to_the_next_day() -> None:
    text = "23:58:00 From  Jane  to  Everyone:\nstill failing\n00:03:00 From  Raj  to  Everyone:\nfixed"
    result = parse_transcript(text, day=DAY)
    assert [m.at for m in result.messages] == [utc(2026, 1, 27, 23, 58), utc(2026, 1, 28, 0, 3)]


# --- Email -------------------------------------------------------------------------------------

def test_gmail_thread_turns_quotes_into_earlier_messages_in_time_order() -> None:
    result = parse_fixture("gmail_thread.txt", agent_names=["Owen Marsh"])
    assert result.format == "email"
    assert authors(result) == ["Grace Holt", "Owen Marsh", "Grace Holt", "Owen Marsh"]
    assert [m.at for m in result.messages[:3]] == [utc(2026, 1, 26, 14, 12), utc(2026, 1, 26, 16, 30),
                                                   utc(2026, 1, 27, 9, 5)]
    assert result.messages[1].text == ("Hi Grace, sorry for the trouble during yesterday's payment outage.\n"
                                       "We are looking into your charges.")
    assert ">" not in all_text(result)


def test_gmail_thread_newest_reply_between_two_people_goes_to_the_other_person() -> None:
    result = parse_fixture("gmail_thread.txt", agent_names=["Owen Marsh"])
    assert result.messages[-1].author == "Owen Marsh"
    assert roles(result) == ["customer", "agent", "customer", "agent"]


def test_email_sender_at_a_known_agent_domain_is_an_agent() -> None:
    result = parse_fixture("gmail_thread.txt", agent_names=["someone.else@acme.example.com"])
    assert roles(result) == ["customer", "agent", "customer", "agent"]


def test_outlook_thread_reads_original_message_blocks_oldest_first() -> None:
    result = parse_fixture("outlook_thread.txt")
    assert result.format == "email"
    assert authors(result) == ["Billing Support", "Karl Ibsen", "Billing Support"]
    assert [m.at for m in result.messages[:2]] == [utc(2026, 1, 26, 11, 5), utc(2026, 1, 26, 15, 40)]
    assert roles(result) == ["agent", "customer", "agent"]
    text = all_text(result)
    for noise in ("Sent from my iPhone", "Original Message", "Subject:", "_____"):
        assert noise not in text


def test_eml_file_gives_its_own_message_last_and_the_quoted_one_first() -> None:
    result = parse_eml((FIXTURES / "grace_reply.eml").read_bytes(), agent_names=["owen@acme.example.com"])
    assert result.format == "email"
    assert authors(result) == ["Owen Marsh", "Grace Holt"]
    assert result.messages[1].at == utc(2026, 1, 27, 14, 5, 12)
    assert result.messages[1].text == "I still see two charges of €120. Did you refund the second one?"
    assert roles(result) == ["agent", "customer"]


def test_eml_with_only_html_body_gives_readable_text() -> None:
    result = parse_eml((FIXTURES / "html_only.eml").read_bytes())
    assert result.messages[0].text == "My card was declined & I lost my booking.\nPlease call me."
    assert result.messages[0].author == "Lena Park"


def test_eml_that_is_not_an_email_still_gives_its_text() -> None:
    result = parse_eml(b"\xff\xfe not really an email \x00 at all")
    assert result.messages and "not really an email" in result.messages[0].text


def test_eml_with_a_huge_header_field_reads_at_once_and_keeps_its_body() -> None:
    # 35,000 pairs of quote marks in one field made the stdlib header parser take ~30 s.
    data = (b"From: Ana <ana@example.org>\r\nContent-Transfer-Encoding: " + b'""' * 35_000 + b"7bit\r\n"
            b"Content-Type: text/plain\r\n\r\nStill no refund.\r\n")
    started = time.process_time()
    result = parse_eml(data)
    assert time.process_time() - started < 3
    assert [(m.author, m.text) for m in result.messages] == [("Ana", "Still no refund.")]


def test_eml_huge_header_field_after_a_unix_from_line_reads_at_once() -> None:
    # "From " (no colon) still opens the header block for the stdlib, so the bound must see it too.
    data = b"From ana@example.org\r\nContent-Transfer-Encoding: " + b'""' * 35_000 + b"\r\n\r\nHello.\r\n"
    started = time.process_time()
    result = parse_eml(data)
    assert time.process_time() - started < 3
    assert [m.text for m in result.messages] == ["Hello."]


def test_eml_mime_part_with_a_huge_header_field_reads_at_once() -> None:
    data = (b'From: ben@example.net\r\nContent-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1\r\n'
            b"Content-Type: text/plain; name=" + b'""' * 35_000 + b"\r\n\r\nThe page is blank.\r\n--b1--\r\n")
    started = time.process_time()
    result = parse_eml(data)
    assert time.process_time() - started < 3
    assert "The page is blank." in result.messages[0].text


def test_zendesk_chat_with_an_impossible_offset_or_day_still_reads_its_messages() -> None:
    for start in ("Chat started: 2026-11-18 10:21 AM +99:99", "Chat started: 2026-02-30 10:21 AM UTC"):
        result = parse_transcript(f"{start}\n(10:21:15 AM) Visitor: my invoices are gone\n"
                                  "(10:22:00 AM) Sam: checking\n", day=date(2026, 11, 18))
        assert result.format == "zendesk-chat"
        assert [m.text for m in result.messages] == ["my invoices are gone", "checking"]
        assert result.messages[0].at == datetime(2026, 11, 18, 10, 21, 15, tzinfo=timezone.utc)


def test_a_chat_at_the_edge_of_the_calendar_keeps_its_messages_without_times() -> None:
    late = parse_transcript("Chat started: 9999-12-31 11:59 PM -12:00\n(11:59:15 PM) Visitor: hi\n"
                            "(00:01:00 AM) Sam: hello\n")
    assert [(m.text, m.at) for m in late.messages] == [("hi", None), ("hello", None)]
    early = parse_transcript("[10:21] Amy: hello\n[10:22] Agent: hi\n", day=date(1, 1, 1))
    assert [m.at for m in early.messages] == [datetime(1, 1, 1, 10, 21, tzinfo=timezone.utc),
                                              datetime(1, 1, 1, 10, 22, tzinfo=timezone.utc)]


def test_yesterday_and_weekdays_read_on_the_first_day_of_the_calendar_do_not_crash() -> None:
    for text in ("Brito, Amy Yesterday 10:21 AM\nhi\nBrito, Ben Monday 10:22 AM\nyo\n",
                 "Yesterday\nAmy Brito  10:30 AM\nhi\n",
                 "Amy Brito\nYesterday 10:21 AM\nhi\nBen Okafor\nMonday 10:22 AM\nyo\n"):
        result = parse_transcript(text, day=date.min)
        assert result.messages[0].text == "hi"


def test_an_email_attribution_with_an_impossible_time_or_offset_keeps_the_reply() -> None:
    for when in ("Mon, Nov 18, 2026 at 99:99 AM", "Mon, Nov 18, 2026 +9999 at 10:00 AM"):
        result = parse_transcript(f"Thanks.\n\nOn {when} Amy Brito <amy@example.net> wrote:\n> Still broken.\n")
        assert result.format == "email"
        assert [(m.author, m.text) for m in result.messages][0] == ("Amy Brito", "Still broken.")


def test_eml_whose_from_header_trips_the_stdlib_parser_still_reads() -> None:
    # The email package raises AttributeError ('Group' has no 'local_part') on this From value.
    result = parse_eml(b'From: {"a": {"a"; {\r\nDate: Wed, 18 Nov 2026 10:31:00 +0000\r\n\r\nStill broken.\r\n')
    assert [m.text for m in result.messages] == ["Still broken."]
    assert result.messages[0].at == datetime(2026, 11, 18, 10, 31, tzinfo=timezone.utc)


def test_eml_whose_date_has_an_impossible_year_still_reads() -> None:
    result = parse_eml(b"From: ben@example.net\r\nDate: 18 Nov 99999999999999999999999999999999 10:00:00 GMT\r\n"
                       b"\r\nThe page is blank.\r\n")
    assert [(m.author, m.text) for m in result.messages] == [("ben@example.net", "The page is blank.")]


# --- Plain and fallback ------------------------------------------------------------------------

def test_plain_name_colon_lines_with_customer_and_agent_labels() -> None:
    result = parse_fixture("plain.txt")
    assert result.format == "plain"
    assert authors(result) == ["Customer", "Agent", "Customer", "Agent"]
    assert roles(result) == ["customer", "agent", "customer", "agent"]
    assert result.messages[2].text == "4242\nand the second charge is still pending"


def test_plain_timed_lines_resolve_against_the_day_and_meridiem() -> None:
    result = parse_fixture("plain_timed.txt", agent_names=["BEN ALDER"])
    assert result.format == "plain"
    assert [m.at for m in result.messages] == [utc(2026, 1, 27, 10, 21), utc(2026, 1, 27, 10, 24),
                                               utc(2026, 1, 27, 10, 25), utc(2026, 1, 27, 22, 40)]
    assert roles(result) == ["customer", "agent", "customer", "agent"]


def test_two_party_chat_with_a_labelled_customer_makes_the_other_side_the_agent() -> None:
    result = parse_transcript("Visitor: was I charged?\nMaya: let me check\nVisitor: thanks", day=DAY)
    assert roles(result) == ["customer", "agent", "customer"]


def test_internal_marker_makes_an_internal_message() -> None:
    result = parse_transcript("Sam: [internal] refund both charges\nDana: hello?", day=DAY)
    assert roles(result)[0] == "internal"


def test_unknown_shape_falls_back_to_one_message_with_the_whole_text() -> None:
    text = "The customer called at lunch.\r\nShe said the invoice page froze twice.\r\n"
    result = parse_transcript(text, day=DAY)
    assert result.format == "unknown"
    assert len(result.messages) == 1
    message = result.messages[0]
    assert (message.author, message.role, message.at) == ("", "customer", None)
    assert message.text == "The customer called at lunch.\nShe said the invoice page froze twice."


def test_empty_or_whitespace_text_gives_unknown_without_messages() -> None:
    for text in ("", "   \n\t\r\n  "):
        result = parse_transcript(text)
        assert (result.format, result.messages) == ("unknown", [])


def test_day_defaults_to_today_in_the_given_zone() -> None:
    result = parse_transcript("[10:21] Nadia: payment failed\n[10:22] Ben: checking")
    assert result.messages[0].at is not None
    assert result.messages[0].at.date() in (datetime.now(timezone.utc).date() + timedelta(days=d) for d in (-1, 0))


# --- Speed -------------------------------------------------------------------------------------

def test_five_megabytes_of_chat_lines_parse_in_linear_time() -> None:
    line = "12/30/24, {h:02d}:{m:02d} - Alice Moreno: did my payment {i} go through? the card page failed\n"
    lines = [line.format(h=(i // 60) % 24, m=i % 60, i=i) for i in range(60_000)]
    text = "".join(lines)
    assert len(text) > 5_000_000
    started = time.process_time()
    result = parse_transcript(text, day=DAY)
    elapsed = time.process_time() - started
    assert len(result.messages) == 60_000
    assert elapsed < 5.0


def test_hostile_line_without_structure_does_not_backtrack() -> None:
    text = ("Name" + " " * 5000 + ":" * 5000 + "(" * 5000 + "\n") * 200
    started = time.process_time()
    result = parse_transcript(text, day=DAY)
    assert time.process_time() - started < 2.0
    assert all_text(result).count(":" * 5000) == 200
