"""kiosk scan detect|capture: the document-capture pipeline on photos from disk.

For technicians checking a camera set-up and for scripting: detect prints the page outline
of each photo, capture turns one photo into an upload-ready PDF or JPEG.

Exit codes: 0 done (every photo has a page); 1 no usable page in at least one photo (capture
writes nothing); 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.capture.detect import Detection, PageDetector
from kiosk.capture.enhance import Mode
from kiosk.capture.guidance import GUIDANCE, Code
from kiosk.capture.loading import LoadError, load
from kiosk.capture.output import Format, TooLarge
from kiosk.capture.pipeline import CaptureConfig, CaptureResult, capture

EXIT_OK, EXIT_NO_PAGE, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = subparsers.add_parser("scan", help="find, flatten and check documents in photos",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = scan.add_subparsers(dest="scan_command", metavar="ACTION", required=True)
    det = sub.add_parser("detect", help="print the page outline found in each photo")
    det.add_argument("images", nargs="+", metavar="IMAGE")
    det.add_argument("--json", action="store_true", help="one JSON object per line")
    det.set_defaults(handler=_detect)
    cap = sub.add_parser("capture", help="turn a photo of a document into a PDF or JPEG")
    cap.add_argument("image", metavar="IMAGE")
    cap.add_argument("--out", required=True, type=Path,
                     help="output file; .pdf, .jpg or .jpeg decides the format")
    cap.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.COLOUR.value)
    cap.add_argument("--max-mb", type=float, default=2.0, help="upload size cap (default 2)")
    cap.add_argument("--px-per-mm", type=float, default=None,
                     help="camera scale at the tray, if calibrated (settles sizes)")
    cap.add_argument("--force", action="store_true",
                     help="write the page even when quality checks fail")
    cap.add_argument("--json", action="store_true", help="print the result as JSON")
    cap.set_defaults(handler=_capture)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kiosk scan`` on its own (tests, and before the full CLI can import)."""
    parser = argparse.ArgumentParser(prog="kiosk")
    register(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return int(exc.code or 0)
    code: int = args.handler(args)
    return code


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _detect(args: argparse.Namespace) -> int:
    detector = PageDetector()
    status = EXIT_OK
    for name in args.images:
        try:
            image = load(name)
        except LoadError as err:
            status = EXIT_BAD_INPUT
            _err(f"{name}: {err}")
            if args.json:
                _out(json.dumps({"file": name, "quad": None, "confidence": 0.0,
                                 "reason": "bad_input", "error": str(err)}))
            continue
        found = detector.detect(image)
        if found.quad is None and status == EXIT_OK:
            status = EXIT_NO_PAGE  # a bad input elsewhere (exit 2) outranks a missing page
        if args.json:
            _out(json.dumps({"file": name, **found.as_json()}))
        else:
            _out(_describe(name, found))
    return status


def _describe(name: str, found: Detection) -> str:
    if found.quad is None:
        return f"{name}: no page ({found.reason}) - {GUIDANCE[Code(found.reason)]['en']}"
    corners = " ".join(f"({x:.1f},{y:.1f})" for x, y in found.quad)
    return f"{name}: page {corners} confidence {found.confidence:.2f}"


def _capture(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".jpg", ".jpeg"):
        _err(f"{args.out}: the output must end in .pdf, .jpg or .jpeg")
        return EXIT_BAD_INPUT
    if args.max_mb <= 0:
        _err("--max-mb must be positive")
        return EXIT_BAD_INPUT
    try:
        image = load(args.image)
    except LoadError as err:
        _err(f"{args.image}: {err}")
        return EXIT_BAD_INPUT
    config = CaptureConfig(mode=Mode(args.mode),
                           format=Format.PDF if suffix == ".pdf" else Format.JPEG,
                           max_bytes=int(args.max_mb * 1024 * 1024), px_per_mm=args.px_per_mm)
    try:
        result = capture(image, config)
    except TooLarge as err:
        _err(f"{args.image}: {err}")
        return EXIT_NO_PAGE
    keep = result.encoded is not None and (result.ok or args.force)
    if keep:
        assert result.encoded is not None
        try:
            _write_atomically(args.out, result.encoded.data)
        except OSError as err:
            _err(f"{args.out}: cannot write: {err.strerror or err}")
            return EXIT_BAD_INPUT
    report = _report(args.image, args.out if keep else None, result)
    if args.json:
        _out(json.dumps(report))
    else:
        for code in result.issues:
            _err(f"{args.image}: {code}: {GUIDANCE[code]['en']} / {GUIDANCE[code]['id']}")
        if keep:
            _out(f"{args.out}: {report['width']}x{report['height']} px at {report['dpi']} dpi"
                 f" ({report['format_name'] or 'unknown format'}), {report['bytes']} bytes")
    return EXIT_OK if keep else EXIT_NO_PAGE


def _report(name: str, out: Path | None, result: CaptureResult) -> dict[str, Any]:
    enc, flat = result.encoded, result.rectified
    return {
        "file": name,
        "out": None if out is None else str(out),
        **result.detection.as_json(),
        "issues": [{"code": str(c), **GUIDANCE[c]} for c in result.issues],
        "format_name": None if flat is None or flat.size is None else flat.size.name,
        "dpi": None if enc is None else round(enc.dpi, 1),
        "width": None if enc is None else enc.width,
        "height": None if enc is None else enc.height,
        "bytes": None if enc is None else len(enc.data),
    }


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to ``path`` then rename: a failure never leaves half a file behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
