"""Email threads as clients really paste and save them (issue 14): attributions in other languages and
wrapped over lines, offsets and zone names, Outlook's localized headers, HTML-only and multi-part .eml
files, mailboxes. Real third-party files are read from ../shared/data/real/email (never copied here).
"""
from __future__ import annotations

import mailbox
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parseaddr

import pytest

from postmortem_desktop.importers.conversation_files import read_conversation_file
from postmortem_desktop.importers.records import ParsedTranscript
from postmortem_desktop.importers.transcripts import parse_transcript
from tests.shared_data import shared_file


def read(relative: str) -> ParsedTranscript:
    path = shared_file(f"real/email/{relative}")
    return read_conversation_file(path.name, path.read_bytes())


def reply_and_quoted(result: ParsedTranscript) -> tuple[str, list[str]]:
    """The newest message's text (the reply typed on top) and the authors of the older ones."""
    return result.messages[-1].text, [m.author for m in result.messages[:-1]]


@pytest.mark.parametrize(("name", "quoted_author"), [
    ("crisp__email_gmail_split_line_from.txt", "The Hiring Engine"),  # "On … <" / "address> wrote:"
    ("crisp__email_finnish.txt", "John Coe"),  # "pe 20. lokakuuta 2017 klo 17.50 John Coe" / "<…> kirjoitti:"
    ("crisp__email_portuguese.txt", "John Doe - Stripe"),  # "Em … John Doe - Stripe (" / "contact@…) escreveu:"
    ("crisp__email_german.txt", "John Doe - Stripe"),  # "Am … schrieb "John Doe - Stripe <…>:" (name after the verb)
    ("crisp__email_16.txt", "Company Questions"),  # Polish "Dnia … napisał(a):"
    ("crisp__email_russian.txt", "John Doe"),  # "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:" no verb
    ("crisp__email_25.txt", "John - Acme"),  # "11:00 AM, November 17, 2021, "John - Acme" <…>:"
    ("crisp__email_zoho.txt", "john@gmail.com"),  # "---- On … +0530 john@gmail.com wrote ----": address only
])
def test_attribution_lines_in_other_languages_and_wrapped_split_the_reply_from_the_quoted_mail(
        name: str, quoted_author: str) -> None:
    result = read(f"pasted/{name}")
    assert result.format == "email"
    reply, quoted = reply_and_quoted(result)
    assert quoted_author in quoted
    assert reply.startswith("Fusce bibendum") or reply.startswith("What is the best way")
    assert quoted_author not in reply


def test_an_attribution_with_an_offset_is_read_in_utc() -> None:
    result = read("pasted/crisp__email_zoho.txt")
    assert result.messages[0].at == datetime(2021, 2, 24, 14, 2, 50, tzinfo=timezone(timedelta(hours=5, minutes=30)))



# A reply's own Date header states its writer's offset; the "On … wrote:" line below it, written by the
# same mail client on the same clock, states none. Before, that line was read in UTC (or the paste's zone).
THREAD_WITH_A_DATED_REPLY = """From: Dana <dana@acme.example>
Date: Fri, 04 Dec 2026 10:00:00 -0800
Subject: charged twice

I was charged twice.

On Fri, Dec 4, 2026 at 9:00 AM Support <help@acme.example> wrote:
> Your payment failed, please retry.
"""


def test_an_attribution_without_a_zone_is_read_on_the_clock_of_the_reply_above_it() -> None:
    result = parse_transcript(THREAD_WITH_A_DATED_REPLY)
    assert [(m.author, m.at) for m in result.messages] == [
        ("Support", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)), ("Dana", datetime(2026, 12, 4, 18, 0, tzinfo=UTC))]


def test_an_eml_reply_reads_its_quoted_attribution_on_its_own_dates_clock() -> None:
    eml = THREAD_WITH_A_DATED_REPLY.replace("\n", "\r\n").encode()
    result = read_conversation_file("reply.eml", eml)
    assert [(m.author, m.at) for m in result.messages] == [
        ("Support", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)), ("Dana", datetime(2026, 12, 4, 18, 0, tzinfo=UTC))]


def test_an_attribution_without_a_zone_and_no_dated_header_keeps_the_pastes_zone() -> None:
    text = "Thanks, that worked.\n\nOn Fri, Dec 4, 2026 at 9:00 AM Support <help@acme.example> wrote:\n> Retry.\n"
    result = parse_transcript(text, tz=timezone(timedelta(hours=1)))
    assert result.messages[0].at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)

