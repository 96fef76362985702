"""The layout shows the pipeline: no import circles, and no stage imports a later one.

The graph is built with `ast` from every import statement in `src/fullcast`, those under
`if TYPE_CHECKING:` and inside functions included: a circle hidden behind a lazy import is
still a circle for the reader. The checks are tried first on small made-up packages, so a
broken checker cannot pass the real one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fullcast"

STAGES = {"errors": 0, "model": 0, "reports": 0, "settings": 1, "manuscript": 2, "script": 3, "casting": 4, "audio": 5,
          "publish": 6, "verify": 7, "pipeline": 8, "catalogue": 9, "editing": 9, "cli": 10, "__main__": 11}
"""Top-level module or package -> its place in the pipeline; a module may import only earlier places and its own."""
CLI_MAY_IMPORT = {"pipeline", "catalogue", "editing", "errors", "model"}
"""Besides itself and the package root (for `__version__`), the command line sees only these."""


def module_names(root: Path) -> dict[Path, str]:
    """Every .py file under the package *root* -> its dotted name (a package is named by its __init__)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        names[path] = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports, by dotted name."""
    names = module_names(root)
    known = set(names.values())
    graph: dict[str, set[str]] = {}
    for path, name in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets |= _targets(node, package, known)
        graph[name] = targets - {name}
    return graph


def _targets(node: ast.AST, package: str, known: set[str]) -> set[str]:
    """The package modules one import statement reaches: `from .x import y` is x.y when y is a module, else x."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source not in known:
        return set()
    return {f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle found by a depth-first walk, each as the path that closes it."""
    found, state = [], {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == "open":
                found.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def backward_imports(graph: dict[str, set[str]], root: str) -> list[str]:
    """Imports of a later stage by an earlier one, and anything but pipeline, errors and model by the CLI."""
    def stage(name: str) -> str:
        return name.split(".")[1] if "." in name else ""

    problems = []
    for name, targets in sorted(graph.items()):
        mine = stage(name)
        for target in sorted(targets):
            theirs = stage(target)
            if not theirs or theirs == mine:
                continue  # the package root (`__version__`) or the stage's own modules
            if mine == "cli" and theirs not in CLI_MAY_IMPORT:
                problems.append(f"{name} -> {target}: the CLI goes through pipeline")
            elif STAGES.get(theirs, 99) > STAGES.get(mine, -1):
                problems.append(f"{name} -> {target}: {theirs} comes after {mine or root}")
    return problems


# --------------------------------------------------------------------------- the checker on made-up packages


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fullcast"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_a_circle_behind_type_checking(tmp_path: Path) -> None:
    root = make_package(tmp_path, {
        "__init__.py": "", "script/__init__.py": "",
        "script/context.py": "from .tags import reporter\n",
        "script/tags.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .context import Context\n",
    })
    assert cycles(import_graph(root)) == [["fullcast.script.context", "fullcast.script.tags", "fullcast.script.context"]]


def test_the_checker_finds_a_later_stage_imported_by_an_earlier_one(tmp_path: Path) -> None:
    root = make_package(tmp_path, {
        "__init__.py": "", "model.py": "", "pipeline.py": "", "casting/__init__.py": "", "audio/__init__.py": "",
        "audio/engines.py": "", "casting/cast.py": "def check():\n    from ..audio import engines\n",
        "cli.py": "from . import pipeline, model\nfrom .casting import cast\n",
    })
    assert backward_imports(import_graph(root), "fullcast") == [
        "fullcast.casting.cast -> fullcast.audio.engines: audio comes after casting",
        "fullcast.cli -> fullcast.casting.cast: the CLI goes through pipeline",
    ]


def test_the_checker_passes_a_clean_package(tmp_path: Path) -> None:
    root = make_package(tmp_path, {
        "__init__.py": "", "model.py": "", "script/__init__.py": "from .analyse import analyse_book\n",
        "script/analyse.py": "from ..model import Book\nfrom .quotes import split\n", "script/quotes.py": "",
    })
    graph = import_graph(root)
    assert graph["fullcast.script.analyse"] == {"fullcast.model", "fullcast.script.quotes"}
    assert cycles(graph) == [] and backward_imports(graph, "fullcast") == []


# --------------------------------------------------------------------------- fullcast itself


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(SRC)


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_imports_point_one_way(graph: dict[str, set[str]]) -> None:
    assert backward_imports(graph, "fullcast") == []


def test_every_stage_is_a_package_or_a_top_module_with_a_place(graph: dict[str, set[str]]) -> None:
    assert {name.split(".")[1] for name in graph if "." in name} == set(STAGES)


def test_every_module_opens_with_a_docstring() -> None:
    missing = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
               if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert missing == []
