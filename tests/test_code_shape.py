"""scripts/code_shape.py finds what issue 15 measures: import circles, imports inside functions (and
whether each says why), big modules and long functions."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "code_shape.py"


@pytest.fixture(scope="module")
def shape():
    spec = importlib.util.spec_from_file_location("code_shape", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["code_shape"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_cycles_are_strongly_connected_groups(shape):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert shape.cycles(graph) == [["a", "b", "c"]]
    assert shape.cycles({"a": {"b"}, "b": set()}) == []


def test_a_module_is_read_into_its_imports_and_long_functions(shape, tmp_path, monkeypatch):
    package = tmp_path / "sidecar"
    package.mkdir()
    (package / "__init__.py").write_text("")
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (package / "big.py").write_text(
        "from sidecar import small\n"
        "from sidecar.small import helper\n"
        "def late():\n"
        "    from sidecar import other  # optional dependency\n"
        "    import sidecar.third\n"
        f"def long():\n{body}\n"
    )
    monkeypatch.setattr(shape, "ROOT", tmp_path)
    read = shape.read_module(package / "big.py")
    assert read.name == "sidecar.big"
    assert read.top_imports == {"sidecar.small", "sidecar.small.helper"}
    assert [(target, reason) for _, target, reason in read.inner_imports] == [
        ("sidecar.other", True), ("sidecar.third", False)]
    assert [(name, length) for name, _, length in read.long_functions] == [("long", 62)]


def test_a_name_imported_from_a_module_is_an_edge_to_that_module(shape, tmp_path):
    shapes = {name: shape.ModuleShape(name=name, path=tmp_path, lines=1)
              for name in ("sidecar.a", "sidecar.b", "sidecar.pkg", "sidecar.pkg.sub")}
    shapes["sidecar.a"].top_imports = {"sidecar.b.function", "sidecar.pkg.sub"}
    graph = shape.import_graph(shapes)
    assert graph["sidecar.a"] == {"sidecar.b", "sidecar.pkg.sub"}


def test_the_package_meets_its_shape_targets(shape, capsys):
    # Issue 15's targets, held from now on: no module-level import circle, at most 15 imports of sidecar
    # modules inside functions (each saying why), no module over 600 lines, no function over 60.
    missed = shape.report(shape.collect(), verbose=False)
    assert missed == [], capsys.readouterr().out
