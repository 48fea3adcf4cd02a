"""The helper side of a parallel import: read the file, map and plan its rows, send them on.

Runs in the helper process that services/import_pipeline.py starts (``python -m`` this module,
or the frozen app with --import-helper). It imports nothing heavy (no SQLAlchemy, no Qt), and
it is started as a plain subprocess rather than with multiprocessing, whose spawn re-imports the
parent's main module (the whole app): ~0.1 s to start instead of ~0.5 s.

It is also where untrusted workbooks are parsed at all, for the preview too (a SheetJob): the
checks in importers/workbook_safety.py refuse the bombs they know, and whatever gets past them
meets this process's memory cap (set here, from the importer's MEMORY_CAP_VARIABLE) and the
importer's time cap, so it costs a refused file, never the app.
"""
from __future__ import annotations

import gc
import marshal
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from ..domain.progress import EstimatedTotal
from ..importers.sheet_reader import read_sheet  # before the job comes: a waiting helper has it ready

if TYPE_CHECKING:
    from ..importers.field_mapping import FieldMapping
    from .ticket_plan import PlanChunk, PlanState, TicketPlanner

# Mapping and planning (field_mapping, vendors, ticket_plan) are imported where an import uses
# them: a helper that only reads a workbook for the preview starts ~0.15 s sooner without them.

FIRST_CHUNK_ROWS = 1000
GROUPED_BLOCK = 200  # a message-level dump's conversations planned at a time: ~1,000 messages, a first chunk
MEMORY_CAP_VARIABLE = "POSTMORTEM_HELPER_MEMORY_BYTES"  # the address space the helper may use


@dataclass
class FileJob:
    """Everything the helper needs: plain, picklable values."""

    path: str
    preset_json: str | None = None  # a saved mapping, resolved against the file's own header
    mapping_json: str | None = None  # the mapping the person chose in the dialog
    day_order: str | None = None
    timezone: str | None = None
    orders: dict | None = None  # day order per date field, when a full read already settled it
    whole_text: bool = False  # decode a text file whole before reading it (see stream_sheet)
    has_header: bool | None = None  # the person's answer to "is the first row a header?"; None: the file says
    choices: tuple[str, ...] = ()  # the person's own FIELD=COLUMN choices (--map), over the preset or the guess


@dataclass
class SheetJob:
    """Read a whole sheet (for the mapping dialog's preview) and send it back as one Sheet."""

    path: str


def produce(job: FileJob, state: Callable[[], PlanState], send: Callable[[tuple], None]) -> None:
    """Reads, maps and plans the whole file, handing each message to ``send``. Runs in the helper.

    ``state`` is asked for only when the first row is planned: the importer reads it inside
    its transaction while the helper is already reading the file. When the file turns out to
    need reading differently (a later byte that is not UTF-8, a day order the first rows did
    not show), the last message says how, and the importer starts again from nothing.
    """
    from ..importers.sheet_stream import NotUtf8

    try:
        changes = _produce(job, state, send)
    except NotUtf8:
        changes = {"whole_text": True}
    if changes:
        send(("read again", changes))


def _produce(job: FileJob, state: Callable[[], PlanState], send: Callable[[tuple], None]) -> dict | None:
    from ..importers.field_mapping import StreamedMapping
    from ..importers.sheet_stream import stream_sheet
    from ..importers.vendors import recognise_vendor
    from .ticket_plan import CHUNK_ROWS, TicketPlanner

    stream = stream_sheet(job.path, whole_text=job.whole_text, has_header=job.has_header)
    head = stream.head
    mapping = _mapping_for(job, head)
    streamed = StreamedMapping(head.header, mapping, head, job.orders)
    send(("plan", (recognise_vendor(head.header, head.rows).vendor, head.encoding, head.delimiter,
                   mapping.describe(head.header), head.lines_not_utf8, head.lines_not_utf8_read_as,
                   head.lines_not_utf8_where)))
    planner = TicketPlanner(state())
    chunk_rows = FIRST_CHUNK_ROWS  # a small first chunk sets the writer going sooner
    for block in _planned_blocks(streamed, stream.rows, mapping):
        planner.add_many(block)
        if planner.pending >= chunk_rows:
            send(("chunk", (_plain(planner.take_chunk()), _progress(planner, stream))))
            chunk_rows = CHUNK_ROWS
    orders = streamed.orders_to_read_again()
    if orders is not None:
        return {"orders": orders}
    send(("chunk", (_plain(planner.take_chunk()), _progress(planner, stream))))
    send(("open quotes", head.open_quotes))  # found as the rows streamed (importers/open_quotes.py)
    send(("done", planner.result))
    return None


def _planned_blocks(streamed, numbered, mapping: FieldMapping) -> Iterator[list]:  # noqa: ANN001
    """The mapped rows a block at a time; a message-level dump's only once the whole file is read,
    grouped into conversations (importers/message_dump.py), since any row may belong to any thread."""
    from ..importers.message_dump import MessageRows, is_message_level

    if not is_message_level(mapping):
        yield from streamed.blocks(numbered)
        return
    collector = MessageRows(streamed.header, mapping)
    for block in streamed.blocks(collector.tap(numbered)):
        collector.add(block)
    # conversations made a block at a time, so the importer writes the first while the rest are made;
    # as Threads, which the planner turns into rows without a ParsedMessage per message
    conversations = collector.threads()
    while block := list(islice(conversations, GROUPED_BLOCK)):
        yield block
    yield collector.skipped()


