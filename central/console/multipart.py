"""A console form sent as ``multipart/form-data`` (a file input), read from memory.

The body has already been bounded and read whole by the app's body limit
(``central.security.body_limit``: the document limit for the upload routes, 1 MiB for the
others), so it is parsed here from bytes with python-multipart's low-level parser: unlike
Starlette's ``Request.form()`` nothing is spooled to a temporary file, so a resident's signed
letter never lands on the centre's disk outside the database.
"""

from __future__ import annotations

import io

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData, Headers, UploadFile

MAX_PARTS = 64
# A text field longer than this is no field of the console's (the longest, an announcement's
# body, is bounded far below); a file part has only the body limit.
MAX_TEXT_BYTES = 64 * 1024


class BadMultipart(ValueError):
    """The body is not a multipart form the console can read."""


class _Collector:
    """The parser's callbacks: each part's headers and bytes, gathered into form fields."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str | UploadFile]] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self._data: list[bytes] = []
        self.complete = False

    def on_part_begin(self) -> None:
        if len(self.fields) >= MAX_PARTS:
            raise BadMultipart("too many parts")
        self._headers, self._data = [], []

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers.append((self._field.lower(), self._value))
        self._field, self._value = b"", b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._data.append(data[start:end])

    def on_end(self) -> None:
        self.complete = True

    def on_part_end(self) -> None:
        headers = dict(self._headers)
        disposition, options = parse_options_header(headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise BadMultipart("a part without a form-data name")
        name = options[b"name"].decode("utf-8", "strict")
        content = b"".join(self._data)
        if b"filename" in options:
            filename = options[b"filename"].decode("utf-8", "replace")
            content_type = headers.get(b"content-type", b"application/octet-stream")
            self.fields.append(
                (
                    name,
                    UploadFile(
                        io.BytesIO(content),
                        size=len(content),
                        filename=filename,
                        headers=Headers({"content-type": content_type.decode("latin-1")}),
                    ),
                )
            )
            return
        if len(content) > MAX_TEXT_BYTES:
            raise BadMultipart("a text field is too long")
        self.fields.append((name, content.decode("utf-8", "strict")))


def parse_multipart(body: bytes, content_type: str) -> FormData:
    """The form's fields (text as ``str``, files as in-memory ``UploadFile``); ``BadMultipart``
    for anything malformed: no boundary, a part without a name, text that is not UTF-8."""
    _kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadMultipart("no boundary")
    collector = _Collector()
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_end",
        )
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except BadMultipart:
        raise
    except ValueError as error:  # the parser's own errors, and text that is not UTF-8
        raise BadMultipart(str(error)) from None
    if not collector.complete:
        raise BadMultipart("the body ends before its closing boundary")
    return FormData(collector.fields)
