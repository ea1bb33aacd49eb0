"""Whether an upload really is the document it claims to be, by decoding it.

A magic number only says how a file starts: three bytes ``FF D8 FF``, a truncated photo, or
an HTML page or a program that begins with ``%PDF-`` all passed it. Images are decoded in
full (Pillow; a truncated one fails), PDFs are parsed by qpdf (pikepdf) without its repair
mode, so a damaged cross-reference table fails, and a PDF that carries active content
(JavaScript, launch actions, embedded files) is refused: an operator opens these files.
"""

from __future__ import annotations

import io
import warnings

import pikepdf
from PIL import Image

from central.errors import ApiError

# A 300 dpi A4 scan is 8.7 megapixels and a phone photo 12-50; past this a small file would
# decode to hundreds of megabytes (a decompression bomb).
MAX_IMAGE_PIXELS = 60_000_000
# PDF name keys that make a viewer run or open something.
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"})
# Direct objects nested deeper than this are refused (real PDFs nest a handful of levels).
MAX_PDF_NESTING = 32
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def unreadable(content_type: str) -> ApiError:
    return ApiError(
        422,
        "document_unreadable",
        "Berkas rusak atau tidak lengkap. Pindai atau foto ulang.",
        "The file is damaged or incomplete. Scan or photograph it again.",
        {"declared": content_type},
    )


def active_content() -> ApiError:
    return ApiError(
        422,
        "document_active_content",
        "PDF berisi skrip atau lampiran dan tidak diterima.",
        "The PDF contains scripts or attachments and is not accepted.",
    )


def check_image(content_type: str, content: bytes) -> None:
    """Decodes every pixel; the format must be the declared one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[_PIL_FORMATS[content_type]]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise unreadable(content_type)
                image.load()
    except ApiError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise unreadable(content_type) from None


def check_pdf(content: bytes) -> None:
    """Parses the whole structure (no repair) and looks at every object for active content."""
    try:
        with pikepdf.open(io.BytesIO(content), attempt_recovery=False) as pdf:
            if len(pdf.pages) == 0:
                raise unreadable("application/pdf")
            for obj in pdf.objects:
                if _holds_active(obj, MAX_PDF_NESTING):
                    raise active_content()
    except ApiError:
        raise
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise unreadable("application/pdf") from None


def _holds_active(obj: pikepdf.Object, depth: int) -> bool:
    """Whether ``obj`` or a direct object nested in it is active. An action written inline
    (``/OpenAction << /S /JavaScript … >>`` in the catalog) is no object of its own, so
    looking at indirect objects alone missed it; indirect children are visited by the
    caller's loop over every object."""
    if depth < 0:
        return True  # deeper than any real document nests: refuse rather than skip
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        if _is_active(obj):
            return True
        children = list(obj.values())
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    return any(
        _holds_active(child, depth - 1)
        for child in children
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
    )


def _is_active(obj: pikepdf.Dictionary | pikepdf.Stream) -> bool:
    if any(key in _ACTIVE_KEYS for key in obj.keys()):  # noqa: SIM118 - pikepdf's keys()
        return True
    action = obj.get("/S")
    return isinstance(action, pikepdf.Name) and str(action) in _ACTIVE_KEYS


def check_content(content_type: str, content: bytes) -> None:
    """Refuses (422) content that does not decode as ``content_type`` or carries scripts."""
    if content_type == "application/pdf":
        check_pdf(content)
    else:
        check_image(content_type, content)
