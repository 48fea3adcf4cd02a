"""Copies incidents, with everything that belongs to them, from one workspace into another of either kind.

What a publish (file -> team workspace) and a save to a file (team workspace -> new file) share:
`gather` reads the incidents from the source in one consistent read, `put` writes them into the target
inside the caller's one transaction, parents before children (snapshot.ORDER), so a failure or a Cancel
leaves nothing on the target.

Ids. Each row keeps its primary key when that key is free on the target, and gets a new one otherwise;
every reference to it (found from the schema's foreign keys, so there is one rule for every table) follows.
On a team workspace a key is free only when no row has it and its table's sequence has not handed it
out yet, and the sequence is moved past every key written, so other clients' next rows never collide.
Tags and customers belong to the whole workspace: a tag is matched by name, a customer as an import matches
one (domain/customers.customer_key: by email, else by name, in any case), and only what the target lacks is
added. External ids, times, authors, the incident's history (who made each decision) and who
made each edit and changed each card are copied as they are (text made storable on either engine:
domain/storable_text.py); the incident's uid too, so a second publish is recognised. Who edited a column
(workspace_edits) stays with its workspace: a tag is the whole workspace's, matched by name.
"""
from __future__ import annotations

from collections.abc import Container, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from ..domain.customers import customer_key
from ..domain.errors import MissingIncident, RuleError
from ..domain.storable_text import storable
from ..domain.vocabulary import EVIDENCE_SOURCES
from . import edit_history, incident_settings, migrations, snapshot
from .bulk import LOCK_BULK_TABLES
from .schema import (
    Base,
    Conversation,
    Customer,
    EditRecord,
    Incident,
    IncidentUid,
    Quote,
    Tag,
    TagAssignment,
    WorkspaceSetting,
    new_incident_uid,
)
from .team_bulk import bulk_writer_name

_TAG_FIELDS = ("name", "description", "color", "position", "built_in")
#: histories, read by id as the order things happened in (who decided last, who edited last): their keys move
#: together, in order, when any must (some kept and some moved above them would turn that order around)
_IN_ORDER = frozenset({"incident_history", "incident_edits", "card_edits"})
#: publishes into one team workspace wait for each other: two could otherwise pick the same free ids
_PUBLISH_LOCK = migrations.APPLICATION_ID + 2


class AlreadyInTarget(RuleError):
    """An incident being copied is already in the target (its uid is there): refused, never duplicated.

    may_bring_back: every such incident is unchanged there since the copy was made from it (a file saved for a
    meeting, say), so the copy's changes may replace it (put(..., bring_back=True)) without losing anyone's edit.
    """

    def __init__(self, message: str, *, may_bring_back: bool = False) -> None:
        super().__init__(message)
        self.may_bring_back = may_bring_back


@dataclass
class Parcel:
    """What `gather` read from the source: the incidents' rows and the workspace-wide rows they use."""

    incidents: list[snapshot.IncidentSnapshot]
    tags: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    settings: list[dict[str, Any]]  # per-incident settings (facilitator notes), keys as in the source
    #: rows left out, per table: they need a row the source no longer has (see _leave_out_dangling)
    left_out: dict[str, int] = field(default_factory=dict)

    def row_count(self) -> int:
        own = sum(len(rows) for snap in self.incidents for rows in snap.rows.values())
        return own + len(self.tags) + len(self.customers) + len(self.settings)


@dataclass(frozen=True)
class CopiedIncident:
    source_id: int
    target_id: int
    title: str


