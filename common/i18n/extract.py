"""Find every marked message in the source, by reading the code (``ast``), not running it.

A message is marked by calling one of the marker names with string literals:

- ``t("...", **fields)``, ``_("...")``, ``N_("...")``, ``x.gettext("...")``, and the session's
  ``bilingual("...", **fields)`` (both halves of a message at once): one message;
- ``t.plural("one ...", "{n} ...", n)``, ``x.ngettext("...", "...", n)``: a plural pair.

The receiver does not matter (``t``, ``self.t``, ``session.t`` all count), so code reads
naturally. A marker called with an f-string or a concatenation is an error (its text changes
at run time, so no catalog entry can match); a marker called with a variable is fine when
that variable holds an ``N_``-marked string. Calls with literal fields are checked too: the
keywords passed must be the message's placeholders.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from common.i18n.placeholders import PlaceholderError, placeholders

SINGULAR_MARKERS = frozenset({"t", "_", "N_", "gettext", "bilingual"})
PLURAL_MARKERS = frozenset({"plural", "ngettext"})
FORMATTING_MARKERS = frozenset({"t", "plural", "bilingual"})
"""The markers that fill placeholders; their keyword arguments are checked against them."""


@dataclass
class Message:
    """A message found in the code, with every place it is used."""

    msgid: str
    msgid_plural: str | None = None
    where: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.msgid, self.msgid_plural)


@dataclass
class Extraction:
    messages: dict[tuple[str, str | None], Message] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, msgid: str, msgid_plural: str | None, where: str) -> None:
        message = self.messages.setdefault((msgid, msgid_plural), Message(msgid, msgid_plural))
        message.where.append(where)


def _marker(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_dynamic_text(node: ast.expr) -> bool:
    """An f-string or a sum/format of strings: a message that changes at run time."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(
            isinstance(side, ast.Constant | ast.JoinedStr) for side in (node.left, node.right)
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (node.func.attr == "format" and _literal(node.func.value) is not None)
    )


def _check_fields(call: ast.Call, texts: list[str], where: str, out: Extraction) -> None:
    if any(keyword.arg is None for keyword in call.keywords):
        return  # ``**fields``: cannot be checked statically
    given = {keyword.arg for keyword in call.keywords if keyword.arg is not None}
    if _marker(call) == "plural":
        given.add("n")
    try:
        wanted = frozenset().union(*(placeholders(text) for text in texts))
    except PlaceholderError as err:
        out.problems.append(f"{where}: {err}")
        return
    if given != wanted:
        out.problems.append(
            f"{where}: fields {sorted(given)} passed, but {texts[0]!r} has {sorted(wanted)}"
        )


def _visit_call(call: ast.Call, where: str, out: Extraction) -> None:
    name = _marker(call)
    if name in SINGULAR_MARKERS:
        count = 1
    elif name in PLURAL_MARKERS:
        count = 2
    else:
        return
    args = call.args[:count]
    if len(args) < count:
        return
    if any(_is_dynamic_text(arg) for arg in args):
        out.problems.append(f"{where}: {name}() needs a fixed string, not one built at run time")
        return
    texts = [_literal(arg) for arg in args]
    if any(text is None for text in texts):
        return  # a variable holding an N_-marked string, or not a message at all
    found = [text for text in texts if text is not None]
    out.add(found[0], found[1] if count == 2 else None, where)
    if name in FORMATTING_MARKERS:
        _check_fields(call, found, where, out)


def extract_source(source: str, filename: str, out: Extraction | None = None) -> Extraction:
    out = out if out is not None else Extraction()
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as err:
        out.problems.append(f"{filename}: cannot parse: {err}")
        return out
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            _visit_call(node, f"{filename}:{node.lineno}", out)
    return out


def extract(roots: Iterable[Path], relative_to: Path | None = None) -> Extraction:
    """Every marked message in the ``.py`` files under ``roots`` (missing roots are skipped:
    ``screens/`` arrives later)."""
    out = Extraction()
    for root in roots:
        for path in sorted(root.rglob("*.py")) if root.is_dir() else []:
            name = str(path.relative_to(relative_to)) if relative_to else str(path)
            extract_source(path.read_text(encoding="utf-8"), name, out)
    return out
