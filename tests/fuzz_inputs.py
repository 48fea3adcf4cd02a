"""Seed files written for the fuzz tests, and Hypothesis strategies that damage them.

Every seed is made up here (no third-party file or text): a small example of each shape a person
can drop or paste, so that mutations start from input the parsers recognise and reach deep code.
"""
from __future__ import annotations

import io
import zipfile

from hypothesis import strategies as st

# ---- ticket dumps -------------------------------------------------------------------------------
ZENDESK_HEADER = ["Id", "Requester", "Requester email", "Subject", "Description", "Tags", "Status", "Via",
                  "Created at", "Updated at"]
ZENDESK_ROWS = [
    ["101", "Ana Souza", "ana@example.org", "Invoice not sent", "I cannot send the invoice, \"urgent\"",
     "billing,invoice", "open", "Mail", "2026-11-18 10:31:00", "2026-11-18 11:02:00"],
    ["102", "Ben Okafor", "ben@example.net", "Card declined", "My card was charged twice;\nplease refund",
     "billing", "pending", "Web form", "2026-11-18 10:45:12", "2026-11-18 12:00:00"],
    ["103", "Chloé Martin", "chloe@example.com", "Kein Zugang", "Ich komme nicht rein — ça ne marche pas",
     "", "solved", "Chat", "18/11/2026 11:05", "18/11/2026 13:40"],
]


def _delimited(header: list[str], rows: list[list[str]], sep: str) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def zendesk_csv() -> bytes:
    return _delimited(ZENDESK_HEADER, ZENDESK_ROWS, ",").encode("utf-8")


def generic_tsv() -> bytes:
    header = ["Ticket", "Customer", "Email", "Opened", "Message"]
    rows = [["T-1", "Dana", "dana@example.org", "2026-11-18T10:40:00Z", "export stuck at 99%"],
            ["T-2", "Eli", "eli@example.org", "2026-11-18T10:52:00+01:00", "שלום, the page is blank"]]
    return _delimited(header, rows, "\t").encode("utf-8")


def utf16_tsv() -> bytes:
    return generic_tsv().decode("utf-8").encode("utf-16")  # with its BOM, as spreadsheet apps write it