@dataclass
class CopyResult:
    """What a copy wrote, table by table, and which keys it kept or had to change."""

    target: str
    incidents: list[CopiedIncident] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # rows written per table
    kept_ids: dict[str, int] = field(default_factory=dict)  # rows that kept their key, per table
    new_ids: dict[str, int] = field(default_factory=dict)  # rows given a new key (it was taken), per table
    tags_added: list[str] = field(default_factory=list)
    customers_added: int = 0
    customers_matched: int = 0
    #: rows not copied, per table, because a row they need was already gone from the source
    left_out: dict[str, int] = field(default_factory=dict)
    #: source customers that are the same person as another source customer added (source id -> its id)
    same_person: dict[int, int] = field(default_factory=dict)
    #: the target's incidents this copy replaced (bring_back: unchanged there since it was made from them)
    brought_back: list[int] = field(default_factory=list)
    #: per incident brought back, the cards (quote ids on the target) whose columns it changed
    cards_brought_back: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: the same cards by the source's quote ids (a meeting file notes the bring back in its own history too)
    cards_brought_back_in_source: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: the target's new incidents that a meeting file brought back after the team's copy had been deleted there
    #: (services/publish.py): not found by their uid, so they came back as new incidents
    deleted_there: list[int] = field(default_factory=list)

    @property
    def ids_all_kept(self) -> bool:
        return not any(self.new_ids.values())


# ---- reading the source --------------------------------------------------------------------------------

def all_incident_ids(conn: Connection) -> list[int]:
    return list(conn.scalars(select(Incident.id).order_by(Incident.id)))


def gather(conn: Connection, incident_ids: Iterable[int] | None) -> Parcel:
    """Reads the incidents (None: all of them) and what they refer to, all in the connection's one transaction, with
    the settings of theirs that travel (incident_settings.TRAVELLING)."""
    if conn.dialect.name == "postgresql":  # one picture of a workspace others may be editing meanwhile
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # before the first read
    snaps = []
    if incident_ids is None:
        incident_ids = all_incident_ids(conn)
    for incident_id in incident_ids:
        snap = snapshot.capture(conn, incident_id)
        if not snap.rows["incidents"]:
            raise MissingIncident(incident_id)
        snaps.append(snap)
    tag_ids = {row["tag_id"] for snap in snaps for name in ("tag_assignments", "action_item_links")
               for row in snap.rows[name] if row["tag_id"] is not None}
    customer_ids = {row["customer_id"] for snap in snaps for name in ("conversations", "incident_contacts")
                    for row in snap.rows[name] if row["customer_id"] is not None}
    settings = [row for snap in snaps for row in snap.settings if row["key"].startswith(incident_settings.TRAVELLING)]
    parcel = Parcel(snaps, _rows_by_id(conn, _table(Tag), tag_ids), _rows_by_id(conn, _table(Customer), customer_ids),
                    settings)
    parcel.left_out = _leave_out_dangling(parcel)
    return parcel


def _leave_out_dangling(parcel: Parcel) -> dict[str, int]:
    """Takes out of the parcel the rows whose required reference names a row the source no longer has.

    A file may hold them (SQLite checks references only when asked, and imports write with the check
    off): a tag assignment of a deleted tag, say. Such a row shows nothing in the source, and the target
    would refuse it, failing the whole copy; it is left out and counted, so the summary says so.
    Parents come before children (snapshot.ORDER), so a row left out takes its own children with it.
    """
    present: dict[str, set[Any]] = {"tags": {row["id"] for row in parcel.tags},
                                     "customers": {row["id"] for row in parcel.customers}}
    left_out: dict[str, int] = {}
    for model in snapshot.ORDER:
        table = _table(model)
        required = [(column.name, next(iter(column.foreign_keys)).column.table.name) for column in table.columns
                    if column.foreign_keys and not column.nullable]
        for snap in parcel.incidents:
            rows = snap.rows[table.name]
            kept = [row for row in rows if all(row[name] in present[referred] for name, referred in required
                                               if referred in present)]
            if len(kept) < len(rows):
                left_out[table.name] = left_out.get(table.name, 0) + len(rows) - len(kept)
                snap.rows[table.name] = kept
            if "id" in table.c:
                present.setdefault(table.name, set()).update(row["id"] for row in kept)
    return left_out


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _rows_by_id(conn: Connection, table: Table, ids: set[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):  # SQLite caps the number of bound values
        chunk = ordered[start:start + 500]
        rows += [dict(r._mapping) for r in conn.execute(table.select().where(table.c.id.in_(chunk)))]
    return rows


@dataclass(frozen=True)
class BackAgain:
    """A deleted incident that is in the workspace again under another key: a copy of it (a meeting file saved from
    it) brought back or published after the delete. Its uid is taken, so the delete's undo cannot put it back."""

    incident_id: int
    title: str
    #: its latest bring back's record: who brought it back, and “Bring Back from FILE” ("" when published plainly)
    by: str = ""
    what: str = ""


def back_again(conn: Connection, snap: snapshot.IncidentSnapshot) -> BackAgain | None:
    """The incident that holds the deleted incident's uid now, else None; asked by the delete's undo before it writes.

    On a team workspace this waits for a publish under way (the lock each one holds): one committing meanwhile is
    seen, rather than its uid colliding with the undo's insert."""
    uid = _uid_of(snap)
    if uid is None:
        return None
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISH_LOCK})
    row = conn.execute(select(Incident.id, Incident.title).join(IncidentUid, IncidentUid.incident_id == Incident.id)
                       .where(IncidentUid.uid == uid)).first()
    if row is None:
        return None
    last = conn.execute(select(EditRecord.user, EditRecord.what).where(
        EditRecord.incident_id == row.id, EditRecord.what.like(f"{edit_history.BRING_BACK} %"))
        .order_by(EditRecord.id.desc()).limit(1)).first()
    return BackAgain(row.id, row.title, *(tuple(last) if last else ()))


