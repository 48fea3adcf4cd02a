"""Recognition of help-desk vendors from a dump's header row, and the mapping each layout implies."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from postmortem_desktop.importers.dates import zone_for
from postmortem_desktop.importers.field_mapping import MULTI_FIELDS, FieldMapping
from postmortem_desktop.importers.mapping_guess import EMAIL, guess_mapping

GENERIC = "generic"
_MIN_SHARE = 0.75  # of a layout's signature columns that must be present
_ZONE_IN_HEADER = re.compile(r"\(([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+|UTC)\)")


@dataclass(frozen=True)
class VendorGuess:
    """The vendor a header belongs to ("generic" when none), its proposed mapping and time zone.

    ``timezone`` is None when the export does not say which zone its times are in, so the
    person importing must choose it (``mapping.timezone`` then holds the "UTC" default).
    """

    vendor: str
    mapping: FieldMapping
    timezone: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class VendorLayout:
    """One vendor's export: the header names that identify it and the field each column feeds.

    Names are compared lower-cased with spaces collapsed; a trailing "*" matches by prefix,
    for headers that carry a zone such as "Conversation started at (America/New_York)".
    """

    vendor: str
    signature: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    timezone: str | None = None
    notes: tuple[str, ...] = field(default=())
    # columns whose content looks like a field's but means something else (an email's To address
    # is the customer on an outgoing message and the support address on an incoming one)
    not_guessed: tuple[str, ...] = field(default=())


# Where each layout below comes from is in docs/vendor-layouts.md. Most vendors export either the
# field labels their UI shows ("Date/Time Opened") or their API names ("CreatedDate"): both are here.

CASE_LAYOUTS: tuple[VendorLayout, ...] = (
    VendorLayout(
        "Salesforce Service Cloud",  # a Cases report exported from the UI
        ("case number", "subject", "status", "date/time opened", "case origin"),
        {"external_id": ("case number",), "subject": ("subject",), "body": ("description",),
         "created_at": ("date/time opened", "opened date", "created date"),
         "updated_at": ("last modified date", "date/time closed"), "status": ("status",),
         "channel": ("case origin",), "requester_name": ("contact name", "web name"),
         "requester_email": ("contact email", "web email", "email address"),
         "organization": ("account name", "web company")},
        notes=("Salesforce reports write times in the exporting user's zone without saying which: choose it.",),
    ),
    VendorLayout(
        "Salesforce Service Cloud",  # Case records exported by Data Loader or the API
        ("casenumber", "subject", "status", "createddate", "origin"),
        {"external_id": ("casenumber",), "subject": ("subject",), "body": ("description",),
         "created_at": ("createddate",), "updated_at": ("lastmodifieddate", "closeddate"), "status": ("status",),
         "channel": ("origin",), "requester_name": ("suppliedname",),
         "requester_email": ("suppliedemail", "contactemail"), "organization": ("suppliedcompany",)},
    ),
    VendorLayout(
        "ServiceNow",  # table export with field names, as the incident event log has them
        ("number", "opened_at", "caller_id", "contact_type", "sys_updated_at*"),
        {"external_id": ("number",), "subject": ("short_description",), "body": ("description",),
         "created_at": ("opened_at",), "updated_at": ("sys_updated_on", "sys_updated_at"),
         "status": ("incident_state", "state"), "channel": ("contact_type",), "requester_name": ("caller_id",),
         "organization": ("company",)},
        notes=("ServiceNow's incident log has one row per update: rows sharing a Number are one incident, and "
               "its latest row's state is kept. Times carry no zone: choose the instance's.",),
    ),
    VendorLayout(
        "ServiceNow",  # incident table export with field names (no contact_type / sys_updated_at)
        ("number", "opened_at", "short_description", "caller_id", "state", "priority"),
        {"external_id": ("number",), "subject": ("short_description",), "body": ("description",),
         "created_at": ("opened_at",), "updated_at": ("sys_updated_on", "sys_updated_at"),
         "status": ("incident_state", "state"), "channel": ("contact_type",), "requester_name": ("caller_id",),
         "organization": ("company",)},
        notes=("ServiceNow table exports write times in the instance's zone without saying which: choose it.",),
        not_guessed=("assigned_to",),  # the agent, not the customer
    ),
    VendorLayout(
        "ServiceNow",  # list export with column labels
        ("number", "opened", "short description", "caller", "state"),
        {"external_id": ("number",), "subject": ("short description",), "body": ("description",),
         "created_at": ("opened",), "updated_at": ("updated",), "status": ("state", "incident state"),
         "channel": ("channel", "contact type"), "requester_name": ("caller",), "organization": ("company",)},
        notes=("ServiceNow list exports write times in the exporting user's zone: choose it.",),
    ),
    VendorLayout(
        "Gorgias",  # tickets, with API names
        ("id", "subject", "status", "channel", "created_datetime"),
        {"external_id": ("id",), "subject": ("subject",), "status": ("status",), "channel": ("channel",),
         "created_at": ("created_datetime",), "updated_at": ("updated_datetime",),
         "requester_name": ("customer.name", "customer_name"),
         "requester_email": ("customer.email", "customer_email"), "tags": ("tags",)},
    ),
    VendorLayout(
        "Kustomer",  # conversations
        ("id", "name", "status", "channels", "created_at", "customer"),
        {"external_id": ("id",), "subject": ("name",), "body": ("preview",), "status": ("status",),
         "channel": ("channels",), "created_at": ("created_at",), "updated_at": ("updated_at", "modified_at"),
         "requester_name": ("customer",), "tags": ("tags",)},
    ),
)

MESSAGE_LAYOUTS: tuple[VendorLayout, ...] = (
    VendorLayout(
        "Zendesk ticket comments",
        ("ticket id", "author", "public", "created at", "body"),
        {"external_id": ("ticket id",), "message_id": ("comment id", "id"), "author": ("author",),
         "author_role": ("public",), "created_at": ("created at",), "body": ("body", "plain body"),
         "channel": ("via",)},
        notes=("Comments marked not public are internal notes; who is an agent is told from who answers whom.",),
    ),
    VendorLayout(
        "Zendesk ticket comments",  # API names
        ("ticket_id", "author_id", "public", "created_at", "body"),
        {"external_id": ("ticket_id",), "message_id": ("id",), "author": ("author_name", "author_id"),
         "author_role": ("public",), "created_at": ("created_at",), "body": ("plain_body", "body"),
         "channel": ("via",)},
    ),
    VendorLayout(
        "Intercom conversation parts",
        ("conversation id", "part type", "author type", "created at*", "body"),
        {"external_id": ("conversation id",), "message_id": ("part id", "conversation part id", "id"),
         "author": ("author name", "author email", "author id"), "author_role": ("author type",),
         "created_at": ("created at*",), "body": ("body",)},
    ),
    VendorLayout(
        "Intercom conversation parts",  # API names
        ("conversation_id", "part_type", "author_type", "created_at", "body"),
        {"external_id": ("conversation_id",), "message_id": ("id", "part_id"),
         "author": ("author_name", "author_email", "author_id"), "author_role": ("author_type",),
         "created_at": ("created_at",), "body": ("body",)},
    ),
    VendorLayout(
        "Help Scout threads",
        ("conversation id", "thread id", "type", "created at", "body"),
        {"external_id": ("conversation id",), "message_id": ("thread id",),
         "author": ("created by", "created by email", "customer"), "author_role": ("type",),
         "created_at": ("created at",), "body": ("body",), "status": ("status",)},
        notes=("A thread's type says its role: customer, message (an agent's reply), note (internal).",),
    ),
    VendorLayout(
        "Help Scout threads",  # API names
        ("conversationid", "id", "type", "createdat", "body"),
        {"external_id": ("conversationid",), "message_id": ("id",),
         "author": ("createdby.email", "createdby.name", "createdby"), "author_role": ("type",),
         "created_at": ("createdat",), "body": ("body",), "status": ("status",)},
    ),
    VendorLayout(
        "Salesforce case comments",
        ("parentid", "commentbody", "ispublished", "createddate"),
        {"external_id": ("parentid",), "message_id": ("id",), "body": ("commentbody",),
         "created_at": ("createddate",), "author": ("createdby.name", "createdbyid"),
         "author_role": ("ispublished",)},
        notes=("Unpublished case comments are internal; the rows' Parent ID is the case.",),
    ),
    VendorLayout(
        "Salesforce case comments",  # field labels
        ("parent id", "body", "published", "created date"),
        {"external_id": ("parent id",), "message_id": ("case comment id",), "body": ("body",),
         "created_at": ("created date",), "author": ("created by", "created by id"),
         "author_role": ("published",)},
    ),
    VendorLayout(
        "Salesforce email messages",
        ("parentid", "fromaddress", "incoming", "messagedate", "textbody"),
        {"external_id": ("parentid",), "message_id": ("id",), "subject": ("subject",),
         "body": ("textbody", "htmlbody"), "created_at": ("messagedate",),
         "author": ("fromname", "fromaddress"), "author_role": ("incoming",), "status": ("status",),
         "requester_email": ("fromaddress",)},
        notes=("The customer is the sender of the case's incoming emails (Incoming = true).",),
        not_guessed=("toaddress", "ccaddress", "bccaddress"),
    ),
    VendorLayout(
        "Salesforce email messages",  # field labels
        ("parent case", "from address", "is incoming", "message date", "text body"),
        {"external_id": ("parent case", "parent id"), "message_id": ("emailmessage id", "email message id"),
         "subject": ("subject",), "body": ("text body", "html body"), "created_at": ("message date",),
         "author": ("from name", "from address"), "author_role": ("is incoming",),
         "requester_email": ("from address",)},
        not_guessed=("to address", "cc address", "bcc address"),
    ),
    VendorLayout(
        "Gorgias messages",
        ("ticket_id", "from_agent", "created_datetime", "body_text"),
        {"external_id": ("ticket_id",), "message_id": ("id",), "body": ("body_text", "stripped_text"),
         "created_at": ("created_datetime", "sent_datetime"), "subject": ("subject",), "channel": ("channel",),
         "author": ("sender.email", "sender.name", "sender_email", "sender"), "author_role": ("from_agent",)},
    ),
    VendorLayout(
        "Kustomer messages",
        ("conversation_id", "direction", "created_at", "preview", "channel"),
        {"external_id": ("conversation_id",), "message_id": ("id",), "body": ("preview",),
         "created_at": ("created_at", "sent_at"), "channel": ("channel",),
         "author": ("sent_by", "created_by", "customer_id"), "author_role": ("direction", "direction_type"),
         "requester_name": ("customer_name",)},
    ),
    VendorLayout(
        "Kustomer messages",  # column labels
        ("conversation id", "direction", "created at", "preview", "channel"),
        {"external_id": ("conversation id",), "message_id": ("message id", "id"), "body": ("preview",),
         "created_at": ("created at", "sent at"), "channel": ("channel",),
         "author": ("sent by", "created by"), "author_role": ("direction", "direction type"),
         "requester_name": ("customer name",)},
        notes=("A customer's message has no 'Sent By': its author is the conversation's customer.",),
    ),
)

LAYOUTS: tuple[VendorLayout, ...] = (
    VendorLayout(
        "Zendesk",
        ("id", "requester", "requester email", "subject", "tags", "status", "via", "created at", "updated at"),
        {"external_id": ("id",), "subject": ("subject",), "body": ("description",),
         "created_at": ("created at",), "updated_at": ("updated at",), "status": ("status",),
         "channel": ("via",), "requester_name": ("requester",), "requester_email": ("requester email",),
         "requester_id": ("requester id",), "organization": ("organization",), "tags": ("tags",)},
        notes=("Zendesk writes times in the account's zone and locale: check the zone and day order.",),
    ),
    VendorLayout(
        "Freshdesk",
        ("ticket id", "subject", "description", "status", "priority", "source", "created time",
         "due by time", "last update time"),
        {"external_id": ("ticket id",), "subject": ("subject",), "body": ("description",),
         "created_at": ("created time",), "updated_at": ("last update time",), "status": ("status",),
         "channel": ("source",), "requester_name": ("full name", "contact", "requester name"),
         "requester_email": ("email", "requester email"), "organization": ("company name",),
         "tags": ("tags",)},
        notes=("Freshdesk writes times in the exporting agent's zone without saying which: choose it.",),
    ),
    VendorLayout(
        "Intercom",
        ("conversation id", "conversation started at*", "channel", "started by", "conversation tag*"),
        {"external_id": ("conversation id",), "created_at": ("conversation started at*",),
         "updated_at": ("updated at*", "last updated at*"), "channel": ("channel",),
         "requester_name": ("user name",), "requester_email": ("user email",),
         "requester_id": ("user id",), "organization": ("company name",),
         "subject": ("conversation title*", "title"), "body": ("first message*", "initial message*"),
         "tags": ("conversation tag*",)},
    ),
    VendorLayout(
        "Jira Service Management",
        ("summary", "issue key", "issue id", "issue type", "status", "reporter", "created", "updated"),
        {"external_id": ("issue key",), "subject": ("summary",), "body": ("description",),
         "created_at": ("created",), "updated_at": ("updated",), "status": ("status",),
         "requester_name": ("reporter",), "requester_id": ("reporter id",),
         "requester_email": ("reporter email",),
         "organization": ("custom field (organizations)", "organizations"),
         "channel": ("custom field (request type)", "request type"),
         "tags": ("labels",), "comments": ("comment",)},
        notes=("Comments by the reporter are the customer's; every other commenter is taken as an agent.",),
    ),
    VendorLayout(
        "Help Scout",
        ("number", "from", "subject", "created"),
        {"external_id": ("number",), "subject": ("subject",), "created_at": ("created",),
         "updated_at": ("updated", "modified"), "status": ("status",), "requester_name": ("from",),
         "requester_email": ("customer email", "email"), "tags": ("tags",)},
        timezone="UTC",
    ),
    VendorLayout(
        "HubSpot",
        ("ticket id", "ticket name", "ticket status", "create date", "pipeline"),
        {"external_id": ("ticket id",), "subject": ("ticket name",),
         "body": ("ticket description", "description"), "status": ("ticket status",),
         "created_at": ("create date",), "updated_at": ("last activity date", "last modified date"),
         "channel": ("source",), "organization": ("associated company", "company name")},
    ),
    VendorLayout(
        "Zoho Desk",
        ("ticket id", "subject", "created time (ticket)", "status (ticket)", "priority (ticket)"),
        {"external_id": ("ticket id", "request id"), "subject": ("subject",),
         "body": ("description (ticket)", "description"), "created_at": ("created time (ticket)",),
         "updated_at": ("modified time (ticket)",), "status": ("status (ticket)",),
         "channel": ("channel (ticket)",), "requester_name": ("contact name",),
         "requester_email": ("email (ticket)", "email (contact)", "email"),
         "organization": ("account name",), "tags": ("tags (ticket)", "tags")},
    ),
    VendorLayout(
        "Front",
        ("message id", "conversation id", "direction", "inbox", "message date", "contact handle", "extract"),
        {"external_id": ("conversation id",), "message_id": ("message id",), "subject": ("subject",),
         "body": ("extract",), "created_at": ("message date",), "status": ("status",), "channel": ("inbox",),
         "requester_name": ("contact name",), "requester_email": ("contact handle",),
         "author": ("author",), "author_role": ("direction",), "tags": ("tags",)},
        notes=("Front exports one row per message: rows sharing a Conversation ID are one conversation.",),
    ),
    *MESSAGE_LAYOUTS,
    *CASE_LAYOUTS,
)


def plain_header(name: str) -> str:
    """A header name as layouts spell it: lower case, single spaces, suffixes kept."""
    return " ".join(name.lower().split())


def _matches(pattern: str, name: str) -> bool:
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def _find(patterns: Sequence[str], names: Sequence[str], used: set[int]) -> list[int]:
    for pattern in patterns:
        found = [index for index, name in enumerate(names) if index not in used and _matches(pattern, name)]
        if found:
            return found
    return []


def _score(layout: VendorLayout, names: Sequence[str]) -> tuple[float, int]:
    present = sum(1 for pattern in layout.signature if any(_matches(pattern, name) for name in names))
    return present / len(layout.signature), present


def recognise_vendor(header: Sequence[str], rows: Iterable[Sequence[object]] = ()) -> VendorGuess:
    """The vendor whose layout the header matches best, or "generic" with a best-guess mapping.

    ``rows`` is a sample used to fill columns the layout does not name (by content) and to
    settle the day order where the sample already proves it.
    """
    sample = [list(row) for row, _ in zip(rows, range(500), strict=False)]
    names = [plain_header(name) for name in header]
    scored = [(_score(layout, names), position) for position, layout in enumerate(LAYOUTS)]
    (share, present), position = max(scored, key=lambda entry: (entry[0], -entry[1]))
    if share < _MIN_SHARE or present < 3:
        return VendorGuess(GENERIC, guess_mapping(header, sample), None)
    return _layout_guess(LAYOUTS[position], header, names, sample)


def _layout_guess(layout: VendorLayout, header: Sequence[str], names: list[str],
                  sample: list[list[object]]) -> VendorGuess:
    known: dict[str, int | list[int]] = {}
    used: set[int] = set()
    for name, patterns in layout.fields.items():
        found = _find(patterns, names, used)
        if not found:
            continue
        if name in MULTI_FIELDS:
            known[name] = found  # Jira repeats "Labels" and "Comment" once per value
        else:
            known[name] = found[0]
            used.add(found[0])
    _email_in_name_column(known, sample)
    if layout.not_guessed:  # blank in the sample, so guessing by content passes them by
        blank = {index for index, name in enumerate(names) if name in layout.not_guessed}
        sample = [[("" if index in blank else cell) for index, cell in enumerate(row)] for row in sample]
    timezone = layout.timezone or _zone_from_header(header, known.get("created_at"))
    mapping = guess_mapping(header, sample, timezone=timezone or "UTC", known=known)
    return VendorGuess(layout.vendor, mapping, timezone, layout.notes)


def _email_in_name_column(known: dict[str, int | list[int]], sample: list[list[object]]) -> None:
    # Help Scout's "From" (and some others) holds an address, not a name.
    index = known.get("requester_name")
    if not isinstance(index, int) or "requester_email" in known:
        return
    values = [cell for row in sample if index < len(row) and isinstance(cell := row[index], str) and cell]
    if values and all(EMAIL.match(value.strip()) for value in values):
        known["requester_email"] = known.pop("requester_name")


def _zone_from_header(header: Sequence[str], index: int | list[int] | None) -> str | None:
    if not isinstance(index, int):
        return None
    match = _ZONE_IN_HEADER.search(header[index])
    if match is None:
        return None
    try:
        zone_for(match.group(1))
    except ValueError:
        return None
    return match.group(1)
