"""A private pcscd with a virtual card reader: the real PC/SC stack, started by the tests.

Used by the pytest fixture and by bench/drivers_card.py. pcscd runs in the foreground (``-f``,
no ``--auto-exit``) with its own reader.conf.d holding one reader entry on a free TCP port, so
it never collides with a vpcd or pcscd someone else runs on the machine.

The reader driver is a choice (``ReaderDriver``): by default our event-driven vpcd-compatible
handler (tests/vcard/ifd, built by ``make vcard-reader``; built here on demand), which tells
pcscd about a card at once; or Debian's vpcd, which pcscd polls every 400 ms. Both speak the
same protocol to tests/vcard/card.py and use the same reader.conf entry and reader name.

pcscd 1.9 always puts its socket in /run/pcscd. When mount namespaces are available (root,
``unshare``) pcscd gets a private /run/pcscd bind-mounted from our temporary directory and the
client library is pointed at it with ``PCSCLITE_CSOCK_NAME``: a system pcscd, if one runs, is
left alone. Without namespaces we use /run/pcscd itself and refuse to start (with a clear
message) when a pcscd is already answering there, rather than kill somebody else's daemon.

libpcsclite reads ``PCSCLITE_CSOCK_NAME`` once, at the first PC/SC call of the process, so
``start()`` must come before any other PC/SC use in the process. The private socket directory
is therefore one per process, shared by every stack it starts (one at a time): a second stack,
e.g. the other reader driver, stays reachable after the first has closed.
"""

from __future__ import annotations

import atexit
import enum
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smartcard import scard

PCSCD = "/usr/sbin/pcscd"
VPCD_LIBRARY = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
REPO = Path(__file__).resolve().parents[2]
EVENTS_SOURCE = REPO / "tests/vcard/ifd/ifd-vpcd-events.c"
EVENTS_LIBRARY = REPO / "build/ifd/libifd-vpcd-events.so"
EVENTS_MAKE_TARGET = "vcard-reader"
SYSTEM_IPC_DIR = Path("/run/pcscd")
READER_BASENAME = "Virtual PCD"


class StackError(RuntimeError):
    """pcscd could not be started, or came up without the virtual reader."""


class ReaderDriver(enum.Enum):
    """Which IFD handler pcscd loads for the virtual reader."""

    EVENTS = "events"  # ours: reports card events, as a CCID reader's interrupt endpoint does
    VPCD = "vpcd"  # Debian's vsmartcard-vpcd: pcscd polls it every 400 ms


def _events_library_fresh() -> bool:
    return (
        EVENTS_LIBRARY.exists() and EVENTS_LIBRARY.stat().st_mtime >= EVENTS_SOURCE.stat().st_mtime
    )