# ---- writing the target -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _There:
    """An incident of the parcel that the target has already (the same uid), and whether it changed there since."""

    title: str  # the parcel's
    source_id: int  # the parcel's key of it
    target_id: int
    target_title: str
    changed_since: bool


def _columns_changed(conn: Connection, parcel: Parcel) -> list[str]:
    """The copy's columns (tags) that the target no longer has as the copy knew them, by key and name: renamed,
    merged away or removed there since (a column's edits are the whole workspace's: no incident's history has
    them). A bring back would put those back beside what a teammate made of them."""
    names = set(conn.scalars(select(Tag.name)))
    keys = set(conn.scalars(select(Tag.id).where(Tag.id.in_([row["id"] for row in parcel.tags]))))
    handed_out, _sequence = _sequence_state(conn, _table(Tag))
    # not there by name (a column there by name is matched as ever), yet its key is there under another name, or
    # was handed out there: a column of the target's own, renamed or gone since; above that, one new in the copy
    return sorted(row["name"] for row in parcel.tags
                  if row["name"] not in names and (row["id"] in keys or row["id"] <= handed_out))


def _last_edit(conn: Connection, incident_id: int) -> str:
    """Who last edited the incident, and what (for a refusal): “Ana: Edit Answer: …”; "" when none is recorded."""
    row = conn.execute(select(EditRecord.user, EditRecord.what).where(EditRecord.incident_id == incident_id)
                       .order_by(EditRecord.id.desc()).limit(1)).first()
    return f"{row.user}: {row.what}" if row else ""


def _lock_incidents_there(conn: Connection, parcel: Parcel) -> None:
    """The parcel's incidents the target has, locked FOR UPDATE until the transaction ends (_already_there reads
    them again, held)."""
    uids = [uid for uid in map(_uid_of, parcel.incidents) if uid]
    if uids:
        conn.execute(select(Incident.id).join(IncidentUid, IncidentUid.incident_id == Incident.id)
                     .where(IncidentUid.uid.in_(uids)).order_by(Incident.id).with_for_update(of=Incident)).all()


