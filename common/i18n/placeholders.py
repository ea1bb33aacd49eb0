"""The ``{name}`` placeholders of a message, as ``str.format`` sees them.

Messages use named placeholders only: a translation may need to reorder them ("{n} orang di
depan Anda" against "{n} people ahead of you"), and a positional ``{}`` or ``{0}`` gives the
translator no hint of what goes there.
"""

from __future__ import annotations

import string

_FORMATTER = string.Formatter()


class PlaceholderError(ValueError):
    """A message whose placeholders cannot be used (positional, or broken braces)."""


def placeholders(message: str) -> frozenset[str]:
    """The root names of the message's fields (``{when.day}`` counts as ``when``)."""
    names: set[str] = set()
    try:
        parsed = list(_FORMATTER.parse(message))
    except ValueError as err:
        raise PlaceholderError(f"broken braces in {message!r}: {err}") from err
    for _, field_name, _, _ in parsed:
        if field_name is None:
            continue
        root = field_name.split(".", 1)[0].split("[", 1)[0]
        if not root.isidentifier():
            raise PlaceholderError(
                f"{message!r}: use a named placeholder like {{count}}, not {{{field_name}}}"
            )
        names.add(root)
    return frozenset(names)
