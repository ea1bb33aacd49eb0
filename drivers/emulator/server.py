"""Put the emulator on the wire: a TCP port like a network printer, or a pty like a COM port.

Every socket and pty read has a short timeout so ``stop()`` always returns; a connection that
breaks ends its receipt and never takes the server down.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import tty

from drivers.emulator.emulator import PrinterEmulator
from drivers.threads import ServiceThread

log = logging.getLogger(__name__)

_POLL = 0.2
"""How often blocked loops look at the stop flag."""


class TcpPrinterServer:
    """Raw printing on TCP (JetDirect style, default port 9100); port 0 picks a free one."""

    def __init__(
        self, emulator: PrinterEmulator, host: str = "127.0.0.1", port: int = 9100
    ) -> None:
        self.emulator = emulator
        self._address = (host, port)
        self._listener: socket.socket | None = None
        self._accept = ServiceThread("printer-emulator-accept", self._accept_loop, self._crashed)
        self._connections: set[threading.Thread] = set()
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def port(self) -> int:
        if self._listener is None:
            return self._address[1]
        return int(self._listener.getsockname()[1])

    def start(self) -> TcpPrinterServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(self._address)
        listener.listen(8)
        listener.settimeout(_POLL)
        self._listener = listener
        self._accept.start()
        return self

    def stop(self) -> None:
        self._accept.stop()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            threads = list(self._connections)
        for thread in threads:
            thread.join(2 * _POLL + 1)

    def __enter__(self) -> TcpPrinterServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _crashed(self, exc: BaseException) -> None:
        log.error("printer emulator accept loop failed: %s", exc)

    def _accept_loop(self, stopping: threading.Event) -> None:
        assert self._listener is not None
        while not stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if stopping.is_set():
                    return
                raise
            thread = threading.Thread(
                target=self._serve, args=(conn, stopping), name="printer-emulator-conn", daemon=True
            )
            with self._lock:
                self._connections.add(thread)
            thread.start()

    def _serve(self, conn: socket.socket, stopping: threading.Event) -> None:
        conn.settimeout(_POLL)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while not stopping.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                reply = self.emulator.feed(data)
                if reply:
                    conn.sendall(reply)
        except OSError as err:
            log.info("printer emulator connection ended: %s", err)
        finally:
            conn.close()
            self.emulator.connection_closed()
            with self._lock:
                self._connections.discard(threading.current_thread())


class PtyPrinter:
    """A pseudo-terminal whose slave end (``slave_path``) behaves like a serial printer."""

    def __init__(self, emulator: PrinterEmulator) -> None:
        self.emulator = emulator
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no CR/LF mangling: bytes pass as on a real line
        self.slave_path = os.ttyname(self._slave)
        self._thread = ServiceThread("printer-emulator-pty", self._loop, self._crashed)

    def start(self) -> PtyPrinter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._thread.stop()
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> PtyPrinter:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _crashed(self, exc: BaseException) -> None:
        log.error("printer emulator pty loop failed: %s", exc)

    def _loop(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            readable, _, _ = select.select([self._master], [], [], _POLL)
            if not readable:
                continue
            data = os.read(self._master, 65536)
            reply = self.emulator.feed(data)
            if reply:
                os.write(self._master, reply)
