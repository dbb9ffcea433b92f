"""Import rules, read from the sources with ``ast`` (docs/architecture.md, "Layers"):

- inference (the sampler, the producer tools, checkpoints, config) imports nothing of training;
- nothing outside ``kickgan.cli`` imports the CLI (but ``python -m kickgan``);
- the packages import each other without cycles (e.g. metrics -> sampler -> train -> metrics).
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
INFERENCE = ("kickgan.sampler", "kickgan.producer", "kickgan.checkpoints", "kickgan.config")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every kickgan module ``path`` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("kickgan"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names if (SRC / f"{node.module}.{a.name}".replace(".", "/")).is_dir()
                       or (SRC / (f"{node.module}.{a.name}".replace(".", "/") + ".py")).is_file())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("kickgan"))
    return out


IMPORTS = {_module(p): _imports(p) for p in sorted(SRC.rglob("*.py"))}


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_rules_see_imports_inside_functions():
    assert "kickgan.checkpoints" in IMPORTS["kickgan.cli.export"]  # imported lazily, inside main()


@pytest.mark.parametrize("module", sorted(m for m in IMPORTS if _within(m, INFERENCE)))
def test_inference_imports_nothing_of_training(module):
    assert not [t for t in IMPORTS[module] if _within(t, ("kickgan.train",))]


@pytest.mark.parametrize("module", sorted(m for m in IMPORTS if not _within(m, ("kickgan.cli", "kickgan.__main__"))))
def test_only_the_cli_imports_the_cli(module):
    assert not [t for t in IMPORTS[module] if _within(t, ("kickgan.cli",))]


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_packages_import_each_other_without_cycles():
    graph = defaultdict(set)
    for module, targets in IMPORTS.items():
        graph[_package(module)].update(_package(t) for t in targets if _package(t) != _package(module))
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