def _already_there(conn: Connection, parcel: Parcel) -> list[_There]:
    """The parcel's incidents the target has (their uid is there), each locked there until the transaction ends.

    Unchanged since the copy was made from it: the target's incident history goes exactly as far as the copy's
    (every edit of a team workspace's incident adds to it in the edit's own transaction, so an edit made there
    since, or one that committed only after the copy was read, has a record the copy's history lacks: compared by
    last id and count, edit_history.HistoryEnd). The lock (FOR UPDATE on the incident) makes an edit starting
    meanwhile wait: its own history record needs the incident's key.
    """
    found = []
    for snap in parcel.incidents:
        uid = _uid_of(snap)
        row = conn.execute(select(Incident.id, Incident.title).join(IncidentUid, IncidentUid.incident_id == Incident.id)
                           .where(IncidentUid.uid == uid).with_for_update(of=Incident)).first() if uid else None
        if row is None:
            continue
        theirs = edit_history.team_history_end(conn, row.id)
        # a meeting file's own edits are in its history too: where that history was when the file was saved
        saved = edit_history.history_when_saved(snap.settings, snap.rows["incidents"][0]["id"])
        ours = saved if saved is not None else edit_history.history_end(snap.rows["incident_edits"])
        incident = snap.rows["incidents"][0]
        found.append(_There(incident["title"], incident["id"], row.id, row.title, not ours.same_as(theirs)))
    return found


def refuse_if_present(conn: Connection, parcel: Parcel, target_name: str, *,
                      bring_back: bool = False) -> dict[int, int]:
    """Refuses, naming the incident already there, when an incident's uid is in the target; with bring_back, only
    when it changed there since the copy was made from it. Returns the incidents that may be replaced: the
    parcel's key of each -> its key on the target.

    Only a team workspace may take a copy back: it records every edit of an incident in its history, which says
    whether anyone changed it since. A file records none, so nothing could say so."""
    there = _already_there(conn, parcel)
    if not there:
        return {}
    team = conn.dialect.name == "postgresql"
    changed = [one for one in there if one.changed_since]
    columns = _columns_changed(conn, parcel) if team else []
    if bring_back and team and not changed and not columns:
        return {one.source_id: one.target_id for one in there}
    one = (changed or there)[0]
    where = f"“{one.title}” is already in {target_name}, as incident {one.target_id} “{one.target_title}”"
    if one.changed_since:
        last = _last_edit(conn, one.target_id)
        raise AlreadyInTarget(
            f"{where}, and it was changed there after this copy was made from it{f' (last, {last})' if last else ''}, "
            "so nothing was copied: this copy's changes would overwrite those. Open that one there and type the "
            "changes in, or copy this one as a separate incident (publish as a copy).")
    if columns:
        raise AlreadyInTarget(
            f"{where}, and columns its cards are in were renamed, merged or removed there since this copy was made "
            f"from it ({', '.join(f'“{name}”' for name in columns)}), so nothing was copied: bringing this copy back "
            "would put them back beside what was made of them. Open that one there and make the changes there, or "
            "copy this one as a separate incident (publish as a copy).")
    if not team:
        raise AlreadyInTarget(f"{where} (published or saved there before), so nothing was copied. Open that one "
                              "there, or copy this one as a separate incident (publish as a copy).")
    raise AlreadyInTarget(
        f"“{one.title}” is already in {target_name}, as incident {one.target_id} “{one.target_title}” (published or "
        "saved there before), so nothing was copied. Nobody changed it there since this copy was made from it: "
        "bring this copy's changes back into it (it then reads as this copy does, with the same ids), or copy this "
        "one as a separate incident (publish as a copy).", may_bring_back=True)


