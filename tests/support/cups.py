"""A real CUPS with a virtual IPP Everywhere printer, both on loopback, for the document
printer's tests: ``ippeveprinter`` (cups-ipp-utils) is the printer, a ``cupsd`` started in a
temporary folder holds a driverless queue (``lpadmin -m everywhere``) that prints to it.

ippeveprinter will not start without a D-Bus system bus for its DNS-SD client (even with
``-r off``), so a private ``dbus-daemon`` runs beside it. Its web form (``/media``) sets the
tray's sheet count: 0 makes it report ``media-empty``, as a printer with an empty tray does.
Everything lives in one folder this rig creates and removes; when the tests run as root,
cupsd runs its filters and backend as ``lp``, so the folder is world-readable (it holds only
the test PDFs).
"""

from __future__ import annotations

import grp
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from central.commands.process import free_port

START_TIMEOUT_S = 15.0
QUEUE = "anjungan-a4"
A4 = "iso_a4_210x297mm"
FULL_TRAY = 250


def printer_job_id(path: Path) -> int:
    """ippeveprinter names a received file ``<job id>-<job name>.<ext>``."""
    return int(path.name.split("-")[0])


def _wait_until(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT_S:.0f} s")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class CupsRig:
    """Start with ``start()``, stop with ``stop()``; the URIs are valid in between."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="anjungan-cups-")))
    printer_port: int = field(default_factory=free_port)
    cups_port: int = field(default_factory=free_port)
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def printer_uri(self) -> str:
        """The virtual printer itself (what ``status_uri`` names)."""
        return f"ipp://localhost:{self.printer_port}/ipp/print"

    @property
    def queue_uri(self) -> str:
        """The CUPS queue (what the kiosk prints to)."""
        return f"ipp://127.0.0.1:{self.cups_port}/printers/{QUEUE}"

    @property
    def spool_dir(self) -> Path:
        return self.root / "printer-spool"

    def received(self) -> list[Path]:
        """The PDFs the virtual printer received (printed or not), oldest first; each is
        named after the printer's job id (``printer_job_state``)."""
        return sorted(self.spool_dir.glob("*.pdf"), key=printer_job_id)

    def printer_job_state(self, job_id: int) -> int:
        """The printer's own ``job-state`` of its job ``job_id`` (9: completed: on paper)."""
        from drivers.documents.ipp import Attribute, Group, Operation, Tag, request
        from drivers.documents.transport import HttpIpp

        answer = HttpIpp().send(
            self.printer_uri,
            request(
                Operation.GET_JOB_ATTRIBUTES,
                1,
                self.printer_uri,
                Attribute(Tag.INTEGER, "job-id", (job_id,)),
            ),
        )
        state = answer.first(Group.JOB, "job-state")
        if not isinstance(state, int):
            raise RuntimeError(f"the printer knows no job {job_id}")
        return state

    def start(self) -> CupsRig:
        for name in ("printer-spool", "conf", "spool", "cache", "state", "tmp", "log"):
            (self.root / name).mkdir()
        for path in [self.root, *self.root.iterdir()]:
            path.chmod(0o755)
        try:
            self._start_printer()
            self._start_cupsd()
            subprocess.run(
                ["lpadmin", "-h", f"127.0.0.1:{self.cups_port}", "-p", QUEUE, "-E",
                 "-v", self.printer_uri, "-m", "everywhere"],
                check=True, capture_output=True, timeout=START_TIMEOUT_S,
            )  # fmt: skip
            self.set_sheets(FULL_TRAY)
            self._wait_for_the_queue()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def _fault_file(self) -> Path:
        return self.root / "tmp" / "fault"

    def _write_print_command(self) -> Path:
        """ippeveprinter's print command: done at once, unless a fault is set (``fault``),
        which it reports (``STATE: +reason``, relayed by CUPS) for as long as it lasts, then
        fails the job, as a jammed printer does."""
        command = self.root / "conf" / "print-command"
        command.write_text(
            "#!/bin/sh\n"
            f'fault="{self._fault_file}"\n'
            'if [ -s "$fault" ]; then\n'
            '  reason=$(cat "$fault")\n'
            '  echo "STATE: +$reason" >&2\n'
            '  while [ -s "$fault" ]; do sleep 0.1; done\n'
            '  echo "STATE: -$reason" >&2\n'
            "  exit 1\n"
            "fi\n"
        )
        command.chmod(0o755)
        return command

    def fault(self, reason: str | None) -> None:
        """From the next job on, the printer reports ``reason`` (e.g. ``media-jam``) while it
        prints, and fails the job; ``None`` clears it (and ends a job held by it)."""
        self._fault_file.write_text(reason or "")

    def _start_printer(self) -> None:
        bus = self.root / "tmp" / "system_bus"
        dbus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={bus}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._processes.append(dbus)
        _wait_until(bus.exists, "dbus-daemon", dbus)
        printer = subprocess.Popen(
            ["ippeveprinter", "-r", "off", "-n", "localhost", "-p", str(self.printer_port),
             "-d", str(self.spool_dir), "-k", "-f", "application/pdf",
             "-c", str(self._write_print_command()),
             "Anjungan A4"],
            env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus}"},
            stdout=subprocess.DEVNULL, stderr=(self.root / "log" / "ippeveprinter").open("wb"),
        )  # fmt: skip
        self._processes.append(printer)
        _wait_until(lambda: _listening(self.printer_port), "ippeveprinter", printer)

    def _start_cupsd(self) -> None:
        conf = self.root / "conf"
        (conf / "cups-files.conf").write_text(
            f"ServerRoot {conf}\nRequestRoot {self.root / 'spool'}\n"
            f"CacheDir {self.root / 'cache'}\nStateDir {self.root / 'state'}\n"
            f"TempDir {self.root / 'tmp'}\nErrorLog {self.root / 'log' / 'error_log'}\n"
            f"AccessLog {self.root / 'log' / 'access_log'}\n"
            f"PageLog {self.root / 'log' / 'page_log'}\n"
            f"SystemGroup {grp.getgrgid(os.getgid()).gr_name}\nSandboxing Relaxed\n"
        )
        (conf / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.cups_port}\nLogLevel info\nWebInterface No\n"
            "Browsing No\nDefaultAuthType None\nPreserveJobFiles No\nPreserveJobHistory Yes\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        cupsd = subprocess.Popen(
            ["cupsd", "-f", "-c", str(conf / "cupsd.conf"), "-s", str(conf / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=(self.root / "log" / "cupsd").open("wb"),
        )  # fmt: skip
        self._processes.append(cupsd)
        _wait_until(lambda: _listening(self.cups_port), "cupsd", cupsd)

    def _wait_for_the_queue(self) -> None:
        """Until the new queue has its IPP Everywhere driver. For a moment after ``lpadmin``
        returns, cupsd holds the queue as a "Local Raw Printer" (already accepting jobs and
        listing PDF) before it applies the generated PPD; a job sent then is aborted
        ("Unable to convert file 0 to printable format": once in a CI run)."""
        from drivers.documents.ipp import Attribute, Group, Operation, Tag, request
        from drivers.documents.transport import HttpIpp

        def has_its_driver() -> bool:
            answer = HttpIpp().send(
                self.queue_uri,
                request(
                    Operation.GET_PRINTER_ATTRIBUTES,
                    1,
                    self.queue_uri,
                    Attribute(Tag.KEYWORD, "requested-attributes", ("printer-make-and-model",)),
                ),
            )
            model = answer.strings(Group.PRINTER, "printer-make-and-model")
            return bool(model) and model[0] not in ("", "Local Raw Printer")

        _wait_until(has_its_driver, "the CUPS queue", self._processes[-1])

    def set_sheets(self, sheets: int) -> None:
        """Load the main tray with ``sheets`` A4 sheets (0: the printer reports media-empty)."""
        query = f"size1={A4}&type1=stationery&level1={sheets}&size3=&type3=&level3=-2"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.printer_port}/media?{query}", timeout=5
        ) as reply:
            if b"Media updated" not in reply.read():
                raise RuntimeError("ippeveprinter did not take the media update")

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
        for process in reversed(self._processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def letter_pdf(marker: str) -> bytes:
    """A one-page A4 PDF whose page says ``marker`` (to find it again after CUPS's filters)."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 14 Tf 72 760 Td ({marker}) Tj ET".encode())
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def pdf_says(path: Path, marker: str) -> bool:
    """Whether any content stream of the PDF at ``path`` draws ``marker`` (CUPS's pdftopdf
    may move a page's content into a form XObject, so every stream is read)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and marker.encode() in obj.read_bytes():
                return True
    return False