def _plain(chunk: PlanChunk) -> tuple[list, list, list, list]:
    # plain lists cross the pipe a little faster than the dataclass around them
    return chunk.customers, chunk.conversations, chunk.messages, chunk.message_ids


def _progress(planner: TicketPlanner, stream) -> tuple[int, EstimatedTotal | None]:  # noqa: ANN001
    """(rows planned, rows the file probably holds): the stream's own count or estimate of its rows."""
    rows = planner.result.rows_read
    _handed, total = stream.progress()
    if total is None:
        return rows, None
    # to the hundred, and marked as an estimate (shown as "about"): the exact count comes with "done"
    return rows, EstimatedTotal(max(rows, round(total, -2)))


def _mapping_for(job: FileJob, head) -> FieldMapping:  # noqa: ANN001
    from ..importers.field_mapping import FieldMapping
    from ..importers.vendors import recognise_vendor

    if job.mapping_json is not None:
        mapping = FieldMapping.from_json(job.mapping_json, head.header)
    elif job.preset_json is not None:
        mapping = FieldMapping.from_json(job.preset_json, head.header)
    else:
        mapping = recognise_vendor(head.header, head.rows).mapping
    if job.choices:
        from ..importers.mapping_choices import apply_choices

        mapping = apply_choices(mapping, head.header, job.choices)
    if job.day_order:
        mapping.day_order = job.day_order
    if job.timezone:
        mapping.timezone = job.timezone
    return mapping


# ---------------------------------------------------------------------------- the process

# Messages cross the pipes as frames: an 8-byte little-endian length, then a pickle.
FRAME_HEAD_BYTES = 8


def packed_rows(message: tuple) -> tuple:
    """A chunk message with its rows marshalled, for the frame that carries it to the importer.

    The rows are plain tuples of str, int and None, which marshal writes and reads a third faster
    than pickle (100k messages' rows: 0.13 s -> 0.08 s here, 0.10 s -> 0.06 s in the importer, both
    on the import's critical path). A value marshal cannot write leaves the rows to the pickle.
    """
    kind, payload = message
    if kind != "chunk":
        return message
    rows, progress = payload
    try:
        return kind, (marshal.dumps(rows), progress)
    except ValueError:  # not a plain value (a str subclass, say): the pickle carries it as it is
        return message


def unpacked_rows(message: tuple) -> tuple:
    """packed_rows undone, on the importer's side."""
    kind, payload = message
    if kind == "chunk" and isinstance(payload[0], bytes):
        return kind, (marshal.loads(payload[0]), payload[1])
    return message


def write_frame(stream, message: object) -> None:  # noqa: ANN001
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(FRAME_HEAD_BYTES, "little"))
    stream.write(data)
    stream.flush()


def read_frame(stream) -> bytes | None:  # noqa: ANN001
    """One frame's pickle, or None at the end of the stream."""
    head = stream.read(FRAME_HEAD_BYTES)
    if len(head) < FRAME_HEAD_BYTES:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    return data if len(data) == size else None


def cap_memory() -> None:
    """Caps this process's address space where the OS can (POSIX): an allocation past it fails
    here, as a MemoryError or calamine's abort, and the importer refuses the file."""
    value = os.environ.get(MEMORY_CAP_VARIABLE)
    if not value:
        return
    try:
        import resource
    except ImportError:  # Windows: the time cap still holds
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def main() -> int:
    """The helper process: a job frame (then, for a FileJob, a state frame) on stdin, message frames on stdout."""
    gc.disable()
    cap_memory()
    # Frames go to a private copy of fd 1, and fd 1 itself now points at stderr: a stray print
    # from any library lands in the log instead of corrupting the frames the importer reads.
    stdin, stdout = os.fdopen(0, "rb", closefd=False), os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # Run with -m, this module is __main__; the job was pickled with the package's own classes.
    from . import import_helper as package_module

    data = read_frame(stdin)
    if data is None:
        return 2
    job = pickle.loads(data)

    def state() -> PlanState:
        frame = read_frame(stdin)
        if frame is None:
            raise SystemExit(3)  # the importer gave up before sending it (an error, or Cancel)
        return pickle.loads(frame)

    parent = os.getppid()

    def send(message: tuple) -> None:
        if os.getppid() != parent:  # the app was killed: nobody will read this import
            raise SystemExit(4)
        write_frame(stdout, packed_rows(message))

    try:
        if isinstance(job, package_module.SheetJob):
            send(("sheet", read_sheet(job.path)))
        else:
            produce(job, state, send)
    except Exception as error:  # every failure goes back to the importer, which rolls back
        try:
            write_frame(stdout, ("error", error))
        except Exception:
            write_frame(stdout, ("crash", traceback.format_exc()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
