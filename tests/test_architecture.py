"""The house rules of docs/architecture.md, checked on the package's real import graph
(grimp, the library behind import-linter; `lint-imports` checks the layers in CI)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "journal"
MAX_LINES = 500
MAX_LOOSE_MODULES = 6  # at the package's top, besides __init__.py and __main__.py


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # imports under TYPE_CHECKING count too: a circle there is still a circle to a reader
    return grimp.build_graph("journal", exclude_type_checking_imports=False, cache_dir=None)


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm over modules: every group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_circles(graph: grimp.ImportGraph) -> None:
    circles = [sorted(g) for g in strongly_connected(graph) if len(g) > 1]
    assert circles == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert [sorted(g) for g in strongly_connected(graph) if len(g) > 1] == [["p.a", "p.b"]]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_500_lines() -> None:
    big = {
        str(p.relative_to(PACKAGE)): n
        for p in modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_few_modules_loose_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def test_no_two_modules_share_a_file_name() -> None:
    names = Counter(p.name for p in modules() if p.name != "__init__.py")
    assert [n for n, k in names.items() if k > 1] == []


def test_every_subpackage_says_what_it_owns() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.split()) >= 12, (
            f"{init.relative_to(PACKAGE)} needs a docstring saying what it owns"
        )


def test_no_module_imports_a_neighbours_private_names() -> None:
    reach_ins = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("journal"):
                for alias in node.names:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    private_module = any(
                        part.startswith("_") and part != "__init__" for part in node.module.split(".")
                    )
                    if private or private_module:
                        reach_ins.append(
                            f"{path.relative_to(PACKAGE)}: from {node.module} import {alias.name}"
                        )
    assert reach_ins == []


def test_old_top_level_modules_still_import_with_a_warning() -> None:
    import importlib

    import journal

    for old, new in journal.MOVED_MODULES.items():
        with pytest.warns(DeprecationWarning, match=f"journal.{old} moved to {new}"):
            module = getattr(journal, old)
        assert module is importlib.import_module(new)