def xlsx_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(ZENDESK_HEADER)
    for row in ZENDESK_ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Tickets">
{rows}
</table:table></office:spreadsheet></office:body></office:document-content>"""
_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ods_workbook() -> bytes:
    rows = "\n".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{_xml_text(v)}</text:p></table:table-cell>'
            for v in row) + "</table:table-row>"
        for row in [ZENDESK_HEADER, *ZENDESK_ROWS])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", _ODS_CONTENT.format(rows=rows))
    return out.getvalue()


def spreadsheetml() -> bytes:
    rows = "\n".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{_xml_text(v)}</Data></Cell>' for v in row) + "</Row>"
        for row in [ZENDESK_HEADER, *ZENDESK_ROWS])
    return ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
            f'<Worksheet ss:Name="Tickets"><Table>\n{rows}\n</Table></Worksheet></Workbook>\n').encode("utf-8")


# (file suffix, bytes) for every ticket-dump shape the import accepts.
TICKET_DUMPS: tuple[tuple[str, bytes], ...] = (
    (".csv", zendesk_csv()), (".tsv", generic_tsv()), (".tsv", utf16_tsv()), (".xlsx", xlsx_workbook()),
    (".ods", ods_workbook()), (".xml", spreadsheetml()),
)

# ---- pasted conversations (one per shape in importers/transcript_formats.py, and email) --------
TRANSCRIPTS: tuple[str, ...] = (
    "Chat started: 2026-11-18 10:21 AM UTC\n(10:21:11 AM) *** Sam joined the chat ***\n"
    "(10:21:15 AM) Visitor 4411: my invoices are gone\n(10:22:01 AM) Sam: Checking now, sorry!\n",
    "11/18/26, 9:15 PM - Alice: Hey, is billing down?\n11/18/26, 9:16 PM - Support Bot: We are on it\n"
    "continued line\n",
    "[18.11.26, 22:47:05] Loki: payment failed\n[18.11.26, 22:48:00] Thor: ok\n",
    "10:21:05 From  Jane Doe  to  Everyone:\n\tcan anyone hear me?\n10:22:00 From  Agent Max  to  Everyone:\nyes\n",
    "Amy BritoAmy Brito  [12:36 PM](https://example.slack.com/archives/C1/p1)\nthe export hangs\n"
    "[12:37 PM](https://example.slack.com/archives/C1/p2)\nstill hangs\n",
    "Today\nAmy Brito  10:30 AM\ninvoices fail\n10:31\nagain\nBen (Support)  10:32 AM\nlooking\n",
    "Brito, Amy (Billing) Yesterday 10:21 AM\nIs the dashboard down?\n[1/5 10:25 AM] Okafor, Ben\nYes.\n",
    "Amy Brito\nJan 26, 10:21 AM\ndid my payment go through?\nSupport Team\n10:25 AM\nit did\n",
    "[10:21] Amy: hello\n[10:22] Agent: hi, how can I help?\nAmy: refund please\n",
    "Thanks, fixed now.\n\nOn Mon, Nov 18, 2026 at 10:00 AM Amy Brito <amy@example.net> wrote:\n"
    "> Still broken.\n>\n> On Mon, Nov 18, 2026 at 9:00 AM Support <support@example.com> wrote:\n>> Try again.\n",
    "Sorry for the trouble.\n\nFrom: Ben Okafor [mailto:ben@example.org]\nSent: Monday, 18 November 2026 09:12\n"
    "To: support@example.com\nSubject: RE: invoice\n\nWhere is my invoice?\n-----Original Message-----\n",
)

EML = (b"From: Ana Souza <ana@example.org>\r\nTo: support@example.com\r\nSubject: Re: refund\r\n"
       b"Date: Wed, 18 Nov 2026 10:31:00 +0100\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       b"Still no refund =E2=80=94 please help.\r\n\r\nOn Tue, Nov 17, 2026 at 9:00 AM Support "
       b"<support@example.com> wrote:\r\n> We are on it.\r\n")
EML_HTML = (b"From: ben@example.net\r\nDate: 18 Nov 2026 10:00:00 GMT\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
            b"Content-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Caf\xe9 <b>down</b></p><br>"
            b"<script>x</script>\r\n--b1--\r\n")

# ---- system events ------------------------------------------------------------------------------
LOG_LINES = (
    "2026-11-18T10:21:05Z ERROR payment-api: 502 from upstream\n"
    "2026-11-18 10:22:00,123 WARN retrying\n  at com.example.Pay(Pay.java:42)\n"
    "[2026-11-18 10:25:00] deploy v2.3.1 rolled back\n"
    "2026/11/18 10:40:00 recovered, success rate back to 99.9%\n"
    "Nov 18 10:41:00 web-1 nginx[123]: status page updated: monitoring\n"
    "not a log line\n")
ALERTS_CSV = ("fired_at,alert_name,severity,details\n"
              "2026-11-18T10:20:00Z,High error rate,critical,\"5xx > 5%, page sent\"\n"
              "2026-11-18 10:45:00+01:00,Error rate normal,info,cleared\n"
              "yesterday,Broken time,low,\n")

# ---- suggest-tags input -------------------------------------------------------------------------
JSONL = ('{"id": 1, "text": "I could not send the invoice before my client meeting"}\n'
         '{"id": "a", "text": "we will lose the account over this", "role": "customer"}\n'
         'a plain line: I had to copy everything by hand\n'
         '{"id": 3, "text": "Sorry for the inconvenience", "role": "agent"}\n')

# ---- mutations ----------------------------------------------------------------------------------
_NASTY_TEXT = st.sampled_from([
    "\x00", "\ufeff", "\xef\xbb\xbf", '"', "'", ",", ";", "\t", "|", "\r", "\n", "\r\n", ":", ">", "***",
    "\u202e", "\u200f", "\u0301", "\u0130", "ı", "ß", "\U0001f600", "שלום", "مرحبا", "\ud800", "\udfff",
    "\u2028", "\x85", "\x0c", "[", "](", "http://", "On ", " wrote:", "From: ", "Sent: ", "99:99", "13/13/13",
    "2026-02-30T25:61:61Z", "+99:99", "-00:00", "9" * 30, "Chat started: 9999-99-99 10:21 AM +99:99",
])


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def _edit(draw: st.DrawFn, data: bytes) -> bytes:
    """One damaging edit somewhere in data."""
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "nasty", "overlong", "delete", "lines", "bom", "deep"]))
    if kind == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    if kind == "nasty":
        return data[:at] + _encode(draw(_NASTY_TEXT)) * draw(st.integers(1, 3)) + data[at:]
    if kind == "overlong":
        return data[:at] + draw(st.sampled_from([b"a", b'"', b",", b" ", b"\x00", b"9"])) * 70_000 + data[at:]
    if kind == "delete":
        end = draw(st.integers(at, min(len(data), at + 64)))
        return data[:at] + data[end:]
    if kind == "deep":  # nesting that recursive parsers (json) cannot follow, where a value may start
        at = data.find(b": ", at)
        return data if at < 0 else data[:at + 2] + draw(st.sampled_from([b"[", b"{\"a\": "])) * 50_000 + data[at + 2:]
    if kind == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"])) + data
    lines = data.split(b"\n")
    how = draw(st.sampled_from(["duplicate", "shuffle", "reverse"]))
    if how == "duplicate":
        index = draw(st.integers(0, len(lines) - 1))
        lines.insert(index, lines[index])
    elif how == "shuffle":
        lines = draw(st.permutations(lines))
    else:
        lines.reverse()
    return b"\n".join(lines)


def mutated(data: bytes, max_edits: int = 4) -> st.SearchStrategy[bytes]:
    """data after one to max_edits damaging edits."""
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        out = data
        for _ in range(draw(st.integers(1, max_edits))):
            out = draw(_edit(out))
        return out
    return build()


@st.composite
def mutated_zip(draw: st.DrawFn, data: bytes) -> bytes:
    """A workbook whose zip entries are damaged, renamed or dropped (the zip itself stays readable)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            action = draw(st.sampled_from(["keep", "keep", "mutate", "rename", "drop", "empty"]))
            if action == "drop":
                continue
            name = info.filename
            if action == "rename":
                name = draw(st.sampled_from([name.upper(), name + ".bak", "../" + name, name.replace("/", "\\")]))
            if action == "mutate":
                content = draw(mutated(content, 2))
            if action == "empty":
                content = b""
            archive.writestr(name, content)
    return out.getvalue()


