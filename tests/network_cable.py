"""A TCP relay in front of the test cluster that a test can unplug (the server "goes away" for one client) or
hang (the server is there but does not answer).

A client whose URL names the relay's port loses every connection when it is unplugged, and new ones are
refused (nothing listens), exactly as when the server is stopped; a teammate connecting to the server
directly works on. Plugged back in, the same port listens again and the client reconnects by itself.
"""
from __future__ import annotations

import socket
import threading


class NetworkCable:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1"):
        self._upstream = (host, upstream_port)
        self._host = host
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._answering = threading.Event()  # cleared: the server "hangs" (hang, answer)
        self._answering.set()
        self.port = 0
        self.plug()

    def plug(self) -> None:
        """Listens (again) on the relay's port; nothing happens when it is plugged in already."""
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        """Every connection through the relay is cut, and new ones are refused until plug()."""
        listener, self._listener = self._listener, None
        if listener is not None:
            try:  # wakes the accepting thread: a bare close() leaves the port listening while it waits
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._lock:
            cut, self._sockets = self._sockets, set()
        for sock in cut:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def hang(self) -> None:
        """The server stops answering, as one whose process is paused: connections stay open and new ones are
        accepted, but nothing goes through either way until answer()."""
        self._answering.clear()

    def answer(self) -> None:
        """The server answers again: what was held goes through."""
        self._answering.set()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # unplugged
                return
            try:
                server = socket.create_connection(self._upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._answering.wait()
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def through(cable: NetworkCable, team_server, url: str) -> str:
    """url, reached through the cable: its port the relay's, the same login (written to the cluster's pgpass)."""
    with open(team_server.pgpassfile, encoding="utf-8") as pgpass:
        password = pgpass.readline().rstrip("\n").rsplit(":", 1)[1]
    with open(team_server.pgpassfile, "a", encoding="utf-8") as pgpass:
        pgpass.write(f"127.0.0.1:{cable.port}:*:postmortem:{password}\n")
    return url.replace(f":{team_server.port}/", f":{cable.port}/")
