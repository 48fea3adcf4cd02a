"""A ZIP part's bytes, inflated on a second thread while the caller scans the chunks before them.

The workbook checks (workbook_safety.py) read every byte of every part before calamine may see
the file: a 100k-row export's sheet is 150 MB of XML. zlib lets go of the GIL while it inflates
and crc32s, and the checks' patterns do not, so inflating the next megabyte while the patterns
search this one puts the two on two cores (on that sheet: 0.26 s of inflating beside 0.36 s of
searching), and the app's process waits idle for the helper meanwhile, so a second core is free.
"""
from __future__ import annotations

import queue
import threading
import zipfile
from collections.abc import Callable, Iterator
from types import TracebackType

_AHEAD = 4  # chunks inflated ahead of the scan: a few megabytes of memory at most
_PATIENCE = 0.05  # how often a waiting inflater looks whether the scan has stopped


class PartStream:
    """``with PartStream(archive, info, first, size) as chunks: for chunk in chunks: …``

    The first chunk holds ``first`` bytes (the XML prolog), the others ``size``; the stream
    ends at the part's declared size, and a part whose bytes or CRC do not match raises what
    zipfile raises, in the caller's thread. Leaving the ``with`` early stops the inflater.
    ``sink``, if given, is handed every chunk on the inflating thread too (checked_copy.py).
    """

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, first: int, size: int,
                 sink: Callable[[bytes], None] | None = None) -> None:
        self._archive, self._info, self._first, self._size, self._sink = archive, info, first, size, sink
        self._chunks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_AHEAD)
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._inflate, name="workbook-part-inflater", daemon=True)

    def __enter__(self) -> Iterator[bytes]:
        self._worker.start()
        return self._read()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        # the archive is closed after this, so the inflater must be gone first
        self._stop.set()
        self._worker.join()

    def _read(self) -> Iterator[bytes]:
        while True:
            item = self._chunks.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item

    def _inflate(self) -> None:
        try:
            with self._archive.open(self._info) as stream:
                size = self._first
                while not self._stop.is_set():
                    chunk = stream.read(size)
                    if chunk and self._sink is not None:
                        self._sink(chunk)
                    self._put(chunk)  # b"" says the part ended
                    if not chunk:
                        return
                    size = self._size
        except BaseException as error:  # raised again in the caller's thread, as its own
            self._put(error)

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=_PATIENCE)
                return
            except queue.Full:
                continue
