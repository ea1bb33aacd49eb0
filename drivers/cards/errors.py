"""The project's own card-reader exceptions; the library's error is kept as ``__cause__``."""

from __future__ import annotations

from drivers.base import DeviceError


class CardReaderError(DeviceError):
    """Base of every card-reader failure."""


class ReaderGone(CardReaderError):
    """No usable reader: the PC/SC service is down or no reader matches the configuration."""


class CardReadError(CardReaderError):
    """The card answered, but not with a UID (an error status word, a malformed reply)."""


class CardRemovedError(CardReadError):
    """The card left the field while we were talking to it (PC/SC 0x80100069)."""