def events_library() -> Path:
    """Our handler, built first (through the Makefile) when missing or older than its source,
    so a plain ``pytest`` works in a fresh clone after ``make venv``."""
    if _events_library_fresh():
        return EVENTS_LIBRARY
    make = shutil.which("make")
    if make is None:
        raise StackError(
            f"{EVENTS_LIBRARY} is missing or stale and `make` is not installed: "
            f"run `make {EVENTS_MAKE_TARGET}`"
        )
    built = subprocess.run(
        [make, "-s", "-C", str(REPO), EVENTS_MAKE_TARGET],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0 or not _events_library_fresh():
        raise StackError(
            f"`make {EVENTS_MAKE_TARGET}` could not build {EVENTS_LIBRARY}:\n"
            f"{(built.stdout + built.stderr)[-2000:]}"
        )
    return EVENTS_LIBRARY


def driver_library(driver: ReaderDriver) -> Path:
    if driver is ReaderDriver.EVENTS:
        return events_library()
    if not VPCD_LIBRARY.exists():
        raise StackError(f"{VPCD_LIBRARY} is missing: install vsmartcard-vpcd (make venv)")
    return VPCD_LIBRARY


@functools.cache
def _process_ipc_dir() -> Path:
    """The private /run/pcscd of this process (see the module docstring), removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="anjungan-pcsc-ipc-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _free_port_pair() -> int:
    """A port p with p and p + 1 both free: vpcd opens one per slot."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise StackError("no two consecutive free TCP ports for vpcd")


def _namespaces_available() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return probe.returncode == 0


def _die_with_parent(command: list[str]) -> list[str]:
    """Have the kernel SIGTERM pcscd when the test process dies (PR_SET_PDEATHSIG, kept across
    the execs to pcscd), so a crashed run never leaves a daemon behind."""
    if shutil.which("setpriv") is None:
        return command
    return ["setpriv", "--pdeathsig", "TERM", "--", *command]


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(1.0)
        try:
            client.connect(str(path))
        except OSError:
            return False
        return True


class PcscStack:
    """Start, restart and stop one pcscd whose only readers are the two virtual slots."""

    _running: PcscStack | None = None  # the one stack of this process with a pcscd up

    def __init__(self, driver: ReaderDriver = ReaderDriver.EVENTS) -> None:
        self.driver = driver
        self.library = driver_library(driver)
        self.workdir = Path(tempfile.mkdtemp(prefix="anjungan-pcsc-"))
        self.port = _free_port_pair()
        self.isolated = _namespaces_available()
        ipc_dir = _process_ipc_dir() if self.isolated else SYSTEM_IPC_DIR
        self.socket_path = ipc_dir / "pcscd.comm"
        self.log_path = self.workdir / "pcscd.log"
        self.last_exit_code: int | None = None  # pcscd's, after stop(); -9 if it was killed
        self._process: subprocess.Popen[bytes] | None = None

    def reader_name(self, slot: int = 0) -> str:
        return f"{READER_BASENAME} 00 {slot:02d}"

    def card_port(self, slot: int = 0) -> int:
        return self.port + slot

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, with_reader: bool = True, timeout: float = 10.0) -> None:
        """Start pcscd; ``with_reader=False`` starts it with no reader (a reader unplugged)."""
        if self.running:
            raise StackError("pcscd is already running")
        other = PcscStack._running
        if other is not None and other is not self and other.running:
            raise StackError(
                "another PcscStack of this process is running: libpcsclite binds a process "
                "to one pcscd socket, so close that one first"
            )
        confdir = self.workdir / ("conf" if with_reader else "conf-empty")
        confdir.mkdir(parents=True, exist_ok=True)
        if with_reader:
            (confdir / "vpcd").write_text(
                f'FRIENDLYNAME "{READER_BASENAME}"\n'
                f"DEVICENAME   /dev/null:0x{self.port:X}\n"
                f"LIBPATH      {self.library}\n"
                f"CHANNELID    0x{self.port:X}\n"
            )
        # --info: the log then says which event path pcscd took for the reader (its own
        # polling thread or the driver's); it never holds APDUs.
        command = [PCSCD, "--foreground", "--info", "--config", str(confdir)]
        if self.isolated:
            self.socket_path.parent.mkdir(parents=True, exist_ok=True)
            SYSTEM_IPC_DIR.mkdir(parents=True, exist_ok=True)  # the mount point
            command = [
                "unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /run/pcscd && exec "$@"', str(self.socket_path.parent),
                *command,
            ]  # fmt: skip
        elif _socket_answers(self.socket_path):
            raise StackError(
                "a pcscd is already running on /run/pcscd and this machine offers no mount "
                "namespace to run a private one: stop it (systemctl stop pcscd.socket "
                "pcscd.service) or run the tests as root"
            )
        os.environ["PCSCLITE_CSOCK_NAME"] = str(self.socket_path)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                _die_with_parent(command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        PcscStack._running = self
        self._wait_ready(with_reader, timeout)

    def stop(self, timeout: float = 5.0, sig: signal.Signals = signal.SIGTERM) -> None:
        """Signal pcscd, and SIGKILL it if it has not exited within ``timeout`` (then
        ``last_exit_code`` is -9). SIGTERM makes pcscd exit at once; SIGINT makes it shut
        every reader down first (stop its event thread, close the driver's channel), so a
        reader driver that blocks shutdown shows as -9."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        self.last_exit_code = process.returncode

    def restart(self, with_reader: bool = True) -> None:
        self.stop()
        self.start(with_reader=with_reader)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def readers(self) -> list[str]:
        """Reader names as a PC/SC client sees them now (empty when pcscd does not answer)."""
        rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if rc != scard.SCARD_S_SUCCESS:
            return []
        try:
            rc, readers = scard.SCardListReaders(context, [])
            return list(readers) if rc == scard.SCARD_S_SUCCESS else []
        finally:
            scard.SCardReleaseContext(context)

    def wait_empty(self, slot: int = 0, timeout: float = 10.0) -> None:
        """Block until pcscd itself sees no card in ``slot``: tests start from a clean reader."""
        rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if rc != scard.SCARD_S_SUCCESS:
            return  # no pcscd, no card
        try:
            states = [(self.reader_name(slot), scard.SCARD_STATE_UNAWARE)]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                rc, found = scard.SCardGetStatusChange(context, 200, states)
                if rc == scard.SCARD_S_SUCCESS:
                    if found[0][1] & scard.SCARD_STATE_EMPTY:
                        return
                    states = [(found[0][0], found[0][1] & ~scard.SCARD_STATE_CHANGED)]
                elif rc != scard.SCARD_E_TIMEOUT:
                    return  # reader gone: nothing left in it
            raise StackError(f"a card is still in {self.reader_name(slot)!r} after {timeout} s")
        finally:
            scard.SCardReleaseContext(context)

    def _wait_ready(self, with_reader: bool, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise StackError(f"pcscd exited at start; see {self.log_path}")
            answering = self.socket_path.exists() and _socket_answers(self.socket_path)
            if answering and (not with_reader or self.reader_name(0) in self.readers()):
                return
            time.sleep(0.05)
        self.stop()
        raise StackError(
            f"pcscd did not list {self.reader_name(0)!r} within {timeout:.0f} s (see "
            f"{self.log_path}); if this process used PC/SC before start(), the client "
            "library is bound to another pcscd socket"
        )


@contextmanager
def process_stack() -> Iterator[PcscStack]:
    """pcscd with our event-driven virtual reader, one per process: libpcsclite binds a process
    to the first pcscd it talks to, so a stack that earlier tests left running is used as it is
    (and left for them to stop); otherwise one is started here and stopped on exit."""
    running = PcscStack._running
    if running is not None and running.running:
        yield running
        return
    stack = PcscStack(ReaderDriver.EVENTS)
    stack.start()
    try:
        yield stack
    finally:
        stack.close()
