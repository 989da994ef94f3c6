"""The package's layering (ARCHITECTURE.md): data flows one way, and no module imports a
package further along that line than its own."""

from __future__ import annotations

import ast
from pathlib import Path

import classifier

PACKAGE = Path(classifier.__file__).parent

#: The layers, first to last: a unit may import the units before it, never one after it.
LAYERS = (
    "errors",
    "labels",
    "_version",
    "_lazy",
    "_fonts",
    "_progress",
    "io",
    "normalize",
    "segment",
    "topic",
    "region",
    "events",
    "model",
    "evaluation",
    "batch",
    "training",
    "report",
    "review",
    "cli",
    "__init__",
    "__main__",
)


def _unit(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_units(path: Path) -> set[str]:
    """The package's top-level units that ``path`` imports (at load time or inside functions)."""
    package = list(path.relative_to(PACKAGE).parts[:-1])
    units = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = base + [part for part in (node.module or "").split(".") if part]
            units.update([target[0]] if target else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "classifier":
            parts = node.module.split(".")  # type: ignore[union-attr]
            units.update([parts[1]] if len(parts) > 1 else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            units.update(a.name.split(".")[1] for a in node.names if a.name.startswith("classifier."))
    return units


def test_every_unit_of_the_package_has_a_place_in_the_layers() -> None:
    units = {_unit(p) for p in PACKAGE.rglob("*.py")}
    assert units <= set(LAYERS), f"not placed in LAYERS (and ARCHITECTURE.md): {sorted(units - set(LAYERS))}"


def test_no_module_imports_a_later_layer() -> None:
    rank = {unit: i for i, unit in enumerate(LAYERS)}
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        unit = _unit(path)
        for target in _imported_units(path) - {unit}:
            if target in rank and rank[target] > rank[unit]:
                upward.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert not upward, "imports against the data flow:\n" + "\n".join(upward)
