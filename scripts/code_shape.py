"""Print the code-shape targets of the `sidecar` package and exit non-zero when one is missed.

Checked: no import circle among `sidecar` modules at module level; at most 15 imports of `sidecar`
modules inside functions, each with a comment saying why (an optional dependency or a real cycle
broken); no module over 600 lines (migrations aside); no function over 60 lines.

Usage: python scripts/code_shape.py [--verbose]
"""
from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sidecar"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_INNER_IMPORTS = 15


@dataclass
class ModuleShape:
    """What one module imports at module level and inside functions, and its long functions."""

    name: str
    path: Path
    lines: int
    top_imports: set[str] = field(default_factory=set)
    inner_imports: list[tuple[int, str, bool]] = field(default_factory=list)
    long_functions: list[tuple[str, int, int]] = field(default_factory=list)


def module_name(path: Path) -> str:
    """The dotted name of a file under the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, current: str, is_package: bool) -> list[str]:
    if node.level:
        base = current.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    # "from pkg import sub" names the submodule; "from mod import name" resolves to mod in import_graph.
    return [f"{prefix}.{alias.name}" for alias in node.names]


def _targets(node: ast.AST, current: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return _resolve(node, current, is_package)
    return []


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _has_reason(source_lines: list[str], lineno: int) -> bool:
    """An inner import carries its reason as a comment on its line or the line above."""
    own = source_lines[lineno - 1]
    above = source_lines[lineno - 2] if lineno >= 2 else ""
    return "#" in own or above.strip().startswith("#")


def read_module(path: Path) -> ModuleShape:
    """Parse one module into its shape."""
    source = path.read_text()
    source_lines = source.splitlines()
    name = module_name(path)
    shape = ModuleShape(name=name, path=path, lines=len(source_lines))
    tree = ast.parse(source)
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    shape.long_functions.append((child.name, child.lineno, length))
                visit(child, True)
                continue
            targets = [t for t in _targets(child, name, is_package) if t.split(".")[0] == "sidecar"]
            if targets and in_function:
                shape.inner_imports.append((child.lineno, targets[0], _has_reason(source_lines, child.lineno)))
            elif targets:
                shape.top_imports.update(targets)
            visit(child, in_function)

    visit(tree, False)
    return shape


def import_graph(shapes: dict[str, ModuleShape]) -> dict[str, set[str]]:
    """Module-level edges between package modules (an import of a name resolves to its module)."""
    graph: dict[str, set[str]] = {}
    for name, shape in shapes.items():
        edges = set()
        for target in shape.top_imports:
            while target and target not in shapes:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            strong(node)
    return found


def collect() -> dict[str, ModuleShape]:
    """Every module of the package, migrations aside."""
    shapes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        shape = read_module(path)
        shapes[shape.name] = shape
    return shapes


def report(shapes: dict[str, ModuleShape], verbose: bool) -> list[str]:
    """Print the figures and return the targets missed."""
    missed = []
    circles = cycles(import_graph(shapes))
    inner = [(s.name, line, target, reason) for s in shapes.values() for line, target, reason in s.inner_imports]
    unexplained = [entry for entry in inner if not entry[3]]
    big = sorted(((s.lines, s.name) for s in shapes.values() if s.lines > MAX_MODULE_LINES), reverse=True)
    long_functions = sorted(((length, f"{s.name}.{fn}:{line}") for s in shapes.values()
                             for fn, line, length in s.long_functions), reverse=True)
    print(f"modules: {len(shapes)}")
    print(f"module-level import circles: {len(circles)}")
    for circle in circles:
        print("  " + " <-> ".join(circle))
    print(f"imports of sidecar modules inside functions: {len(inner)} (target <= {MAX_INNER_IMPORTS}), "
          f"without a reason comment: {len(unexplained)}")
    for name, line, target, reason in inner if verbose else unexplained[:0]:
        print(f"  {name}:{line} {target}{'' if reason else '  (no reason given)'}")
    print(f"modules over {MAX_MODULE_LINES} lines: {len(big)}")
    for lines, name in big:
        print(f"  {name} {lines}")
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(long_functions)}")
    for length, where in long_functions:
        print(f"  {where} {length}")
    if circles:
        missed.append("import circles")
    if len(inner) > MAX_INNER_IMPORTS or unexplained:
        missed.append("imports inside functions")
    if big:
        missed.append("module size")
    if long_functions:
        missed.append("function size")
    return missed


def main(argv: list[str] | None = None) -> int:
    """Run the checks; the exit status is 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every import inside a function")
    args = parser.parse_args(argv)
    missed = report(collect(), args.verbose)
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
