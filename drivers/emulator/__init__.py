"""The ESC/POS printer emulator (shipped: ``kiosk printer-emulator`` and the simulated printer)."""

from drivers.emulator.emulator import EmulatedReceipt, PaperState, PrinterEmulator, ReplyMode
from drivers.emulator.inprocess import EmulatorTransport
from drivers.emulator.server import PtyPrinter, TcpPrinterServer

__all__ = [
    "EmulatedReceipt",
    "EmulatorTransport",
    "PaperState",
    "PrinterEmulator",
    "PtyPrinter",
    "ReplyMode",
    "TcpPrinterServer",
]