def test_an_attribution_with_a_zone_name_is_read_in_utc() -> None:
    result = read("html/quotequail__yahoo_reply_unescaped_address.html")
    jane = next(m for m in result.messages if m.author == "Jane Roe")
    assert jane.at == datetime(2025, 9, 4, 15, 30, 41, tzinfo=UTC)  # 11:30:41 AM EDT


def test_an_attribution_with_a_name_and_no_address_is_its_own_message() -> None:
    reply, quoted = reply_and_quoted(read("pasted/willdurand__email_zimbra_free_en.txt"))
    assert quoted == ["Toby Flenderson"]
    assert "Michael Scott" in reply and "Toby Flenderson" not in reply


def test_timestamps_inside_a_message_are_not_quote_headers() -> None:
    assert len(read("pasted/crisp__email_tricky_13_timestamp_variations.txt").messages) == 1


def test_outlook_header_blocks_in_dutch_and_german_name_the_quoted_sender() -> None:
    dutch = read("pasted/crisp__email_12.txt")
    assert len(dutch.messages) >= 2 and dutch.messages[0].author
    german = read("pasted/crisp__email_german_outlook.txt")
    assert len(german.messages) >= 2 and german.messages[0].author


def test_original_message_separator_without_headers_still_splits_the_thread() -> None:
    result = parse_transcript("Thanks, that fixed it.\n\n-----Original Message-----\n\nHi, your payment failed.\n")
    assert [m.text for m in result.messages] == ["Hi, your payment failed.", "Thanks, that fixed it."]


def test_thunderbird_forward_with_values_below_their_keys_names_sender_and_time() -> None:
    forwarded = read("html/quotequail__thunderbird_forward.html").messages[0]
    assert (forwarded.author, forwarded.at) == ("John Doe", datetime(2016, 5, 3, 12, 54, 27, tzinfo=UTC))


def test_html_only_eml_is_read_from_its_html_part() -> None:
    body = read("eml/redmine__outlook_2010_html_only.eml").messages[-1].text
    assert "Simple, unadorned test email generated by Outlook 2010." in body
    assert "<" not in body


def test_every_inline_text_part_of_an_eml_is_read_in_order() -> None:
    # nodemailer's test expects the HTML part's words, then the plain part's
    body = " ".join(read("eml/nodemailer-mailparser__mixed.eml").messages[-1].text.split())
    assert body.index("scanned for Viruses") < body.index("Good Morning;")
    assert "~Danielle" in read("eml/flanker__iphone.eml").messages[-1].text
    assert "Status: 5.1.1" in read("eml/nodemailer-mailparser__delivery-status.eml").messages[-1].text


def test_raw_8bit_header_bytes_are_read_not_replaced() -> None:
    assert read("eml/flanker__from-encoding.eml").messages[-1].author == "Ingo Lütkebohle"


def test_undeclared_charset_body_is_read_as_utf8() -> None:
    assert "人権の無視及" in read("eml/stalwart__thirdparty_010.eml").messages[-1].text


def test_mbox_gives_one_message_per_mail_with_its_sender() -> None:
    path = shared_file("real/email/mbox/perceval__mbox_complex.mbox")
    expected = sorted(parseaddr(str(m["From"]))[1] for m in mailbox.mbox(str(path)) if m["From"])
    result = read("mbox/perceval__mbox_complex.mbox")
    assert result.format == "mbox"
    assert len(result.messages) == len(mailbox.mbox(str(path)))
    assert sorted(m.author for m in result.messages if "@" in m.author) == \
        sorted(a for a in expected if a in {m.author for m in result.messages})


def test_french_outlook_blocks_read_the_date_above_the_sender_and_a_mailto_address() -> None:
    quoted = read("pasted/crisp__email_9.txt").messages[0]  # "Message du : 12/12/2016 13:20" above "De :"
    assert (quoted.author, quoted.at) == ("Company Questions", datetime(2016, 12, 12, 13, 20, tzinfo=UTC))
    indented = read("pasted/crisp__email_11.txt").messages[0]  # "De : Company Questions<mailto:…>"
    assert (indented.author, indented.at) == ("Company Questions", datetime(2016, 12, 15, 9, 35, tzinfo=UTC))


def test_danish_separator_splits_off_the_forwarded_header_block() -> None:
    result = read("pasted/crisp__email_danish_dash_separator.txt")
    assert result.format == "email"
    assert "Oprindelig besked" not in result.messages[-1].text and "Fra:" not in result.messages[-1].text