def put(conn: Connection, parcel: Parcel, target_name: str, *, as_copy: bool = False, bring_back: bool = False,
        writer: str = "", source_name: str = "") -> Generator[tuple[int, int], None, CopyResult]:
    """Writes the parcel into the target inside the caller's transaction, yielding (rows done, rows in all).

    as_copy: each incident gets a new uid, so it stands beside the one already there, and a title that says it is a
    copy and where from (copy_title; source_name: the source's name).
    bring_back: an incident already there that nobody changed since the copy was made from it (a file saved for a
    meeting without network) is replaced by the copy, its rows keeping their ids; refused as without it otherwise.
    writer: who publishes, named to a teammate whose edit waits for it (team_bulk.bulk_writer).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISH_LOCK})
        # an import running meanwhile numbers its rows past its sequences' values and moves them only at
        # its commit: wait for it, so the free ids picked below are free
        conn.execute(text("SELECT set_config('application_name', :name, true)"), {"name": bulk_writer_name(writer)})
        if not as_copy:  # the incidents it may replace, before the tables: the order every writer keeps (bulk.py)
            _lock_incidents_there(conn, parcel)
        conn.exec_driver_sql(LOCK_BULK_TABLES)
    freed: dict[str, set[int]] = {}
    replaced = {} if as_copy else refuse_if_present(conn, parcel, target_name, bring_back=bring_back)
    columns_before = {incident_id: _card_columns(conn, incident_id) for incident_id in replaced.values()}
    for incident_id in replaced.values():
        _free(freed, snapshot.capture_ids(conn, incident_id))
        snapshot.delete_incident_rows(conn, incident_id)
    result = CopyResult(target=target_name, left_out=dict(parcel.left_out), brought_back=sorted(replaced.values()))
    # workspace-wide rows the target has already: source key -> target key, and those it lacks
    matched: dict[str, dict[Any, Any]] = {"tags": {}, "customers": {}}
    tags = _missing_tags(conn, parcel.tags, matched["tags"], result)
    customers = _missing_customers(conn, parcel.customers, matched["customers"], result)
    keys = _decide_keys(conn, parcel, matched, {"tags": tags, "customers": customers}, result,  # before any write
                        freed)
    keys["incidents"].update(replaced)  # an incident brought back takes the place (and key) of the one it replaces
    _insert(conn, _table(Tag), [{k: row[k] for k in ("id", *_TAG_FIELDS)} for row in tags], keys, result)
    _insert(conn, _table(Customer), customers, keys, result)
    total, done = parcel.row_count(), len(parcel.tags) + len(parcel.customers)
    yield done, total
    titles = set(conn.scalars(select(Incident.title))) if as_copy else set()
    for snap in parcel.incidents:
        if as_copy:
            for row in snap.rows["incident_uids"]:
                row["uid"] = new_incident_uid()
            incident = snap.rows["incidents"][0]
            incident["title"] = copy_title(incident["title"], source_name, titles)
            titles.add(incident["title"])
        for model in snapshot.ORDER:
            rows = snap.rows[model.__tablename__]
            _insert(conn, _table(model), rows, keys, result)
            done += len(rows)
            yield done, total
        source = snap.rows["incidents"][0]
        result.incidents.append(CopiedIncident(source["id"], keys["incidents"][source["id"]], source["title"]))
    _put_settings(conn, parcel.settings, keys["incidents"], result)
    for incident_id, before in columns_before.items():
        after = _card_columns(conn, incident_id)
        result.cards_brought_back[incident_id] = tuple(sorted(
            quote_id for quote_id in after if after[quote_id] != before.get(quote_id, frozenset())))
    in_source = {new: old for old, new in keys.get("quotes", {}).items()}
    result.cards_brought_back_in_source = {incident_id: tuple(sorted(in_source[quote_id] for quote_id in cards
                                                                     if quote_id in in_source))
                                           for incident_id, cards in result.cards_brought_back.items()}
    yield total, total
    return result


def copy_title(title: str, source_name: str, taken: Container[str]) -> str:
    """A copy's title: the incident's own and where the copy came from, so the list tells it from the incident it
    was copied from (which keeps its title: links and reports name it), numbered when that is taken too."""
    where = f" from {source_name}" if source_name else ""
    candidate, number = f"{title} (copy{where})", 2
    while candidate in taken:
        candidate, number = f"{title} (copy {number}{where})", number + 1
    return candidate


def _card_columns(conn: Connection, incident_id: int) -> dict[int, frozenset[int]]:
    """Each card of the incident with the columns it is in (a person's tags, not suggestions)."""
    columns: dict[int, set[int]] = {}
    for quote_id, tag_id in conn.execute(
            select(Quote.id, TagAssignment.tag_id).join(Conversation, Conversation.id == Quote.conversation_id)
            .outerjoin(TagAssignment, (TagAssignment.quote_id == Quote.id)
                       & TagAssignment.source.in_(EVIDENCE_SOURCES))
            .where(Conversation.incident_id == incident_id)):
        columns.setdefault(quote_id, set()).update(() if tag_id is None else (tag_id,))
    return {quote_id: frozenset(tags) for quote_id, tags in columns.items()}


def _uid_of(snap: snapshot.IncidentSnapshot) -> str | None:
    rows = snap.rows["incident_uids"]
    return str(rows[0]["uid"]) if rows else None


def _free(freed: dict[str, set[int]], replaced: dict[str, list[int]]) -> None:
    """The keys of a replaced incident's rows: free again for the copy's rows (its own, as they were)."""
    for name, ids in replaced.items():
        freed.setdefault(name, set()).update(ids)


def _decide_keys(conn: Connection, parcel: Parcel, matched: dict[str, dict[Any, Any]],
                 missing: dict[str, list[dict[str, Any]]], result: CopyResult,
                 freed: dict[str, set[int]]) -> dict[str, dict[Any, Any]]:
    """Old key -> key on the target for every row to write, table by table (matched tags and customers too).

    Decided for all incidents at once, so one incident's rows cannot take the keys another's would keep.
    freed: per table, the keys of rows this transaction deleted (an incident brought back replaces itself).
    """
    keys = {name: matched[name] | _keys_on_target(conn, Base.metadata.tables[name], [row["id"] for row in rows], result)
            for name, rows in missing.items()}
    keys["customers"].update({same: keys["customers"][first] for same, first in result.same_person.items()})
    for model in snapshot.ORDER:
        table = _table(model)
        if "id" in table.c:
            old = [row["id"] for snap in parcel.incidents for row in snap.rows[table.name]]
            keys[table.name] = _keys_on_target(conn, table, old, result, freed.get(table.name, set()))
    return keys


def _missing_tags(conn: Connection, tags: list[dict[str, Any]], matched: dict[Any, Any],
                  result: CopyResult) -> list[dict[str, Any]]:
    """The tags the target lacks (matched by name); the others' target keys go into matched."""
    by_name = {row.name: row.id for row in conn.execute(select(Tag.id, Tag.name))}
    matched.update({row["id"]: by_name[row["name"]] for row in tags if row["name"] in by_name})
    missing = [row for row in tags if row["name"] not in by_name]
    result.tags_added = sorted(row["name"] for row in missing)
    return missing


def _missing_customers(conn: Connection, customers: list[dict[str, Any]], matched: dict[Any, Any],
                       result: CopyResult) -> list[dict[str, Any]]:
    """The customers the target lacks, one per person (customer_key); the others' target keys go into matched.

    Rows of the source that are the same person as one going in (same key) are kept in result.same_person,
    so their references follow that row once its key on the target is decided.
    """
    there: dict[str, int] = {}
    for person in conn.execute(select(Customer.id, Customer.email, Customer.name).order_by(Customer.id)):
        there.setdefault(customer_key(person.email, person.name), person.id)
    missing: list[dict[str, Any]] = []
    going_in: dict[str, Any] = {}  # key -> source id of the row that will be added for that person
    for row in sorted(customers, key=lambda r: r["id"]):
        key = customer_key(row["email"], row["name"])
        if key in there:
            matched[row["id"]] = there[key]
        elif key in going_in:
            result.same_person[row["id"]] = going_in[key]
        else:
            going_in[key] = row["id"]
            missing.append(row)
    result.customers_matched, result.customers_added = len(matched), len(missing)
    return missing


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: dict[str, dict[Any, Any]],
            result: CopyResult) -> None:
    """Inserts rows under their keys on the target, with every reference following its row's key."""
    if not rows:
        return
    references = {column.name: next(iter(column.foreign_keys)).column.table.name
                  for column in table.columns if column.foreign_keys}
    if "id" in table.c:
        references["id"] = table.name
    # a reference whose rows all kept their keys needs no change per row (the common case: a new target)
    renumbered = {name: referred for name, referred in references.items()
                  if not _kept_as_is(keys.get(referred, {}), (row[name] for row in rows))}
    if renumbered:
        rows = [{**row, **{name: _follow(keys, referred, row[name], bool(table.c[name].nullable))
                           for name, referred in renumbered.items()}} for row in rows]
    conn.execute(table.insert(), [_storable_row(row) for row in rows])
    result.rows[table.name] = result.rows.get(table.name, 0) + len(rows)


