"""The house rules of the code layout, checked on the source (see docs/ARCHITECTURE.md).

No import circles; no project import inside a function unless a comment says which heavy
dependency it defers; no private names imported across modules; only policy/storage.py touches
sqlite3; pages never import each other; policy/ in rooms; short functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.paths import ROOT

PACKAGES = ("evidence", "rules", "policy", "ui")
PROJECT = (*PACKAGES, "policymix_cli")


def _sources() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    out["policymix_cli"] = ROOT / "policymix_cli.py"
    return out


SOURCES = _sources()


def _is_project(name: str) -> bool:
    return name.split(".")[0] in PROJECT


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids.update(id(n) for n in ast.walk(node))
    return ids


def _module_level_imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    targets: set[str] = set()
    for node in tree.body:
        for sub in ast.walk(node):
            if id(sub) in skip or isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(sub, ast.ImportFrom) and sub.module and _is_project(sub.module):
                targets.add(sub.module)
                targets.update(f"{sub.module}.{a.name}" for a in sub.names
                               if f"{sub.module}.{a.name}" in SOURCES)
            elif isinstance(sub, ast.Import):
                targets.update(a.name for a in sub.names if _is_project(a.name))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
    return {t for t in targets if t in SOURCES and t != module}


def test_no_import_circles() -> None:
    graph = nx.DiGraph()
    for module, path in SOURCES.items():
        graph.add_node(module)
        for target in _module_level_imports(module, path):
            # a package's __init__ importing its own submodules is how it re-exports
            if not target.startswith(module + "."):
                graph.add_edge(module, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import circles: {cycles[:5]}"


def _function_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(fn):
            if isinstance(sub, ast.ImportFrom) and sub.module and _is_project(sub.module):
                found.append((sub.lineno, sub.module))
            elif isinstance(sub, ast.Import):
                found += [(sub.lineno, a.name) for a in sub.names if _is_project(a.name)]
    return found


DEFERRING_MODULES = {
    # each says in its docstring or a comment which heavy dependency it defers
    "policymix_cli",  # the policy layer and the export writers, so `areas` starts fast
    "policy.export",  # python-docx, openpyxl, figure renderers: one writer at a time
    "policy.export.bundle",  # the figure renderers (altair, vl-convert) until a writer draws
    "ui.pages.export",  # the export package, only when a file is asked for
}


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_project_imports_sit_at_module_level(module: str) -> None:
    found = _function_imports(SOURCES[module])
    if module in DEFERRING_MODULES:
        text = SOURCES[module].read_text(encoding="utf-8")
        assert "defer" in text, f"{module} imports inside functions without saying why"
        return
    assert not found, f"{module}: project imports inside functions at lines {found}"


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_no_private_names_imported_across_modules(module: str) -> None:
    tree = ast.parse(SOURCES[module].read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{a.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and _is_project(node.module)
        for a in node.names
        if a.name.startswith("_")
    ]
    assert not private, f"{module} imports private names: {private}"


def test_only_storage_touches_sqlite() -> None:
    users = []
    for module, path in SOURCES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
                users.append(module)
    assert users == ["policy.storage"], users


def test_pages_never_import_each_other() -> None:
    for module, path in SOURCES.items():
        if not module.startswith("ui.pages."):
            continue
        imported = _module_level_imports(module, path) | {m for _, m in _function_imports(path)}
        assert not {m for m in imported if m.startswith("ui.pages")}, module


def test_policy_is_in_rooms() -> None:
    policy = ROOT / "policy"
    loose = [p.name for p in policy.glob("*.py")]
    rooms = [p.name for p in policy.iterdir() if (p / "__init__.py").is_file()]
    assert len(loose) <= 8, loose
    assert len(rooms) >= 3, rooms


def test_at_most_two_long_functions() -> None:
    long = []
    for module, path in SOURCES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno - node.lineno + 1 > 100:
                    long.append(f"{module}.{node.name}")
    assert len(long) <= 2, long
