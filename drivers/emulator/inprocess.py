"""The ``simulated`` printer's connection: bytes go straight into an in-process emulator.

No socket, same parser: whatever works against the simulated printer works against the TCP
emulator and, as far as the emulator is faithful, against a real printer.
"""

from __future__ import annotations

from drivers.emulator.emulator import PrinterEmulator


class EmulatorTransport:
    """A ``drivers.printer.transport.Transport`` backed by ``PrinterEmulator.feed``."""

    def __init__(self, emulator: PrinterEmulator) -> None:
        self.emulator = emulator
        self._replies = bytearray()
        self._open = False

    def describe(self) -> str:
        return "simulated printer"

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        if self._open:
            self._open = False
            self._replies.clear()
            self.emulator.connection_closed()

    def write(self, data: bytes) -> None:
        if not self._open:
            raise ConnectionError("simulated printer is closed")
        self._replies += self.emulator.feed(data)

    def read(self, timeout: float) -> bytes:
        """Replies are ready as soon as ``write`` returns, so silence needs no waiting."""
        reply = bytes(self._replies)
        self._replies.clear()
        return reply

    def discard_input(self) -> None:
        self._replies.clear()