def _storable_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its text storable on either engine: a file written before that rule may hold a NUL."""
    return {name: storable(value) if isinstance(value, str) else value for name, value in row.items()}


def _kept_as_is(mapping: dict[Any, Any], values: Iterable[Any]) -> bool:
    """True when every key in mapping stayed the same and every value given is one of them (or None)."""
    return all(old == new for old, new in mapping.items()) and all(v is None or v in mapping for v in values)


def _follow(maps: dict[str, dict[Any, Any]], referred: str, value: Any, nullable: bool) -> Any:
    if value is None:
        return None
    mapped = maps.get(referred, {}).get(value)
    if mapped is None and not nullable:
        raise LookupError(f"a {referred} row {value} is referred to but was not copied")  # a bug, not bad input
    return mapped  # a nullable reference outside what is copied (another incident's import) is dropped


def _keys_on_target(conn: Connection, table: Table, old_ids: list[int], result: CopyResult,
                    freed: Container[int] = ()) -> dict[int, int]:
    """Old key -> key on the target: the same when free there, else a new one above everything in use.

    Free: no row has it, and the table's sequence never handed it out (another client may hold it for a row
    not committed yet), unless this transaction deleted the row that had it (freed)."""
    if not old_ids:
        return {}
    low, high = min(old_ids), max(old_ids)
    taken = set(conn.scalars(select(table.c.id).where(table.c.id.between(low, high))))
    handed_out, sequence = _sequence_state(conn, table)
    mapping = {old: old for old in old_ids if old not in taken and (old > handed_out or old in freed)}
    if table.name in _IN_ORDER and len(mapping) < len(old_ids):
        mapping = {}  # a history's order is its meaning: all of it moves, in order, rather than some of it
    next_id = max(conn.scalar(select(func.max(table.c.id))) or 0, handed_out, high) + 1
    for old in sorted(old_ids) if table.name in _IN_ORDER else old_ids:
        if old not in mapping:
            mapping[old] = next_id
            next_id += 1
    if sequence:  # past every key written now, before any other client asks the sequence for one
        conn.execute(text("SELECT setval(CAST(:seq AS regclass), :value)"),
                     {"seq": sequence, "value": max(next_id - 1, handed_out, 1)})
    kept = sum(1 for old, new in mapping.items() if old == new)
    result.kept_ids[table.name], result.new_ids[table.name] = kept, len(mapping) - kept
    return mapping


def _sequence_state(conn: Connection, table: Table) -> tuple[int, str | None]:
    """On a team workspace: the last key the table's sequence handed out (0: none yet) and its name."""
    if conn.dialect.name != "postgresql":
        return 0, None
    sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
    if sequence is None:
        return 0, None
    last = conn.scalar(text("SELECT pg_sequence_last_value(CAST(:seq AS regclass))"), {"seq": sequence})
    return int(last or 0), str(sequence)


def _put_settings(conn: Connection, settings: list[dict[str, Any]], incident_ids: dict[Any, Any],
                  result: CopyResult) -> None:
    """Per-incident settings under the incident's key on the target, none left there of a deleted incident that had
    the same number (a file numbers its next incident after the highest left)."""
    rows = [{"key": incident_settings.renumbered(row["key"], incident_ids), "value": storable(row["value"])}
            for row in settings]
    for incident_id in incident_ids.values():
        incident_settings.forget(conn, incident_id)
    incident_settings.put_back(conn, rows)
    result.rows[_table(WorkspaceSetting).name] = len(rows)
