"""The house rules of docs/DESIGN.md that a script can check: who may import whom."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.in_process

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["common", "kiosk", "drivers", "screens", "central", "provisioning"]
ROOMS = {"kiosk", "drivers", "screens", "central", "provisioning"}
DEMO_ROOM = ROOT / "kiosk" / "demo"


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "screens"])
def test_only_screens_imports_kivy(package: str) -> None:
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p, m in _imports(package) if _top(m) == "kivy"]
    assert offenders == []


def test_drivers_import_neither_kiosk_nor_screens_nor_central() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("drivers")
        if _top(m) in {"kiosk", "screens", "central", "provisioning"}
    ]
    assert offenders == []


def test_screens_never_import_drivers() -> None:
    """Screens hear devices through the session's events (a tapped card, a scanned code), and
    ask through its intents: never a driver, not even its event types."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}" for p, m in _imports("screens") if _top(m) == "drivers"
    ]
    assert offenders == []


def test_central_imports_none_of_the_kiosk_side() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("central")
        if _top(m) in {"kiosk", "screens", "drivers", "provisioning"}
    ]
    assert offenders == []


def test_central_contract_is_pure() -> None:
    """The kiosk imports the contract, so it must not drag in the server's libraries."""
    allowed = {"pydantic", "pydantic_core", "common"}
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("central")
        if "contract" in p.parts
        and _top(m) not in allowed
        and not m.startswith("central.contract")
        and _top(m) not in sys.stdlib_module_names
    ]
    assert offenders == []


def test_common_is_the_leaf_every_room_may_import() -> None:
    """``common`` imports no room and only the small libraries its rules need."""
    allowed_third_party = {"pydantic", "pydantic_core", "tomli_w"}
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("common")
        if _top(m) != "common"
        and (_top(m) in ROOMS or _top(m) not in allowed_third_party | sys.stdlib_module_names)
    ]
    assert offenders == []


def test_one_card_uid_implementation() -> None:
    """Drivers and the centre both canonicalise UIDs with ``common.card_uid``; nobody else
    parses UID hex or wedge decimals on their own."""
    defining = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "def uid_from_decimal" in path.read_text() or "def canonical_uid" in path.read_text()
    ]
    assert defining == ["common/card_uid.py"]


@pytest.mark.parametrize("package", ["kiosk", "screens", "provisioning"])
def test_kiosk_side_uses_only_the_contract_from_central(package: str) -> None:
    """One exception: the demo room runs a whole system on one machine, so it starts the
    centre the one way tests and benches do (``central.commands.process``, stdlib only)."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports(package)
        if _top(m) == "central"
        and not m.startswith("central.contract")
        and not (DEMO_ROOM in p.parents and m == "central.commands.process")
    ]
    assert offenders == []


def test_the_product_ships_no_evaluation_tooling() -> None:
    """The capture's synthetic ground-truth generator and real-frame loader are bench and test
    support (issue 11 item 6): no product package imports them."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for package in PACKAGES
        for p, m in _imports(package)
        if _top(m) in {"tests", "bench"}
    ]
    assert offenders == []


def test_nothing_but_the_kiosk_command_imports_screens() -> None:
    """The app is a leaf: the `kiosk` command registers `kiosk app`, nothing else reaches in."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for package in PACKAGES
        if package != "screens"
        for p, m in _imports(package)
        if _top(m) == "screens" and p != ROOT / "kiosk" / "cli.py"
    ]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ours that ``path`` imports anywhere (functions included: an import moved
    into a function to dodge a cycle is still the cycle), except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in known}


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "screens"])
def test_no_import_cycles_between_modules(package: str) -> None:
    """A cycle means two modules cannot be understood, tested or moved apart (issue 11 found
    auth → context → ingest → auth in the centre). Packages' ``__init__`` re-exports are left
    out: they import their own modules by design."""
    paths = [p for p in (ROOT / package).rglob("*.py") if p.name != "__init__.py"]
    known = {_module_name(p) for p in paths}
    graph = {_module_name(p): _runtime_imports(p, known) for p in paths}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
