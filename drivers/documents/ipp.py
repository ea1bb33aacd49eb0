"""A small IPP/2.0 codec (RFC 8010): the four operations the document printer needs, no more.

Requests are built from typed attributes and encoded to bytes; answers are decoded into
``IppResponse`` with each group's attributes by name. Collections (``media-col-ready`` and the
like) are skipped whole: the driver never asks for them, and a printer that sends them anyway
must not derail the decoder. Every length is checked against what is left of the message, so
a truncated or hostile answer raises ``IppDecodeError`` instead of reading garbage.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field

IPP_VERSION = (2, 0)
CHARSET = "utf-8"
LANGUAGE = "en"


class Operation(enum.IntEnum):
    PRINT_JOB = 0x0002
    CANCEL_JOB = 0x0008
    GET_JOB_ATTRIBUTES = 0x0009
    GET_PRINTER_ATTRIBUTES = 0x000B


class Group(enum.IntEnum):
    OPERATION = 0x01
    JOB = 0x02
    END = 0x03
    PRINTER = 0x04
    UNSUPPORTED = 0x05


class Tag(enum.IntEnum):
    """Value tags (RFC 8010 §3.5.2) the driver sends or reads."""

    UNSUPPORTED = 0x10
    UNKNOWN = 0x12
    NO_VALUE = 0x13
    INTEGER = 0x21
    BOOLEAN = 0x22
    ENUM = 0x23
    OCTET_STRING = 0x30
    DATE_TIME = 0x31
    BEGIN_COLLECTION = 0x34
    TEXT_WITH_LANGUAGE = 0x35
    NAME_WITH_LANGUAGE = 0x36
    END_COLLECTION = 0x37
    TEXT = 0x41
    NAME = 0x42
    KEYWORD = 0x44
    URI = 0x45
    URI_SCHEME = 0x46
    CHARSET = 0x47
    LANGUAGE = 0x48
    MIME_TYPE = 0x49
    MEMBER_NAME = 0x4A


class JobState(enum.IntEnum):
    PENDING = 3
    HELD = 4
    PROCESSING = 5
    STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def finished(self) -> bool:
        return self >= JobState.CANCELED


class PrinterState(enum.IntEnum):
    IDLE = 3
    PROCESSING = 4
    STOPPED = 5


_INTEGER_TAGS = {Tag.INTEGER, Tag.ENUM}
_STRING_TAGS = {
    Tag.TEXT,
    Tag.NAME,
    Tag.KEYWORD,
    Tag.URI,
    Tag.URI_SCHEME,
    Tag.CHARSET,
    Tag.LANGUAGE,
    Tag.MIME_TYPE,
    Tag.MEMBER_NAME,
}
_MAX_NAME = 0x7FFF  # lengths are signed shorts in the wire format

Value = int | bool | str | bytes | None


class IppDecodeError(ValueError):
    """The bytes are not an IPP message (or are cut short)."""


@dataclass(frozen=True)
class Attribute:
    tag: Tag
    name: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class IppRequest:
    operation: Operation
    request_id: int
    operation_attributes: tuple[Attribute, ...]
    job_attributes: tuple[Attribute, ...] = ()


@dataclass
class IppResponse:
    """An answer: ``status`` (< 0x0100 is success) and each group's attributes by name."""

    status: int
    request_id: int
    groups: dict[Group, dict[str, list[Value]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 0x0100

    def first(self, group: Group, name: str) -> Value:
        values = self.groups.get(group, {}).get(name) or [None]
        return values[0]

    def strings(self, group: Group, name: str) -> list[str]:
        return [v for v in self.groups.get(group, {}).get(name, []) if isinstance(v, str)]


def request(
    operation: Operation,
    request_id: int,
    printer_uri: str,
    *more: Attribute,
    job: tuple[Attribute, ...] = (),
) -> IppRequest:
    """A request with the three attributes every operation starts with (RFC 8011 §4.1.4)."""
    head = (
        Attribute(Tag.CHARSET, "attributes-charset", (CHARSET,)),
        Attribute(Tag.LANGUAGE, "attributes-natural-language", (LANGUAGE,)),
        Attribute(Tag.URI, "printer-uri", (printer_uri,)),
    )
    return IppRequest(operation, request_id, head + more, job)


def encode(message: IppRequest) -> bytes:
    parts = [struct.pack(">BBHI", *IPP_VERSION, message.operation, message.request_id)]
    for group, attributes in (
        (Group.OPERATION, message.operation_attributes),
        (Group.JOB, message.job_attributes),
    ):
        if not attributes:
            continue
        parts.append(bytes([group]))
        parts.extend(_encode_attribute(attribute) for attribute in attributes)
    parts.append(bytes([Group.END]))
    return b"".join(parts)


def _encode_attribute(attribute: Attribute) -> bytes:
    out = []
    for index, value in enumerate(attribute.values):
        name = attribute.name.encode("ascii") if index == 0 else b""
        raw = _encode_value(attribute.tag, value)
        if len(name) > _MAX_NAME or len(raw) > _MAX_NAME:
            raise ValueError(f"IPP attribute {attribute.name} is too long")
        out.append(struct.pack(">BH", attribute.tag, len(name)) + name)
        out.append(struct.pack(">H", len(raw)) + raw)
    return b"".join(out)


def _encode_value(tag: Tag, value: Value) -> bytes:
    if tag in _INTEGER_TAGS and isinstance(value, int):
        return struct.pack(">i", value)
    if tag is Tag.BOOLEAN and isinstance(value, bool):
        return b"\x01" if value else b"\x00"
    if tag in _STRING_TAGS and isinstance(value, str):
        return value.encode("utf-8")
    if tag is Tag.NO_VALUE:
        return b""
    raise ValueError(f"cannot encode {value!r} as IPP {tag.name}")


def decode(data: bytes) -> IppResponse:
    """Parse an answer; raise ``IppDecodeError`` when it is not a whole IPP message."""
    reader = _Reader(data)
    _major, _minor, status, request_id = struct.unpack(">BBHI", reader.take(8))
    response = IppResponse(status, request_id)
    current: dict[str, list[Value]] | None = None
    last: list[Value] | None = None
    depth = 0  # inside a collection: skipped
    while True:
        tag = reader.byte()
        if tag < 0x10:  # a delimiter
            if tag == Group.END:
                return response
            if depth:
                raise IppDecodeError("group delimiter inside a collection")
            group = _group(tag)
            current = response.groups.setdefault(group, {}) if group is not None else {}
            last = None
            continue
        name = reader.take(reader.short()).decode("utf-8", "replace")
        raw = reader.take(reader.short())
        if current is None:
            raise IppDecodeError("attribute before any group")
        if tag == Tag.BEGIN_COLLECTION:
            depth += 1
            if depth == 1 and name:
                current[name] = []
                last = None
            continue
        if tag == Tag.END_COLLECTION:
            if depth == 0:
                raise IppDecodeError("end of a collection that never began")
            depth -= 1
            continue
        if depth:
            continue
        value = _decode_value(tag, raw)
        if name:
            last = current.setdefault(name, [])
        elif last is None:
            raise IppDecodeError("additional value without an attribute")
        last.append(value)


def _group(tag: int) -> Group | None:
    try:
        return Group(tag)
    except ValueError:
        return None  # a group this driver does not know: read and dropped


def _decode_value(tag: int, raw: bytes) -> Value:
    if tag in (Tag.INTEGER, Tag.ENUM):
        if len(raw) != 4:
            raise IppDecodeError(f"integer of {len(raw)} bytes")
        return int(struct.unpack(">i", raw)[0])
    if tag == Tag.BOOLEAN:
        if len(raw) != 1:
            raise IppDecodeError(f"boolean of {len(raw)} bytes")
        return raw != b"\x00"
    if tag in _STRING_TAGS:
        return raw.decode("utf-8", "replace")
    if tag in (Tag.NO_VALUE, Tag.UNKNOWN, Tag.UNSUPPORTED):
        return None
    return raw


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def take(self, count: int) -> bytes:
        end = self._at + count
        if count < 0 or end > len(self._data):
            raise IppDecodeError("message cut short")
        chunk = self._data[self._at : end]
        self._at = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def short(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])