def random_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=2048)


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """Mutated seeds most of the time, sometimes random bytes, sometimes the seed untouched."""
    return st.one_of(mutated(data), mutated(data), mutated(data), random_bytes(), st.just(data))


def damaged_text(text: str) -> st.SearchStrategy[str]:
    """A pasted text after damage, decoded the way a clipboard would hand it over (lone surrogates kept)."""
    return st.one_of(damaged(text.encode("utf-8")).map(lambda b: b.decode("utf-8", errors="surrogateescape")),
                     st.text(max_size=300))


# ---- ticket tables built cell by cell (reaches date, mapping and vendor rules that byte edits miss)
_EDGE_CELLS = st.sampled_from([
    "", " ", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "01/01/0001 00:00", "31/12/9999 23:59",
    "2026-02-29 10:00", "29/02/2026", "13/13/2026", "2026-11-18T24:00:00Z", "2026-11-18 10:00 +24:00",
    "12:00 PM", "0:00 AM", "Nov 31, 2026", "99999", "20000", "80000.5", "1e308", "nan", "inf", "-0",
    "2026-11-18T10:20:00.1234567890Z", "18-Nov-26 10:00", "Mon, 18 Nov 2026 10:00:00 GMT", "=1+1", "@SUM(A1)",
    "\u202e2026-11-18", "٢٠٢٦-١١-١٨", "2026\u201011\u201018", "\x00", "a" * 5000, "ı", "İ", "ß",
])
_CELL = st.one_of(_EDGE_CELLS, st.text(max_size=40))


@st.composite
def ticket_table(draw: st.DrawFn) -> bytes:
    """A CSV with a vendor-like header (columns dropped, doubled or renamed) and odd cell values."""
    header = list(ZENDESK_HEADER)
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(header) - 1))
        how = draw(st.sampled_from(["drop", "double", "rename", "blank"]))
        if how == "drop" and len(header) > 1:
            header.pop(index)
        elif how == "double":
            header.insert(index, header[index])
        elif how == "rename":
            header[index] = draw(st.text(max_size=20))
        else:
            header[index] = ""
    rows = draw(st.lists(st.lists(_CELL, min_size=0, max_size=len(header) + 2), min_size=1, max_size=6))
    # Most rows keep a plausible time so they reach the window and storage rules.
    for row in rows:
        if len(row) > 8 and draw(st.booleans()):
            row[8] = "2026-11-18 10:30:00"
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = _delimited(header, rows, sep)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])), errors="replace")


