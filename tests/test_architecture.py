"""The package's architecture, checked from its source: no import circles, no import that climbs
back up a floor, no private name that crosses a module boundary.

Run it as a test, or as `python tests/test_architecture.py` to print every finding and the
figures (circles, upward imports, private names crossing modules, function-local imports).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SRC = REPO_ROOT / "src"
PACKAGE = "sourcetrace"

# The floors, lowest first: a module may import from its own floor or any floor below, never
# from one above. Keyed by the first part below `sourcetrace` (a package or a top-level module).
# Adjusted from DESIGN.md's order where the code needs it: `agreement` and `convert` sit above
# `evaluation` (agreement scores one pass against another with `evaluate`; `convert` reads gold
# through `evaluation.inputs`); `report` renders what evaluation computes (the leaderboard, which
# scores runs and writes Markdown, is a report); `studio` and `baselines` make annotations and
# predictions with any library floor; `cli` parses and calls. Imports under `if TYPE_CHECKING:`
# are not imports at run time and are left out (the scorers' `Settings` annotation).
FLOORS: tuple[tuple[str, ...], ...] = (
    ("errors", "paths", "jsonio", "_version", "progress"),
    ("schema",),
    ("corpus",),
    ("scoring",),
    ("evaluation",),
    ("agreement", "convert"),
    ("report",),
    ("studio", "baselines"),
    ("cli",),
    ("",),  # sourcetrace/__init__.py: the public API, imports (lazily) from anywhere
)


def floor_of(module: str) -> int:
    """The floor of a dotted module name inside the package."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else ""
    for level, names in enumerate(FLOORS):
        if head in names:
            return level
    raise AssertionError(f"{module} is on no floor: add its package to FLOORS")


@dataclass(frozen=True)
class Import:
    """One import statement's edge: who imports what (a module of the package), and where."""

    source: str  # dotted name of the importing module
    target: str  # dotted name of the imported module
    names: tuple[str, ...]  # the names taken from it (empty for `import x`)
    line: int
    local: bool  # inside a function (not at module level)
    path: Path


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def src_modules() -> dict[str, Path]:
    return {module_name(p, SRC): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _resolve(node: ast.ImportFrom, source: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers of the imports under `if TYPE_CHECKING:` (annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for inner in node.body:
                for each in ast.walk(inner):
                    if isinstance(each, ast.Import | ast.ImportFrom):
                        lines.add(each.lineno)
    return lines


def _function_lines(tree: ast.AST) -> set[int]:
    """Line numbers of the import statements that sit inside a function."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.add(inner.lineno)
    return lines


def imports_of(path: Path, source: str, known: set[str]) -> Iterator[Import]:
    """Every import in one file of a module in `known` (submodules taken by `from` count as
    imports of the submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    local_lines = _function_lines(tree)
    typing_only = _type_checking_lines(tree)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in typing_only:
            continue
        local = getattr(node, "lineno", 0) in local_lines
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield Import(source, alias.name, (), node.lineno, local, path)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, source, is_package)
            plain: list[str] = []
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    yield Import(source, sub, (), node.lineno, local, path)
                else:
                    plain.append(alias.name)
            if plain and target in known:
                yield Import(source, target, tuple(plain), node.lineno, local, path)


def all_imports() -> list[Import]:
    modules = src_modules()
    known = set(modules)
    found: list[Import] = []
    for name, path in modules.items():
        found.extend(imports_of(path, name, known))
    return found


def circles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.source != edge.target and not edge.target.startswith(edge.source + "."):
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def upward(edges: list[Import]) -> list[Import]:
    return [e for e in edges if floor_of(e.target) > floor_of(e.source)]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_crossings(files: list[Path], known: set[str]) -> list[str]:
    """`from m import _x`, and `m._x` on an imported module `m`, where m is another module of
    the package or of tests/."""
    found: list[str] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if _is_private(alias.name):
                        found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {alias.name}")
                    elif node.module and f"{node.module}.{alias.name}" in known:
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known or alias.name.split(".")[0] == PACKAGE:
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {node.attr}")
    return found


def module_names_of_tests() -> set[str]:
    return {p.stem for p in (REPO_ROOT / "tests").rglob("*.py")}


def figures() -> dict[str, list]:
    edges = all_imports()
    known = set(src_modules()) | module_names_of_tests()
    files = sorted((SRC / PACKAGE).rglob("*.py")) + sorted((REPO_ROOT / "tests").rglob("*.py"))
    return {
        "circles": circles(edges),
        "upward imports": [
            f"{e.path.relative_to(REPO_ROOT)}:{e.line}: {e.source} -> {e.target}"
            for e in upward(edges)
        ],
        "private names crossing modules": private_crossings(files, known),
        "function-local imports": sorted(
            {f"{e.path.relative_to(REPO_ROOT)}:{e.line}" for e in edges if e.local}
        ),
    }


def test_no_import_circles() -> None:
    assert circles(all_imports()) == []


def test_no_import_climbs_a_floor() -> None:
    assert figures()["upward imports"] == []


def test_no_private_name_crosses_a_module() -> None:
    assert figures()["private names crossing modules"] == []


def test_checker_finds_a_circle_and_an_upward_import() -> None:
    """The checker itself: a made-up pair of edges is a circle and one climbs a floor."""
    here = Path(__file__)
    edges = [
        Import("sourcetrace.schema.a", "sourcetrace.cli.b", (), 1, True, here),
        Import("sourcetrace.cli.b", "sourcetrace.schema.a", (), 1, False, here),
    ]
    assert circles(edges) == [["sourcetrace.cli.b", "sourcetrace.schema.a"]]
    assert [(e.source, e.target) for e in upward(edges)] == [
        ("sourcetrace.schema.a", "sourcetrace.cli.b")
    ]


if __name__ == "__main__":
    for title, items in figures().items():
        print(f"{title}: {len(items)}")
        for item in items:
            print(f"  {item}")