def test_ukrainian_attribution_names_the_quoted_sender() -> None:
    result = read("pasted/willdurand__email_23_1.txt")  # "29 грудня 2017 р. о 19:09 <support@domain.com> написав:"
    assert result.messages[0].author == "support@domain.com"


def test_a_dated_line_without_a_name_is_prose_not_a_chat_and_nothing_is_dropped() -> None:
    whole = shared_file("real/email/pasted/crisp__email_tricky_13_timestamp_variations.txt").read_text()
    result = read("pasted/crisp__email_tricky_13_timestamp_variations.txt")
    assert result.format != "whatsapp"
    assert "01/15/2024 at 2:30 PM" in result.messages[0].text  # before: read as a WhatsApp notice and dropped
    assert " ".join(result.messages[0].text.split()) == " ".join(whole.split())


def test_mime_header_lines_in_a_reply_are_not_chat_speakers() -> None:
    result = read("pasted/willdurand__email_ls-l.txt")
    assert {m.author for m in result.messages} == {""}
    assert "Content-Type: text/plain" in result.messages[0].text


def test_a_multipart_whose_boundary_does_not_match_still_gives_its_words_and_a_utf8_sender() -> None:
    message = read("eml/flanker__mailformed-headers.eml").messages[-1]
    assert message.text == "Hello"  # before: no message at all
    assert message.author.startswith("Юникод запрещен")  # raw UTF-8 bytes with one stray byte


def test_html_block_starts_break_lines_so_a_forward_marker_is_not_glued_to_the_reply() -> None:
    reply = read("html/quotequail__apple_forward.html").messages[-1].text
    assert "Begin forwarded message" not in reply and reply.endswith("blah")


@pytest.mark.parametrize(("relative", "author", "words"), [
    # Outlook Express sending only a base64 attachment: no text part at all
    ("real/email/eml/flanker__outlook-express.eml", "Bobby", "Sup?"),
    # a blank Date header folded onto "<HR>" leaves the body empty
    ("real/email/eml/mail-rb__bad_date_header.eml", "Grants-Notification", "You may_be Eligible"),
])
def test_a_mail_without_readable_text_still_gives_its_sender_and_subject(relative, author, words) -> None:
    path = shared_file(relative)
    parsed = read_conversation_file(path.name, path.read_bytes())
    [message] = parsed.messages
    assert message.author == author and words in message.text and "[no" in message.text


def test_the_outlook_express_attachment_keeps_its_sent_time() -> None:
    path = shared_file("real/email/eml/flanker__outlook-express.eml")
    [message] = read_conversation_file(path.name, path.read_bytes()).messages
    assert message.at == datetime(2015, 7, 14, 4, 19, 8, tzinfo=UTC)


_HEAD = b"From: Ann Lee <ann@example.com>\nSubject: Invoices gone\nDate: Tue, 14 Jul 2015 12:19:08 +0800\n"


@pytest.mark.parametrize(("damaged", "text"), [
    # cut off inside its headers: the sender and time that parsed are kept
    (b"From: Ann Lee <ann@example.com>\nDate: Tue, 14 Jul 2015 12:19:08 +0800\nSubj", "Subj"),
    (_HEAD + b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
             b"TXkgaW52b2ljZXMgYXJlIGdvbmU*&^%$#@!!\n", "My invoices are gone"),
    (_HEAD + b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"\n\n--XYZ\n'
             b"Content-Type: text/plain\n\nMy invoices page is blank.\n", "My invoices page is blank."),
    (_HEAD + b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n",
     "[no text body: application/pdf]"),
])
def test_a_damaged_eml_yields_what_parses(damaged, text) -> None:
    [message] = read_conversation_file("damaged.eml", damaged).messages
    assert message.author == "Ann Lee" and message.at == datetime(2015, 7, 14, 4, 19, 8, tzinfo=UTC)
    assert text in message.text


@pytest.mark.parametrize(("damaged", "why"), [(b"\x00\x01\x02PK garbage\xff\xfe", "binary"),
                                              (b"\n\n\n", "no sender, subject or text")])
def test_an_eml_with_nothing_readable_is_refused_saying_what_is_wrong(tmp_path, damaged, why) -> None:
    from postmortem_desktop.cli import main
    from postmortem_desktop.importers.conversation_files import UnreadableConversation
    with pytest.raises(UnreadableConversation, match=why):
        read_conversation_file("broken.eml", damaged)
    path = tmp_path / "broken.eml"
    path.write_bytes(damaged)
    assert main(["parse-transcript", str(path)]) == 4