# ---- pasted chats built line by line from each shape's headers, with edge values in every field --
_FIELDS = {
    "clock": ["10:21 AM", "11:59 PM", "12:00 AM", "00:00", "23:59:59", "13:00 PM", "0:00 am", "99:99", "24:00"],
    "date": ["2026-11-18", "9999-12-31", "0001-01-01", "2026-02-30", "0000-00-00"],
    "md": ["11/18/26", "12/31/9999", "1/1/1", "31/12/99", "0/0/00", "2/29/2025", "18.11.26", "13-13-13"],
    "zone": ["UTC", "GMT", "+14:00", "-12:00", "+99:99", "-2400", "+0530"],
    "mon": ["Jan", "Feb", "Nov", "Sept", "December", "Foo"],
    "dom": ["1", "18", "29", "31", "0", "99"],
    "year": ["2026", "9999", "0001", "0000", "10000"],
    "day": ["Today", "Yesterday", "Monday", "Sun", "Thurs"],
    "name": ["Amy Brito", "Support Bot", "Visitor 4411", "Customer", "ı", "\u202eevil", "O'Brien-Ng", "A" * 90],
    "text": ["hi", "", "my invoice: 4 of 5 failed", "> quoted", "*** x ***", "שלום", ":smile:", "\u0301\u0301"],
}
_CHAT_LINES = (
    "Chat started: {date} {clock} {zone}", "({clock}) {name}: {text}", "({clock}) *** {name} joined the chat ***",
    "{md}, {clock} - {name}: {text}", "[{md}, {clock}] {name}: {text}", "{clock} From  {name}  to  Everyone:",
    "{clock}\t From  {name} : {text}", "{name}  {clock}", "{clock}", "{day}", "{day}, {mon} {dom}, {year}",
    "{name}{name}  [{clock}](https://example.slack.com/p1)", "[{mon} {dom}, {year}, {clock}](https://x.example/p)",
    "Brito, {name} {day} {clock}", "[{md} {clock}] Brito, {name}", "{name}", "{mon} {dom}, {year}, {clock}",
    "[{clock}] {name}: {text}", "{clock} {name}: {text}", "{name}: {text}", "{text}",
    "On {day}, {mon} {dom}, {year} at {clock} {name} <amy@example.com> wrote:",
    "> On {md} {clock} {zone} {name} wrote:",
    "From: {name} [mailto:amy@example.com]", "Sent: {day}, {dom} {mon} {year} {clock}", "Date: {date} {clock} {zone}",
    "-----Original Message-----", "Subject: RE: {text}",
)


@st.composite
def chat_paste(draw: st.DrawFn) -> str:
    """A paste of lines in the transcript and email shapes, each field an edge value or random text."""
    def field(name: str) -> str:
        return draw(st.one_of(st.sampled_from(_FIELDS[name]), st.text(max_size=6)) if name == "text"
                    else st.sampled_from(_FIELDS[name]))

    lines = []
    for template in draw(st.lists(st.sampled_from(_CHAT_LINES), min_size=1, max_size=12)):
        lines.append(template.format_map({name: field(name) for name in _FIELDS if "{" + name + "}" in template}))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


# ---- system-lane sources (issue 17), in the shapes their vendors document --------------------------
STATUSPAGE_JSON = ('{"incident": {"id": "p1", "name": "Payments degraded", "status": "resolved", '
                   '"created_at": "2026-11-18T10:20:00Z", "resolved_at": "2026-11-18T11:05:00Z", '
                   '"incident_updates": ['
                   '{"status": "investigating", "body": "We are looking into failed payments.", '
                   '"created_at": "2026-11-18T10:22:00Z"}, '
                   '{"status": "resolved", "body": "Payments work again.", "created_at": "2026-11-18T11:05:00Z", '
                   '"affected_components": [{"name": "Checkout", "old_status": "major_outage", '
                   '"new_status": "operational"}]}]}}')
PAGERDUTY_CSV = ("id,incident_number,title,status,urgency,created_on,resolved_on,service_name\n"
                 "Q1,101,Payment error rate above 5%,resolved,high,2026-11-18T10:21:00Z,2026-11-18T11:00:00Z,billing\n"
                 "Q2,102,Checkout latency p95,resolved,low,2026-11-18T10:25:00Z,2026-11-18T10:50:00Z,checkout\n")
ACCESS_LOG = "".join(
    f'203.0.113.{n % 250} - - [18/Nov/2026:10:{20 + n // 60:02d}:{n % 60:02d} +0000] "POST /pay HTTP/1.1" '
    f'{502 if n % 3 else 200} 512 "-" "curl/8"\n' for n in range(120))
GIT_LOG = ("commit 1f2e3d4c5b6a7988776655443322110099aabbcc\nAuthor: Dev <dev@example.com>\n"
           "Date:   Wed Nov 18 10:05:00 2026 +0000\n\n    billing-api v4.18.0: retry card tokens\n")
EVENT_FILES = [("statuspage.json", STATUSPAGE_JSON.encode()), ("incidents.csv", PAGERDUTY_CSV.encode()),
               ("access.log", ACCESS_LOG.encode()), ("git.log", GIT_LOG.encode())]
